"""The page cache: pages that are the same for everyone, kept whole in the app (flask-caching)
and sent with validators and a `Cache-Control` that a shared cache (the shipped nginx,
deploy/nginx/) and the browser may use.

A page is public only if it holds nothing per visitor: no session, no CSRF token, no officer.
`cached_page` marks the views that qualify; `init_app` adds a last check that turns any
response that touched the session or sets a cookie back into `private, no-store`, whatever a
view said, so a mistake can cost speed but never leak one person's page to another.
"""
import functools
from typing import Any, Callable

from flask import Flask, current_app, make_response, request
from flask.globals import request_ctx
from werkzeug.wrappers import Response

from .extensions import cache

# Short, so a change reaches everyone within minutes of a restart; a shared cache may serve a
# stale copy for a while longer while it fetches the new one (nginx's background update).
PUBLIC = "public, max-age=60, stale-while-revalidate=300"
PRIVATE = "private, no-store"


def content_version() -> str:
    """A hash of everything a cached page is made from (pwa/site.py computes it at start).
    It keys the page cache, so a shared Redis cache never serves pages from an older force
    file, and versions the precache."""
    return current_app.config["CONTENT_VERSION"]


def public(response: Response) -> Response:
    """Mark a response as the same for everyone: cacheable by shared caches, with an ETag,
    answering a matching conditional request with 304. The ETag is weak, which Flask-Compress
    leaves alone, so one validator serves every content encoding of the page."""
    response.headers["Cache-Control"] = PUBLIC
    response.add_etag(weak=True)
    return response.make_conditional(request)


def cached_page(view: Callable[..., str]) -> Callable[..., Response]:
    """Cache a whole rendered page by path and content version, and send it as `public`. Only
    for pages that hold nothing per-session or per-request (no CSRF token, no user), which the
    CSP makes easy: there is no nonce to go stale."""
    kept = cache.cached(
        # script_root holds the language prefix (/cy): one entry per page per language.
        key_prefix=lambda: f"page:{content_version()}:{request.script_root}{request.path}",
        # Views return the rendered text; anything else (a redirect, an error) is not kept.
        response_filter=lambda rv: isinstance(rv, str),
    )(view)

    @functools.wraps(view)
    def serve(*args: Any, **kwargs: Any) -> Response:
        rv = kept(*args, **kwargs)
        if not isinstance(rv, str):
            return make_response(rv)
        return public(make_response(rv))

    return serve


def is_public(response: Response) -> bool:
    return "public" in response.headers.get("Cache-Control", "")


def _session_touched() -> bool:
    """Whether this request read or wrote the session, without touching it ourselves: since
    Flask 3.1.3 any use of the `session` proxy (even reading `.accessed`) marks it accessed,
    which would add `Vary: Cookie` to every response."""
    ctx = request_ctx._get_current_object()  # type: ignore[attr-defined]
    held = getattr(ctx, "_session", None)
    if held is None:  # an older Flask: the attribute itself, unmarked
        held = ctx.session
    return bool(held.accessed or held.modified)


def init_app(app: Flask) -> None:
    @app.after_request
    def never_public_with_a_session(response: Response) -> Response:
        # App-wide after_request functions run after every blueprint's and before the session
        # is saved: a session read or written here means the body may be this visitor's.
        if is_public(response) and (_session_touched() or "Set-Cookie" in response.headers):
            response.headers["Cache-Control"] = PRIVATE
            response.headers.add("Vary", "Cookie")
        return response
