"""The list of what the service worker keeps for offline use, built from the app itself.

One source of truth: the site pages, every advice page, the pages other features register
here (`register_page`), the manifest and every static file. Each entry is versioned by a hash
of its content: static files by the hash already in their URL (`?v=`), pages and the manifest
by a hash of the body the app renders for them. Rendering every page once costs a few
milliseconds per page and is done once per process (the content only changes with a
restart), and unlike a version computed from the inputs it catches every change, whatever a
page is made from.
"""
import hashlib
from typing import TypedDict

from flask import Flask
from flask.testing import FlaskClient

from .. import assets, i18n
from ..site import advice_pages, force

SITE_PAGES = ["/", "/offline", "/cookies", "/privacy"]
# The neutral look's plain first screen, kept only where the force turns it on.
PLAIN_SCREEN = "/notes"
MANIFEST_URL = "/manifest.webmanifest"
NEUTRAL_MANIFEST_URL = "/manifest-neutral.webmanifest"


class Entry(TypedDict):
    url: str
    revision: str | None  # None where the URL carries the hash
    # The language of a page (pwa/i18n.py): the worker keeps English and the languages this
    # device has read in; None for what every language shares (static files, the key).
    lang: str | None


class PrecacheError(RuntimeError):
    """A registered page cannot be kept offline (it needs a session or is per-visitor)."""


def _registry(app: Flask) -> dict[str, list[str]]:
    return app.extensions.setdefault("precache", {"pages": [], "worker_scripts": []})


def register_page(app: Flask, path: str) -> None:
    """A page (by path) that must load offline once the app has been opened once. It must
    carry no per-session secret: building the list refuses one that answers no-store."""
    pages = _registry(app)["pages"]
    if path not in pages:
        pages.append(path)


def register_worker_script(app: Flask, filename: str) -> None:
    """A static file (e.g. "js/outbox-core.js") the service worker loads with importScripts.
    It must be a classic script (no import/export) so a page can also `import` it."""
    scripts = _registry(app)["worker_scripts"]
    if filename not in scripts:
        scripts.append(filename)


def registered_pages(app: Flask) -> list[str]:
    return list(_registry(app)["pages"])


def worker_scripts(app: Flask) -> list[str]:
    return list(_registry(app)["worker_scripts"])


def page_paths(app: Flask) -> list[str]:
    """Every page the worker keeps (English paths), in order, without repeats."""
    paths = SITE_PAGES + [f"/advice/{slug}" for slug in advice_pages(app)]
    paths += registered_pages(app)
    if force(app).neutral.plain_first_screen:
        paths.append(PLAIN_SCREEN)
    return list(dict.fromkeys(paths))


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:12]


def _render(client: FlaskClient, path: str) -> bytes:
    # https: in production Talisman would redirect plain http. No cookies: what the worker
    # caches is what any first-time visitor gets.
    response = client.get(path, base_url="https://localhost")
    if response.status_code != 200:
        raise PrecacheError(f"{path} answered {response.status_code}; only pages that load "
                            "without a session can be kept offline")
    if "no-store" in response.headers.get("Cache-Control", ""):
        raise PrecacheError(f"{path} is Cache-Control: no-store (it holds something per "
                            "visitor, such as a CSRF token) and must not be kept offline")
    return response.get_data()


def build(app: Flask) -> list[Entry]:
    """[{"url", "revision", "lang"}]: revision is None where the URL carries the hash; each
    page once per language the force offers, except paths no language prefixes."""
    client = app.test_client()
    entries: list[Entry] = []
    for path in page_paths(app) + [MANIFEST_URL, NEUTRAL_MANIFEST_URL]:
        if path.startswith(i18n.UNPREFIXED):
            langs: list[str | None] = [None]
        else:
            langs = [lang.code for lang in i18n.offered(app)]
        for code in langs:
            url = i18n.path_in(code, path) if code else path
            entries.append({"url": url, "revision": content_hash(_render(client, url)),
                            "lang": code})
    files = assets.static_files(app)
    with app.test_request_context():
        entries += [{"url": files.url(name), "revision": None, "lang": None}
                    for name in sorted(files.hashes)]
    return entries


def worker_script_urls(app: Flask) -> list[str]:
    """Hashed URLs of the classic scripts the worker loads with importScripts."""
    files = assets.static_files(app)
    with app.test_request_context():
        return [files.url(name) for name in worker_scripts(app)]
