"""The mailbox endpoints of the report API (/api/mailbox/…, documented in openapi.py).

Served by the public side: nothing here opens anything. The secret travels in the JSON body
(never in a URL, which proxies and logs keep). Any secret that does not name an open mailbox
(unknown, wrong, malformed, closed, or its report deleted) gets the one same 404, so nobody
without the secret can learn whether a mailbox, or a reply, exists.

Fetching and closing are exempt from the CSRF token: the secret in the body is what a page
on another site cannot have. Answers come through the device's outbox, which sends a token
like a report's.
"""
import hashlib

from flask import g, jsonify, request

from .. import clock
from ..errors import api_error
from ..extensions import csrf, limiter
from ..responses import no_store
from . import limits, mailbox, store
from .api import bp


def _body():
    if "mailbox_body" not in g:
        g.mailbox_body = request.get_json(silent=True) if request.is_json else None
    return g.mailbox_body


def _secret():
    body = _body()
    return body.get("secret") if isinstance(body, dict) else None


def _per_mailbox():
    """Rate-limit key: the secret's hash (unknown secrets each get one too, which the
    per-address limit bounds)."""
    secret = _secret()
    text = secret if isinstance(secret, str) else ""
    return "mailbox:" + hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()


def _not_found():
    return api_error(404, "not_found", mailbox.NOT_FOUND)


def _open_box():
    """(mailbox, None) or (None, the error response)."""
    if not request.is_json:
        return None, api_error(415, "unsupported_type", "Send JSON.")
    if not isinstance(_body(), dict):
        return None, api_error(400, "bad_request", "The body must be a JSON object with "
                                                   "the mailbox's secret.")
    box = mailbox.find_open(_secret())
    return (box, None) if box else (None, _not_found())


@bp.post("/mailbox/messages")
@csrf.exempt
@limiter.limit(limits.mailbox_attempts, scope="mailbox-attempt")
@limiter.limit(limits.mailbox_fetches, key_func=_per_mailbox, scope="mailbox-fetch")
def mailbox_messages():
    """The officers' replies, sealed to the mailbox's key."""
    box, error = _open_box()
    if error:
        return error
    return no_store(jsonify(messages=mailbox.replies_for_device(box)))


@bp.post("/mailbox/close")
@csrf.exempt
@limiter.limit(limits.mailbox_attempts, scope="mailbox-attempt")
@limiter.limit(limits.mailbox_fetches, key_func=_per_mailbox, scope="mailbox-fetch")
def mailbox_close():
    """"I don't need replies any more"."""
    box, error = _open_box()
    if error:
        return error
    mailbox.close(box)
    return no_store(jsonify(closed=True))


@bp.post("/mailbox/answers")
@limiter.limit(limits.mailbox_attempts, scope="mailbox-attempt")
@limiter.limit(limits.mailbox_answers, key_func=_per_mailbox, scope="mailbox-answer",
               deduct_when=lambda r: g.get("answer_created", False))
def mailbox_answer():
    """A victim's answer, sealed on the device to the force's key; exactly once per key."""
    box, error = _open_box()
    if error:
        return error
    body = _body()
    try:
        key = store.parse_key(request.headers.get("Idempotency-Key"))
        message, created = mailbox.receive_answer(box, key, body.get("created_at"),
                                                  body.get("message"))
    except store.Rejected as err:
        return api_error(err.status, err.code, err.message, **err.extra)
    g.answer_created = created
    response = jsonify(received_at=clock.iso(message.created_at))
    response.status_code = 201
    if not created:
        response.headers["Idempotent-Replayed"] = "true"
    return no_store(response)
