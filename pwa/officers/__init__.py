"""The officers' area: sign-in with a second factor, the dashboard of received reports, the
report page, and the audit log. Never cached, never precached, every view signed-in only
(except sign-in itself), enforced once for the whole blueprint."""
import secrets
from collections.abc import Callable
from typing import TYPE_CHECKING

from flask import Blueprint, Flask, redirect, url_for
from flask_login import LoginManager
from werkzeug.wrappers import Response

from ..extensions import db
from ..report import maintenance

if TYPE_CHECKING:
    from .models import Officer

bp = Blueprint("officers", __name__, url_prefix="/officers")


@bp.context_processor
def _officer() -> dict:
    from flask_login import current_user

    return {"current_user": current_user}


@bp.after_request
def _remember_cookie(response: Response) -> Response:
    # Flask-Login's own, moved here from the whole app by init_app.
    return login_manager._update_remember_cookie(response)
login_manager = LoginManager()
login_manager.session_protection = "strong"

from . import views  # noqa: E402,F401  (routes)
from . import replies  # noqa: E402,F401  (routes: replies in the app, issue 17)


@login_manager.user_loader
def load_officer(user_id: str | None) -> "Officer | None":
    """The session holds "<id>:<login id>"; the login id must still be the account's, so a
    session ends everywhere at sign-out, disabling or second-factor reset."""
    from .models import Officer

    officer_id, _, login_id = (user_id or "").partition(":")
    if not officer_id.isdigit() or not login_id:
        return None
    officer = db.session.get(Officer, int(officer_id))
    if officer is None or not officer.active or not officer.login_id:
        return None
    if not secrets.compare_digest(officer.login_id, login_id):
        return None
    return officer


@login_manager.unauthorized_handler
def to_sign_in() -> Response:
    return redirect(url_for("officers.sign_in"))


def init_app(app: Flask) -> None:
    from . import cli

    # Flask-Login's app-wide context processor loads the user (reading the session) for every
    # template, the public pages' too, which would make them per-visitor (pwa/page_cache.py).
    # Only the officers' own templates need `current_user`.
    login_manager.init_app(app, add_context_processor=False)
    # Its after_request (the "remember me" cookie, which we never set) reads the session on
    # every response, which would mark every page `Vary: Cookie` and per-visitor: run it
    # for the officers' area only, where signing in and out happen.
    app.after_request_funcs[None].remove(login_manager._update_remember_cookie)
    app.register_blueprint(bp)
    cli.init_app(app)
    _keep_notes_with_reports()


def _keep_notes_with_reports() -> None:
    """Notes are sealed with the report key and belong to a report: the report feature's
    rotation and retention take them along, and what they did goes in the audit log."""
    from .models import Note

    maintenance.register_sealed_rows("notes", Note)
    maintenance.keys_rotated.connect(_audit("rotate_keys"), weak=False)
    maintenance.expired_purged.connect(_audit("purge_expired"), weak=False)


_receivers: dict[str, Callable[..., None]] = {}


def _audit(action: str) -> Callable[..., None]:
    # One receiver per action for the process (blinker keeps one connection per receiver).
    if action not in _receivers:
        def receiver(app: Flask, counts: dict[str, int]) -> None:
            from . import audit

            audit.record(action, detail=maintenance.describe_counts(counts))
        _receivers[action] = receiver
    return _receivers[action]
