"""Offline use and installing: the manifest and the service worker, served from the root.

The worker (service_worker/sw.js) keeps every page and file listed by precache_list.py and
serves them with no connection; see the README's "Offline and install".
"""
import json

from flask import Blueprint, Flask, current_app, make_response, request
from werkzeug.wrappers import Response as BaseResponse

from .. import assets, i18n
from ..page_cache import public
from ..site import force
from . import manifest, worker
from .precache_list import register_page, register_worker_script

__all__ = ["bp", "init_app", "register_page", "register_worker_script"]

bp = Blueprint("offline_app", __name__)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)


def _revalidated(body: str, content_type: str) -> BaseResponse:
    # no-cache: the browser always asks, and an unchanged file costs a 304. (A weak ETag,
    # which Flask-Compress leaves as it is, so it matches whichever encoding was sent.)
    response = make_response(body)
    response.headers["Content-Type"] = content_type
    response.headers["Cache-Control"] = "no-cache"
    response.add_etag(weak=True)
    return response.make_conditional(request)


def _manifest(data: dict) -> BaseResponse:
    # The same for everyone: public, like the pages (pwa/page_cache.py).
    response = make_response(json.dumps(data, indent=1, ensure_ascii=False))
    response.headers["Content-Type"] = "application/manifest+json"
    return public(response)


@bp.get("/manifest.webmanifest")
def web_manifest() -> BaseResponse:
    data = manifest.build(force(), assets.static_files().url, lang=i18n.current())
    return _manifest(data)


@bp.get("/manifest-neutral.webmanifest")
def neutral_manifest() -> BaseResponse:
    """The neutral look's manifest (a plain name and icon), linked by the pages instead of
    the other when a person chooses it (static/js/neutral-look.js)."""
    data = manifest.build(force(), assets.static_files().url, neutral=True)
    return _manifest(data)


@bp.get("/sw.js")
def service_worker() -> BaseResponse:
    # Served from the root so its scope is the whole site.
    return _revalidated(worker.current(current_app)["body"], "text/javascript; charset=utf-8")
