"""Receiving a report: check what can be checked without opening it, store it sealed,
exactly once per key.

Both paths end here: the device's sealed report (POST /api/reports) and the no-JS form (the
public side seals the answers itself, to the public key, as a device does). Intake needs no
private key: it checks the envelopes' shape, their key ids, sizes, the number of
attachments and the idempotency key, and fingerprints the bytes as received. What is stored
is the envelope as received, the sealed attachments as received, the reference and the two
times; nothing about the sender's device or connection.

Opening (the answers against steps.py, each screenshot's image check, the safeguarding
flags) is pwa/report/opening.py's, wherever the private key is: on the officers' side after
storing, or, in the all-in-one process that holds the key anyway, before storing, so a
device hears at once about a report that breaks the rules (as it always has).

Exactly once: the report row and its attachment rows are inserted in one transaction, and
`reports.idempotency_key` is unique. Two requests with one key race to insert; the database
makes the loser wait for the winner's commit (PostgreSQL blocks on the unique index, SQLite
on its write lock) and then fail with IntegrityError, after which the loser reads the
winner's row: same fingerprint → the same reference (200), different → idempotency_conflict.
If the winner holds its lock longer than the lock timeout, the loser answers 409 in_progress
and the device tries again later.
"""
import datetime
import hashlib
import hmac
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import http_sf
from flask import current_app
# A refusal the person sees is in the report's language (the outbox sends it as
# Accept-Language, pwa/i18n.py); messages for client developers stay English.
from flask_babel import gettext
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError, OperationalError

from .. import clock, sealing
from ..extensions import app_object, db
from ..models import Attachment, Report
from . import sealed_files
from .steps import MAX_ATTACHMENTS

# No 0/O, 1/I: easy to read out over the phone.
ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
MAX_KEY_LENGTH = 64
LOCK_TIMEOUT_MS = 10_000
# The largest sealed report accepted, checked before anything is unsealed. The largest report
# the rules allow (every answer at its longest in 4-byte characters, JSON-escaped: about
# 232 KB) seals to about 310 KB; tests/test_limits.py keeps this true.
MAX_SEALED_REPORT_BYTES = 512 * 1024
# A device's clock may be wrong; a report "written" further ahead than this is refused.
CREATED_AT_FUTURE_TOLERANCE = datetime.timedelta(hours=24)


class Rejected(Exception):
    """A report that is not stored; becomes an API error or a form message."""

    def __init__(self, status: int, code: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.extra = status, code, message, extra


@dataclass(frozen=True)
class Receipt:
    reference: str
    received_at: datetime.datetime
    created: bool  # False for a replay of a report already stored

    def as_dict(self) -> dict[str, str | None]:
        return {"reference": self.reference, "received_at": clock.iso(self.received_at)}


def new_reference() -> str:
    pick = lambda n: "".join(secrets.choice(ALPHABET) for _ in range(n))  # noqa: E731
    return f"SX-{pick(4)}-{pick(4)}"


def parse_key(header: str | None) -> str:
    """The Idempotency-Key header's value. The IETF draft (httpapi, -07) makes it a Structured
    Field string, `"8e03…"`; devices (ours included) also send the bare key, `8e03…`. Both
    name the same key. A quoted value is parsed by http_sf (escapes, allowed characters);
    parameters after it are ignored, as the draft defines none."""
    value = (header or "").strip()
    if value.startswith('"'):
        try:
            parsed: Any = http_sf.parse(value.encode("ascii"), tltype="item")
            item, _params = parsed
        except (UnicodeEncodeError, http_sf.StructuredFieldError):
            raise Rejected(400, "idempotency_key_invalid",
                           "The Idempotency-Key is quoted but is not a valid string: use "
                           'the bare key, or "key" with \\ before any " or \\ inside.') from None
        if not isinstance(item, str):
            raise Rejected(400, "idempotency_key_invalid", "The Idempotency-Key must be a string.")
        value = item
    return check_key(value)


def check_key(key: str | None) -> str:
    if not key:
        raise Rejected(400, "idempotency_key_missing",
                       "The Idempotency-Key header is required (a random UUID per report).")
    if len(key) > MAX_KEY_LENGTH or not key.isascii() or not key.isprintable():
        raise Rejected(400, "idempotency_key_invalid",
                       f"The Idempotency-Key must be up to {MAX_KEY_LENGTH} printable "
                       "ASCII characters.")
    return key


def parse_created_at(value: object) -> datetime.datetime:
    """The device's own time of writing; stored as given (in UTC), never trusted for order."""
    if not isinstance(value, str):
        raise Rejected(422, "invalid", "created_at must be an ISO 8601 date and time",
                       field="created_at")
    try:
        when = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
        if when.tzinfo is None:
            when = when.replace(tzinfo=datetime.timezone.utc)
        # At the calendar's edges (9999-12-31T23:59:59-14:00) UTC is outside it.
        when = when.astimezone(datetime.timezone.utc)
    except (ValueError, OverflowError):
        raise Rejected(422, "invalid", "created_at must be an ISO 8601 date and time",
                       field="created_at") from None
    if when > datetime.datetime.now(datetime.timezone.utc) + CREATED_AT_FUTURE_TOLERANCE:
        raise Rejected(422, "invalid", "This phone's date and time look wrong (more than a day "
                       "ahead). Correct them in the phone's settings.", field="created_at",
                       rule="too_late")
    return when


def fingerprint(report_bytes: bytes, attachment_blobs: Iterable[bytes]) -> str:
    """A keyed hash of the sealed bytes as received: tells a retry (the device seals once and
    resends the same bytes) from a different report under one key, reveals nothing without
    SECRET_KEY, and needs no private key."""
    key = current_app.config["SECRET_KEY"].encode()
    body = hashlib.sha256(report_bytes).hexdigest() + "\n" + ",".join(
        hashlib.sha256(blob).hexdigest() for blob in attachment_blobs)
    return hmac.new(key, body.encode(), hashlib.sha256).hexdigest()


def accepted_envelope(envelope: object, keys: sealing.PublicKeys, field: str,
                      what: str) -> sealing.Envelope:
    """A sealed envelope's shape and key id, checked without opening it (a report, a mailbox
    answer); `what` names it in the message."""
    try:
        envelope = sealing.parse_envelope(envelope)
    except sealing.SealError:
        raise Rejected(422, "sealed_invalid", f"The {what} is not a sealed envelope.",
                       field=field) from None
    if not keys.accepts(envelope["kid"]):
        raise Rejected(422, "sealed_invalid", f"The {what} was sealed with a key this service "
                       "no longer accepts. Reload the page and send it again.", field=field)
    return envelope


def check_sealed(envelope: object, blobs: Sequence[bytes],
                 keys: sealing.PublicKeys) -> tuple[sealing.Envelope, list[str]]:
    """What intake checks without opening: the report envelope's shape, key id and size, and
    each attachment's count, size, shape and key id. Returns the envelope as a dict and the
    attachments' key ids (each attachment parsed once: they can be megabytes)."""
    envelope = accepted_envelope(envelope, keys, "report", "report")
    if len(sealing.dumps(envelope)) > MAX_SEALED_REPORT_BYTES:
        raise Rejected(413, "too_large", "The report is larger than any report can be.",
                       field="report")
    if len(blobs) > MAX_ATTACHMENTS:
        raise attachment_error(f"You can attach up to {MAX_ATTACHMENTS} screenshots",
                               rule="too_many")
    kids = []
    for i, blob in enumerate(blobs):
        if len(blob) > sealed_files.MAX_SEALED_BYTES:
            raise attachment_error("Each screenshot must be 10 MB or smaller",
                                   rule="too_large", index=i)
        try:
            kid = sealing.parse_envelope(blob)["kid"]
        except sealing.SealError:
            raise attachment_error(gettext("A screenshot could not be opened. Attach it again."),
                                   index=i) from None
        if not keys.accepts(kid):
            raise attachment_error("A screenshot was sealed with a key this service no "
                                   "longer accepts. Attach it again.", index=i)
        kids.append(kid)
    return envelope, kids


def attachment_error(message: str, rule: str = "invalid",
                     index: int | None = None) -> Rejected:
    extra: dict[str, Any] = {"field": "attachments", "step": "evidence", "rule": rule}
    if index is not None:
        extra["index"] = index
    return Rejected(422, "attachment_invalid", message, **extra)


def _existing(key: str, fp: str) -> Receipt | None:
    row = db.session.execute(
        select(Report.reference, Report.received_at, Report.fingerprint)
        .where(Report.idempotency_key == key)).one_or_none()
    if row is None:
        return None
    if not hmac.compare_digest(row.fingerprint, fp):
        raise Rejected(422, "idempotency_conflict",
                       "This Idempotency-Key was already used for a different report. "
                       "Make a new key for a new report.")
    return Receipt(row.reference, row.received_at, created=False)


def is_exact_replay(key: str, envelope: object, attachment_blobs: Sequence[bytes] = ()) -> bool:
    """Whether this is byte for byte the report stored under `key` (envelope and sealed
    attachment sizes), decided without unsealing anything."""
    report = db.session.execute(select(Report).where(Report.idempotency_key == key)
                                ).scalar_one_or_none()
    if report is None:
        return False
    try:
        sealed = sealing.dumps(sealing.parse_envelope(envelope))
    except (sealing.SealError, TypeError, ValueError):
        return False
    return hmac.compare_digest(sealed, report.sealed) and \
        [a.size for a in report.attachments] == [len(b) for b in attachment_blobs]


def stored_receipt(key: str) -> Receipt | None:
    """The receipt of the report stored under this key, or None (no content check: for the
    server's own no-JS form, whose progress row holds the key)."""
    row = db.session.execute(select(Report.reference, Report.received_at)
                             .where(Report.idempotency_key == key)).one_or_none()
    return Receipt(row.reference, row.received_at, created=False) if row else None


def check_language(language: object) -> str:
    """The language the report was written in: a code the app ships (English if absent).
    Not content: stored plain at intake, so officers can arrange an interpreter."""
    from ..i18n import DEFAULT, SHIPPED

    if language is None:
        return DEFAULT
    if not isinstance(language, str) or language not in SHIPPED:
        raise Rejected(422, "invalid", "The language must be one of: "
                       f"{', '.join(SHIPPED)}.", field="language")
    return language


def receive(key: str | None, created_at: object, envelope: object,
            attachment_blobs: Iterable[bytes] = (), language: object = None,
            mailbox: object = None) -> Receipt:
    """Check and store one report; returns a Receipt or raises Rejected. `mailbox` is the
    device's private-replies mailbox (public key and secret hash, pwa/report/mailbox.py)."""
    key = check_key(key)
    language = check_language(language)
    created = parse_created_at(created_at)
    attachment_blobs = list(attachment_blobs)
    envelope, attachment_kids = check_sealed(envelope, attachment_blobs,
                                             sealing.public_keys())
    sealed = sealing.dumps(envelope)
    fp = fingerprint(sealed, attachment_blobs)
    opened = None
    if sealing.holds_private_key():
        # The all-in-one process: open now, and refuse a report that breaks the rules.
        from . import opening

        opened = opening.open_sealed(envelope, attachment_blobs, sealing.keyring())
        opened.raise_first_problem()

    # A replay costs no write at all.
    receipt = _existing(key, fp)
    if receipt:
        return receipt

    from . import mailbox as mailboxes  # (it imports this module)

    app = app_object()
    stored = [sealed_files.write(app, blob) for blob in attachment_blobs]
    try:
        for _ in range(5):
            report = Report(
                reference=new_reference(), idempotency_key=key, fingerprint=fp,
                key_id=envelope["kid"], sealed=sealed, created_at=created,
                received_at=datetime.datetime.now(datetime.timezone.utc), state="received",
                language=language)
            if opened is not None:
                opened.apply(report)
            mailboxes.attach(report, mailbox)  # in the report's transaction: once per key
            for position, (name, kid, blob) in enumerate(
                    zip(stored, attachment_kids, attachment_blobs)):
                report.attachments.append(Attachment(position=position, key_id=kid,
                                                     stored_name=name, size=len(blob)))
            try:
                _limit_lock_wait()
                db.session.add(report)
                db.session.commit()
                return Receipt(report.reference, report.received_at, created=True)
            except IntegrityError:
                db.session.rollback()
                receipt = _existing(key, fp)
                if receipt:
                    sealed_files.remove(app, stored)
                    return receipt
                # Not our key: the reference collided (about 1 in 10^12). Draw another.
        raise RuntimeError("could not draw a free reference")
    except OperationalError:
        # The other request for this key still holds the lock: let the device retry.
        db.session.rollback()
        sealed_files.remove(app, stored)
        raise Rejected(409, "in_progress",
                       gettext("This report is being received right now. Try again "
                               "shortly.")) from None
    except BaseException:
        db.session.rollback()
        sealed_files.remove(app, stored)
        raise


def _limit_lock_wait() -> None:
    """Wait at most LOCK_TIMEOUT_MS for another transaction holding this key (PostgreSQL;
    SQLite's busy timeout plays the same part)."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text(f"SET LOCAL lock_timeout = {LOCK_TIMEOUT_MS}"))
