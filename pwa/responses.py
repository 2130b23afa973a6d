"""Small helpers for responses that more than one feature sends."""
from flask import Response


def no_store(response: Response) -> Response:
    """Mark a response never to be kept: not by the browser's cache, a proxy or the service
    worker. For anything per-visitor (a CSRF token, answers, an officer's page) or that must
    always be fresh (health checks)."""
    response.headers["Cache-Control"] = "no-store"
    return response
