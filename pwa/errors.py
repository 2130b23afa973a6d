"""Error handlers: JSON with a stable code for the API, a friendly page for people."""
from typing import Any

from flask import Flask, Response, current_app, jsonify, make_response, render_template, request
from flask_babel import gettext
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from .responses import no_store

# Stable codes for API clients; the message is for people and may change.
CODES = {
    400: "bad_request", 401: "unauthorised", 403: "forbidden", 404: "not_found",
    405: "method_not_allowed", 409: "conflict", 413: "too_large", 415: "unsupported_type",
    422: "invalid", 429: "rate_limited", 500: "server_error", 503: "unavailable",
}

TEMPLATES = {404: "errors/404.html", 429: "errors/429.html"}


def wants_json() -> bool:
    return request.path.startswith("/api/")


def api_error(status: int, code: str, message: str, **extra: Any) -> Response:
    """The API's error: JSON with a stable code, never cached, with its status (as microblog's
    error_response)."""
    response = jsonify({"error": {"code": code, "message": message, **extra}})
    response.status_code = status
    return no_store(response)


def handle_http(err: HTTPException) -> Response:
    status = err.code or 500
    if isinstance(err, CSRFError):
        code, message = "csrf_failed", gettext(
            "The security token was missing or has expired. Try again.")
    else:
        code, message = CODES.get(status, "error"), err.description or ""
    if wants_json():
        response = api_error(status, code, message)
    else:
        template = TEMPLATES.get(status, "errors/500.html" if status >= 500 else "errors/4xx.html")
        response = make_response(render_template(template, status=status), status)
    # What the exception itself says in headers (405's Allow, 429's Retry-After...).
    for name, value in err.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def handle_unexpected(err: Exception) -> Response:
    # The traceback goes to the log (it never holds report contents: those stay sealed);
    # the person sees the friendly page. Tests see the real exception.
    if current_app.testing:
        raise err
    current_app.logger.error("Unhandled error on %s %s", request.method, request.path,
                             exc_info=err)
    return handle_http(InternalServerError())


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, handle_http)
    app.register_error_handler(Exception, handle_unexpected)
