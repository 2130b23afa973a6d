"""What every page knows: the force, the advice pages and the content version.

Loaded once in create_app() and kept on the app; the templates see them as globals.
"""
import hashlib
from pathlib import Path

from flask import Flask, current_app, render_template
from markupsafe import Markup

from . import assets, content, force as force_file, i18n


def force(app: Flask | None = None) -> force_file.Force:
    """The force file, loaded (the current app's by default)."""
    return (app or current_app).extensions["force"]


def advice_pages(app: Flask | None = None,
                 lang: str | None = None) -> dict[str, content.AdvicePage]:
    """{slug: AdvicePage}, in order, in the reader's language (or `lang`): a page not yet
    translated is the English one (its `lang` says so). The current app's by default."""
    from .i18n import current

    return (app or current_app).extensions["advice"][lang or current().code]


def init_app(app: Flask) -> None:
    the_force = force_file.load(app.config["FORCE_FILE"])
    app.extensions["force"] = the_force
    env = app.jinja_env
    env.globals["force"] = the_force

    def number(key: str) -> Markup:
        num = the_force.numbers[key]
        return Markup(render_template("partials/number.html", number=num))

    def service(service_id: str) -> Markup:
        try:
            svc = the_force.service(service_id)
        except KeyError:
            raise content.ContentError(f"service({service_id!r}) is not in the force file")
        return Markup(render_template("partials/service.html", service=svc))

    env.globals["number"] = number
    env.globals["service"] = service

    i18n.init_app(app)
    by_lang: dict[str, dict[str, content.AdvicePage]] = {}
    for lang in i18n.offered(app):
        # Rendered as a request in that language, so numbers and services read in it too.
        prefix = "" if lang.code == i18n.DEFAULT else f"/{lang.code}"
        with app.app_context(), app.test_request_context(
                "/", base_url=f"http://localhost{prefix}",
                environ_overrides={i18n.ENVIRON_KEY: lang.code}):
            by_lang[lang.code] = content.load_language(
                app.config["ADVICE_DIR"], lang.code, env, {"force": the_force},
                english=by_lang.get(i18n.DEFAULT))
    app.extensions["advice"] = by_lang

    digest = hashlib.sha256()
    digest.update(Path(app.config["FORCE_FILE"]).read_bytes())
    for pages in by_lang.values():
        for page in pages.values():
            digest.update(page.digest.encode())
    for path in sorted(i18n.TRANSLATIONS.rglob("*.po")):
        digest.update(path.read_bytes())
    for name, value in sorted(assets.static_files(app).hashes.items()):
        digest.update(f"{name}:{value}".encode())
    assert app.template_folder is not None  # create_app names it
    for path in sorted(Path(app.template_folder).rglob("*.html")):
        digest.update(path.read_bytes())
    app.config["CONTENT_VERSION"] = digest.hexdigest()[:12]
