"""Sextortion help: an offline-first advice and reporting app for a UK police force."""
import sys

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from . import assets, cli, config, errors, guards, report, sealing, security, site
from .extensions import cache, compress, csrf, db, limiter, migrate


def create_app(config_object=None):
    """Build the app. Called with no configuration (by `flask`, gunicorn), a deployment
    mistake ends the process with a one-line message instead of a traceback; tests that pass
    a configuration get the exception."""
    try:
        return _build(config_object)
    except config.StartupError as err:
        if config_object is not None:
            raise
        sys.exit(f"Cannot start the app: {err}")


def _build(config_object):
    app = Flask(
        __name__,
        static_folder=str(config.ROOT / "static"),
        template_folder=str(config.ROOT / "templates"),
        instance_path=str(config.INSTANCE),
    )
    app.config.from_object(config_object or config.load())
    if app.config["PROXY_FIX"]:
        n = app.config["PROXY_FIX"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)

    db.init_app(app)
    from . import models  # noqa: F401  (registers the tables)
    from .officers import models as officer_models  # noqa: F401

    migrate.init_app(app, db)
    cache.init_app(app)
    guards.init_app(app)  # before CSRFProtect: it must not see a nameless part
    csrf.init_app(app)
    # Flask-Limiter keeps the first app's key prefix on its shared object (init_app only
    # fills it when empty); clear it so every app built in this process (tests, CLI) uses
    # its own configuration.
    limiter._key_prefix = None
    limiter.init_app(app)
    compress.init_app(app)
    security.init_app(app)
    assets.init_app(app)
    site.init_app(app)
    sealing.init_app(app)
    errors.init_app(app)

    from .pages import bp as pages_bp
    from .advice import bp as advice_bp
    from .offline_app import bp as offline_app_bp
    from . import health

    app.register_blueprint(pages_bp)
    app.register_blueprint(advice_bp)
    report.init_app(app)  # the form under /report/ and its API under /api/
    app.register_blueprint(offline_app_bp)
    health.init_app(app)
    cli.init_app(app)

    from . import officers

    officers.init_app(app)
    return app
