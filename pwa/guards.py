"""Guards against what strangers send, shared by every route.

- `loads()`: JSON parsing where input nested too deeply for the parser (`[` x 100,000) is
  malformed JSON like any other (json raises RecursionError, which is not a ValueError).
- A multipart part without a `name` is refused with 400 before Flask-WTF's CSRF check, which
  otherwise fails inside the library on every CSRF-protected POST (API and pages alike).
"""
import json
from typing import Any

from flask import Flask, abort, request
from flask.json.provider import DefaultJSONProvider


def loads(data: str | bytes, **kwargs: Any) -> Any:
    """json.loads for untrusted text or bytes: raises ValueError for anything unreadable."""
    try:
        return json.loads(data, **kwargs)
    except RecursionError:
        raise ValueError("JSON is nested too deeply") from None


class JSONProvider(DefaultJSONProvider):
    """Flask's JSON, with request bodies parsed by `loads` (so get_json(silent=True) gives
    None rather than a 500 for a body nested too deeply)."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return loads(s, **kwargs)


def refuse_nameless_parts() -> None:
    if request.mimetype != "multipart/form-data":
        return
    if None in request.form or None in request.files:
        abort(400, "Every part of a multipart body needs a name.")


def init_app(app: Flask) -> None:
    """Call before CSRFProtect.init_app: before_request functions run in registration order."""
    app.json = JSONProvider(app)
    app.before_request(refuse_nameless_parts)
