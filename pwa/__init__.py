"""Sextortion help: an offline-first advice and reporting app for a UK police force."""
import os
import sys

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from . import (advice, assets, cli, config, errors, guards, health, offline_app, officers,
               page_cache, pages, report, sealing, security, site)
from .extensions import cache, compress, csrf, db, limiter, migrate


def create_app(config_object: object | None = None) -> Flask:
    """Build the app. Called with no configuration (by `flask`, gunicorn), a deployment
    mistake ends the process with a one-line message instead of a traceback; tests that pass
    a configuration get the exception."""
    try:
        return _build(config_object)
    except config.StartupError as err:
        if config_object is not None:
            raise
        sys.exit(f"Cannot start the app: {err}")


def _build(config_object: object | None) -> Flask:
    app = Flask(
        __name__,
        static_folder=str(config.ROOT / "static"),
        template_folder=str(config.ROOT / "templates"),
        instance_path=str(config.INSTANCE),
    )
    app.config.from_object(config_object or config.load())
    if app.config.get("PRODUCTION"):
        # FLASK_DEBUG would turn on Werkzeug's debugger (a Python console in the browser):
        # ignored in production. `flask` reads it again after the app is built, so clear it.
        if "FLASK_DEBUG" in os.environ:
            if os.environ["FLASK_DEBUG"].lower() not in ("", "0", "false", "no"):
                print("FLASK_DEBUG is ignored in production.", file=sys.stderr)
            os.environ["FLASK_DEBUG"] = "0"
        app.debug = False
    if app.config["PROXY_FIX"]:
        n = app.config["PROXY_FIX"]
        # Flask's documented way to add WSGI middleware; mypy sees a method replaced.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=n, x_proto=n, x_host=n)

    db.init_app(app)
    from . import models  # noqa: F401  (registers the tables)
    from .officers import models as officer_models  # noqa: F401

    migrate.init_app(app, db)
    cache.init_app(app)
    guards.init_app(app)  # before CSRFProtect: it must not see a nameless part
    csrf.init_app(app)
    # Flask-Limiter keeps the first app's key prefix and default and application limits on
    # its shared object (init_app only fills them when empty); clear them so every app built
    # in this process (tests, CLI) uses its own configuration.
    limiter._key_prefix = ""
    limiter.limit_manager.set_default_limits([])
    limiter.limit_manager.set_application_limits([])
    limiter.init_app(app)
    compress.init_app(app)
    security.init_app(app)
    assets.init_app(app)
    site.init_app(app)  # the force file, the languages (i18n) and the advice pages
    page_cache.init_app(app)
    sealing.init_app(app)
    errors.init_app(app)

    # The features, each a blueprint (or two) bound by its own init_app, for the side this
    # process serves (APP_SIDE): the public side never holds the key that opens reports.
    side = app.config["APP_SIDE"]
    if side != "officers":
        pages.init_app(app)
        advice.init_app(app)
        offline_app.init_app(app)
    report.init_app(app)  # the form under /report/ and its API under /api/ (public side)
    health.init_app(app)
    cli.init_app(app)
    if side != "public":
        officers.init_app(app)
    return app
