"""What every page knows: the force, the advice pages and the content version.

Loaded once in create_app() and kept on the app; the templates see them as globals.
"""
import hashlib
from pathlib import Path

from flask import current_app, render_template
from markupsafe import Markup

from . import assets, content, force as force_file


def force(app=None):
    """The force file, loaded (the current app's by default)."""
    return (app or current_app).extensions["force"]


def advice_pages(app=None):
    """{slug: AdvicePage}, in order (the current app's by default)."""
    return (app or current_app).extensions["advice"]


def init_app(app):
    the_force = force_file.load(app.config["FORCE_FILE"])
    app.extensions["force"] = the_force
    env = app.jinja_env
    env.globals["force"] = the_force

    def number(key):
        num = the_force.numbers[key]
        return Markup(render_template("partials/number.html", number=num))

    def service(service_id):
        try:
            svc = the_force.service(service_id)
        except KeyError:
            raise content.ContentError(f"service({service_id!r}) is not in the force file")
        return Markup(render_template("partials/service.html", service=svc))

    env.globals["number"] = number
    env.globals["service"] = service

    with app.app_context(), app.test_request_context():
        pages = content.load_pages(app.config["ADVICE_DIR"], env, {"force": the_force})
    app.extensions["advice"] = pages
    env.globals["advice_pages"] = pages

    digest = hashlib.sha256()
    digest.update(Path(app.config["FORCE_FILE"]).read_bytes())
    for page in pages.values():
        digest.update(page.digest.encode())
    for name, value in sorted(assets.static_files(app).hashes.items()):
        digest.update(f"{name}:{value}".encode())
    for path in sorted(Path(app.template_folder).rglob("*.html")):
        digest.update(path.read_bytes())
    app.config["CONTENT_VERSION"] = digest.hexdigest()[:12]
