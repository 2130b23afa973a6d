"""Sextortion help: an offline-first advice and reporting app for a UK police force."""
import sys

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from . import (advice, assets, cli, config, errors, health, offline_app, officers, page_cache,
               pages, report, sealing, security, site)
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
    site.init_app(app)
    page_cache.init_app(app)
    sealing.init_app(app)
    errors.init_app(app)

    # The features, each a blueprint (or two) bound by its own init_app.
    pages.init_app(app)
    advice.init_app(app)
    report.init_app(app)  # the form under /report/ and its API under /api/
    offline_app.init_app(app)
    health.init_app(app)
    cli.init_app(app)
    officers.init_app(app)
    return app
