"""Private replies (issue 17): a mailbox per report, made on the device, so officers can
answer an anonymous report inside the app and nobody else can read the answer.

The device makes an RSA-OAEP key pair (its private key never leaves the device) and a random
256-bit secret, and sends with the report, beside the sealed envelope, the public key (JWK)
and the SHA-256 of the secret (`meta.mailbox`). The server never holds the secret: a device
proves it holds a mailbox by sending the secret, whose hash finds the row. The secret is
unguessable (256 bits), so a lookup by its hash is as good as a constant-time comparison:
what an index lookup's timing could reveal is about hashes an attacker cannot choose.

Messages, one table, both directions:
- an officer's reply is sealed twice: to the mailbox's public key (`for_device`, the only copy
  the device can open) and to the force's key (`sealed`, so officers can read the thread);
- a victim's answer is sealed on the device to the force's key (`sealed`), exactly once per
  Idempotency-Key, like a report.
`sealed`/`key_id`/`report_id` make every message a sealed row of its report (maintenance.py):
key rotation re-seals them and retention deletes them with the report; the mailbox goes with
the report too. Nothing here needs the force's private key except `thread()` (officers' side).
"""
import base64
import hashlib
import hmac
import json

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from .. import clock, sealing
from ..extensions import db
from .models import Mailbox, MailboxMessage  # the tables (pwa/report/models.py)
from .store import Rejected, accepted_envelope, check_key, fingerprint, parse_created_at

TO_VICTIM = "to_victim"
FROM_VICTIM = "from_victim"
# Caps: an officer's reply and a victim's answer, in characters; sealed sizes follow.
MAX_REPLY_CHARS = 5000
MAX_ANSWER_CHARS = 2000
# A sealed answer: 2,000 characters of up to 4 bytes, in JSON, base64, plus a 4096-bit key.
MAX_SEALED_ANSWER_BYTES = 16 * 1024
MAX_ANSWERS = 100  # per mailbox
MAX_REPLIES_SENT = 100  # messages a device fetches at once, newest kept
MAX_SECRET_CHARS = 128
MIN_KEY_BITS, MAX_KEY_BITS = 2048, 4096
NOT_FOUND = "No mailbox has this secret, or it has been closed."


# ---- the device's public key and secret -------------------------------------------------
def _b64url_int(text, what):
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, TypeError):
        raise _invalid(f"mailbox.key.{what} is not base64url") from None
    return int.from_bytes(raw, "big")


def _invalid(message):
    return Rejected(422, "invalid", message, field="mailbox")


def public_key_from_jwk(jwk):
    """The device's RSA-OAEP public key from its JWK, checked (size, exponent)."""
    if not isinstance(jwk, dict) or jwk.get("kty") != "RSA":
        raise _invalid("mailbox.key must be an RSA public key as a JWK")
    n, e = jwk.get("n"), jwk.get("e")
    if not isinstance(n, str) or not isinstance(e, str) or len(n) > 1024 or len(e) > 16:
        raise _invalid("mailbox.key needs n and e")
    n, e = _b64url_int(n, "n"), _b64url_int(e, "e")
    if not MIN_KEY_BITS <= n.bit_length() <= MAX_KEY_BITS or e != 65537 or n % 2 == 0:
        raise _invalid(f"mailbox.key must be {MIN_KEY_BITS} to {MAX_KEY_BITS} bits with "
                       "exponent 65537")
    try:
        return rsa.RSAPublicNumbers(e, n).public_key()
    except ValueError:
        raise _invalid("mailbox.key is not a valid RSA key") from None


def secret_hash(secret):
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def attach(report, meta):
    """Give a report being stored the mailbox its device made (`meta` is the request's
    `mailbox`, or None). Raises Rejected if it is malformed. The one intake hook."""
    if meta is None:
        return
    if not isinstance(meta, dict):
        raise _invalid("mailbox must be an object with key and secret_hash")
    digest = meta.get("secret_hash")
    if not isinstance(digest, str) or len(digest) != 64 or \
            any(c not in "0123456789abcdef" for c in digest):
        raise _invalid("mailbox.secret_hash must be the SHA-256 of the secret, 64 "
                       "lower-case hex digits")
    key = public_key_from_jwk(meta.get("key"))
    report.mailbox = Mailbox(secret_hash=digest, public_key=sealing.public_der(key),
                             key_id=sealing.key_id(key), created_at=clock.now())


def find_open(secret):
    """The open mailbox this secret belongs to, or None: unknown, wrong, malformed and
    closed secrets all look the same to the caller (one 404)."""
    if not isinstance(secret, str) or not 0 < len(secret) <= MAX_SECRET_CHARS:
        return None
    box = db.session.execute(select(Mailbox).where(
        Mailbox.secret_hash == secret_hash(secret))).scalar_one_or_none()
    if box is None or box.closed_at is not None:
        return None
    return box


# ---- the device's side (public side: no private key) --------------------------------------
def replies_for_device(box):
    """The officers' replies, each sealed to the mailbox's key, oldest first."""
    rows = db.session.execute(
        select(MailboxMessage).where(MailboxMessage.mailbox_id == box.id,
                                     MailboxMessage.direction == TO_VICTIM)
        .order_by(MailboxMessage.id.desc()).limit(MAX_REPLIES_SENT)).scalars().all()
    return [{"id": m.id, "sent_at": clock.iso(m.created_at), "message": json.loads(m.for_device)}
            for m in reversed(rows)]


def receive_answer(box, key, created_at, envelope):
    """Store a victim's answer sealed to the force's key, exactly once per key. Returns
    (message, created)."""
    key = check_key(key)
    parse_created_at(created_at)
    envelope = accepted_envelope(envelope, sealing.public_keys(), "message", "answer")
    sealed = sealing.dumps(envelope)
    if len(sealed) > MAX_SEALED_ANSWER_BYTES:
        raise Rejected(413, "too_large", f"An answer can be at most {MAX_ANSWER_CHARS} "
                       "characters.", field="message")
    # Keyed to the mailbox too: one key in two mailboxes is two answers.
    fp = fingerprint(sealed, [str(box.id).encode()])
    existing = _existing_answer(key, fp)
    if existing:
        return existing, False
    count = db.session.execute(select(db.func.count(MailboxMessage.id)).where(
        MailboxMessage.mailbox_id == box.id,
        MailboxMessage.direction == FROM_VICTIM)).scalar()
    if count >= MAX_ANSWERS:
        raise Rejected(422, "mailbox_full", "This mailbox has had as many answers as it can "
                       "take. Call 101 and give your reference.")
    message = MailboxMessage(mailbox_id=box.id, report_id=box.report_id, direction=FROM_VICTIM,
                             key_id=envelope["kid"], sealed=sealed, idempotency_key=key,
                             fingerprint=fp, created_at=clock.now())
    try:
        db.session.add(message)
        db.session.commit()
        return message, True
    except IntegrityError:
        db.session.rollback()
        existing = _existing_answer(key, fp)
        if existing:
            return existing, False
        raise


def _existing_answer(key, fp):
    row = db.session.execute(select(MailboxMessage).where(
        MailboxMessage.idempotency_key == key)).scalar_one_or_none()
    if row is None:
        return None
    if row.fingerprint is None or not hmac.compare_digest(row.fingerprint, fp):
        raise Rejected(422, "idempotency_conflict", "This Idempotency-Key was already used "
                       "for a different answer. Make a new key for a new answer.")
    return row


def close(box):
    """The victim needs no more replies: no officer can write here again, and the copies
    sealed for the device go (officers keep theirs, and the victim's answers, with the
    report)."""
    box.closed_at = clock.now()
    db.session.execute(db.update(MailboxMessage).where(
        MailboxMessage.mailbox_id == box.id, MailboxMessage.direction == TO_VICTIM)
        .values(for_device=None))
    db.session.commit()


# ---- the officers' side -----------------------------------------------------------------
class ReplyRefused(ValueError):
    """A reply that cannot be written (no mailbox, closed, empty, too long)."""


def reply(report, officer, text):
    """Seal an officer's reply to the device's key (and a copy to the force's key, for the
    thread); returns the stored message. The caller commits (with the audit entry)."""
    box = report.mailbox
    if box is None:
        raise ReplyRefused("This report has no mailbox: the person did not ask for replies "
                           "in the app.")
    if box.closed_at is not None:
        raise ReplyRefused("The person has closed their mailbox: they do not want replies.")
    text = (text or "").strip()
    if not text:
        raise ReplyRefused("Enter a reply")
    if len(text) > MAX_REPLY_CHARS:
        raise ReplyRefused(f"A reply must be {MAX_REPLY_CHARS} characters or fewer")
    device_key = serialization.load_der_public_key(box.public_key)
    body = json.dumps({"v": 1, "text": text}, ensure_ascii=False).encode("utf-8")
    keys = sealing.public_keys()
    message = MailboxMessage(
        mailbox_id=box.id, report_id=report.id, direction=TO_VICTIM, key_id=keys.current_id,
        sealed=sealing.seal_to_current(body, keys),
        for_device=sealing.dumps(sealing.seal(body, device_key)),
        officer_id=getattr(officer, "id", None), created_at=clock.now())
    db.session.add(message)
    return message


def thread(report):
    """The thread for the report page, oldest first: (message, text or None if it could
    not be read, who). Opened in memory with the force's private key."""
    if report.mailbox is None:
        return []
    rows = db.session.execute(select(MailboxMessage).where(
        MailboxMessage.report_id == report.id).order_by(MailboxMessage.id)).scalars().all()
    keyring = sealing.keyring()
    out = []
    for m in rows:
        out.append((m, _open_text(m.sealed, keyring)))
    return out


def _open_text(sealed, keyring):
    try:
        data = json.loads(sealing.unseal(sealed, keyring).decode("utf-8"))
    except (sealing.SealError, ValueError, UnicodeDecodeError):
        return None
    text = data.get("text") if isinstance(data, dict) else None
    if not isinstance(text, str) or len(text) > MAX_ANSWER_CHARS * 3:
        return None
    return text

