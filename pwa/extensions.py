"""Extensions, created once here and bound to the app in create_app()."""
from pathlib import Path
from typing import Literal

from flask import Flask, current_app
from flask_caching import Cache
from flask_compress import Compress
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_talisman import Talisman
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.types import TypeDecorator

# Named constraints, so a later migration can drop or alter them on every database (SQLite's
# batch mode rebuilds a table and can only keep or drop constraints that have names). Check
# constraints are left alone: name those yourself (CheckConstraint(..., name="...")).
db = SQLAlchemy(metadata=MetaData(naming_convention={
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}))


def _render_item(kind: str, obj: object, autogen_context: object) -> str | Literal[False]:
    """Write our column types into migrations as the plain types they store (a migration
    must not import the app's code, which changes after it is written)."""
    if kind == "type" and isinstance(obj, TypeDecorator):
        return f"sa.{obj.impl!r}"
    return False


# Absolute, so `flask db ...`, gunicorn and the tests find the migrations from any directory.
# (Flask-Migrate 4 already renders batch operations, which SQLite needs to alter tables.)
migrate = Migrate(directory=str(Path(__file__).resolve().parent.parent / "migrations"),
                  render_as_batch=True, compare_type=True, render_item=_render_item)
cache = Cache()
csrf = CSRFProtect()
talisman = Talisman()
compress = Compress()
# The client address is used only as a rate-limit key, in memory or Redis, never stored
# with a report. Behind a proxy, PROXY_FIX makes it the real client's.
limiter = Limiter(key_func=get_remote_address)


def app_object() -> Flask:
    """The app itself behind the `current_app` proxy: for a signal's sender and for code that
    holds on to the app. (Flask types the proxy as the app, so mypy cannot see this method.)"""
    return current_app._get_current_object()  # type: ignore[attr-defined]
