"""The report feature's JSON API, which the form's outbox talks to (documented at
/api/openapi.json by pwa/report/openapi.py)."""
from typing import Any

from flask import Blueprint, Response, g, jsonify, request
from flask_wtf.csrf import CSRFError, generate_csrf

from .. import guards, sealing
from ..errors import api_error
from ..extensions import db, limiter
from ..models import Report
from ..responses import no_store
from . import limits, openapi, store
from .sealed_files import MAX_SEALED_BYTES
from .steps import MAX_ATTACHMENTS

bp = Blueprint("api", __name__, url_prefix="/api")

# The whole request: the report, its meta and the most attachments, sealed (base64 inflates).
MAX_REQUEST_BYTES = MAX_ATTACHMENTS * MAX_SEALED_BYTES + 1024 * 1024


@bp.errorhandler(CSRFError)
def csrf_failed(err: CSRFError) -> Response:
    # 403 (Flask-WTF says 400): the device fetches a fresh token and tries again.
    return api_error(403, "csrf_failed", "The security token was missing or has expired. "
                     "Fetch a new one from /api/csrf and try again.")


@bp.get("/csrf")
def csrf_token() -> Response:
    """A fresh token for one delivery attempt (and the session cookie it is tied to)."""
    return no_store(jsonify(token=generate_csrf()))


@bp.get("/report-key")
def report_key() -> Response:
    """The force's public key as a JWK: precached, so a report can be sealed offline."""
    response = jsonify(sealing.public_keys().public_jwk())
    # Short, so a rotated key reaches devices soon; the service worker refreshes it online.
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@bp.get("/openapi.json")
def openapi_document() -> Response:
    return jsonify(openapi.document())


def _replay_of_stored_report() -> bool:
    """A retry of a report already stored is answered from the database and must not be
    refused by the new-report limit: the device only wants its reference back."""
    # Asked by three limits per request: look once.
    if "stored_replay" not in g:
        key = _key_or_none()
        g.stored_replay = bool(key) and db.session.execute(
            db.select(Report.id).where(Report.idempotency_key == key)).first() is not None
    return g.stored_replay


def _exact_replay() -> bool:
    """The stored report's own bytes again (what a device's outbox retries): free of the
    attempt limit. Anything else under a stored key (different content, 422
    idempotency_conflict, or the same content sealed again) costs an unseal, so it counts."""
    if "exact_replay" not in g:
        g.exact_replay = False
        key = _key_or_none()
        if key and _replay_of_stored_report():
            try:
                meta, blobs = _read_body()
                g.exact_replay = store.is_exact_replay(key, meta.get("report"), blobs)
            except store.Rejected:
                pass
    return g.exact_replay


def _not_a_replay() -> bool:
    return not _replay_of_stored_report()


def _key_or_none() -> str | None:
    """The request's key in either form (quoted or bare), or None if it has none or a bad one
    (the view then answers 400)."""
    try:
        return store.parse_key(request.headers.get("Idempotency-Key"))
    except store.Rejected:
        return None


def _idempotency_key() -> str:
    return "replay:" + (_key_or_none() or "")


# Per client address (kept in memory or Redis, never stored with a report): new reports
# (only a 201 counts, so failures, retries and 409s do not use it up) and all attempts
# (bounds the unsealing work a client can ask for). A retry of a report already stored is
# not held to either, so a device that lost its answer always gets its reference back;
# those retries are limited per key instead, so a known key is no way around the limits.
@bp.post("/reports")
@limiter.limit(limits.new_reports, deduct_when=lambda r: g.get("report_created", False),
               exempt_when=_replay_of_stored_report, scope="report-new")
@limiter.limit(limits.attempts, exempt_when=_exact_replay, scope="report-attempt")
@limiter.limit(limits.replays, key_func=_idempotency_key, exempt_when=_not_a_replay,
               scope="report-replay")
def create_report() -> Response:
    try:
        key = store.parse_key(request.headers.get("Idempotency-Key"))
        meta, blobs = _read_body()
        receipt = store.receive(key, meta.get("created_at"), meta.get("report"), blobs,
                                language=meta.get("language"), mailbox=meta.get("mailbox"))
    except store.Rejected as err:
        return api_error(err.status, err.code, err.message, **err.extra)
    # A replay repeats the original answer, 201 and the same body (the IETF draft's advice; the
    # device treats 200 and 201 alike, as delivered). It says it is a replay in a header.
    g.report_created = receipt.created
    response = jsonify(receipt.as_dict())
    response.status_code = 201
    if not receipt.created:
        response.headers["Idempotent-Replayed"] = "true"
    return no_store(response)


def _read_body() -> tuple[dict[str, Any], list[bytes]]:
    """JSON `{"created_at", "report"}`, or multipart with that JSON in part `meta` and one
    sealed envelope per `attachment` part. Read once per request (the limits look too)."""
    if "report_body" not in g:
        try:
            g.report_body = _parse_body()
        except store.Rejected as err:
            g.report_body = err
    if isinstance(g.report_body, store.Rejected):
        raise g.report_body
    return g.report_body


def _parse_body() -> tuple[dict[str, Any], list[bytes]]:
    if request.mimetype == "multipart/form-data":
        meta_text = request.form.get("meta")
        if meta_text is None and "meta" in request.files:
            meta_text = request.files["meta"].read().decode("utf-8", "replace")
        blobs = [part.read() for part in request.files.getlist("attachment")]
        try:
            meta = guards.loads(meta_text or "")
        except ValueError:
            meta = None
    elif request.is_json:
        meta = request.get_json(silent=True)
        blobs = []
    else:
        raise store.Rejected(415, "unsupported_type",
                             "Send JSON, or multipart/form-data when there are attachments.")
    if not isinstance(meta, dict):
        raise store.Rejected(400, "bad_request",
                             "The body must be JSON with created_at and report.")
    return meta, blobs
