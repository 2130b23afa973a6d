"""A no-JavaScript report in progress: encrypted in the database, its key in the session.

Readable by neither the database nor the public side alone: the answers so far are
encrypted (AES-256-GCM) with a random key made for this report that lives only in the
victim's session cookie (signed, HttpOnly, SameSite=Strict; the cookie is limited to about
4 KB, so the answers themselves stay in the database). The server can show "Check your
answers" to the person holding that cookie and to nobody else; when the cookie goes, the
row is unreadable and is deleted after REPORT_PROGRESS_HOURS. Uploaded screenshots are
sealed to the force's public key at once, as a device does. "Send report" seals the answers
to the public key too (pwa/report/__init__.py).

Once the report is sent, its row stays as a marker until it expires: answers and files are
gone (`sealed` is empty), and its idempotency key finds the stored report. So the cookie never
holds the reference (nothing readable about a report), and a second "Send report" (double
click, back button, several tabs at once) finds the same reference instead of an error.
"""
import base64
import binascii
import datetime
import json
import secrets
import uuid
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import Flask, Request, current_app, session
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import BadSignature

from .. import clock, sealing
from ..extensions import app_object, db
from ..models import FormProgress
from . import sealed_files
from .steps import Answers

SESSION_KEY = "report_progress"
# The progress's encryption key, base64: only ever in the session cookie.
SESSION_SECRET = "report_progress_key"


class Progress:
    def __init__(self, row: FormProgress, answers: Answers) -> None:
        self.row, self.answers = row, answers

    @property
    def files(self) -> list[str]:
        return list(self.row.files or [])

    @property
    def idempotency_key(self) -> str:
        return self.row.idempotency_key

    @property
    def created_at(self) -> datetime.datetime:
        return self.row.created_at


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, readable for as long as progress is kept.

    Flask refuses a cookie signed longer ago than PERMANENT_SESSION_LIFETIME (15 minutes, for
    officers) even when the session is not permanent: a person writing a long answer without
    JavaScript would come back to no progress and no CSRF token. Reading allows the longer of
    the two; officers' sessions still end after their idle minutes (their blueprint checks a
    last-seen time on every request), and the progress itself after REPORT_PROGRESS_HOURS.
    """

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return self.session_class()
        max_age = max(app.permanent_session_lifetime.total_seconds(),
                      app.config["REPORT_PROGRESS_HOURS"] * 3600)
        try:
            return self.session_class(serializer.loads(value, max_age=int(max_age)))
        except BadSignature:
            return self.session_class()


def _ttl() -> datetime.timedelta:
    return datetime.timedelta(hours=current_app.config["REPORT_PROGRESS_HOURS"])


def _encrypt(key: bytes, row_id: str, answers: Answers) -> bytes:
    plain = json.dumps(answers, separators=(",", ":")).encode()
    return sealing.lock(key, plain, bound_to=row_id.encode())


def _decrypt(key: bytes, row_id: str, data: bytes) -> Any:
    """The answers, or None if this key does not open them."""
    try:
        plain = sealing.unlock(key, data, bound_to=row_id.encode())
        return json.loads(plain)
    except (InvalidTag, ValueError):
        return None


def _session_key() -> bytes | None:
    try:
        key = base64.urlsafe_b64decode(session.get(SESSION_SECRET) or "")
    except (binascii.Error, ValueError, TypeError):
        return None
    return key if len(key) == 32 else None


def load() -> Progress | None:
    """The current visitor's progress, or None (none started, expired or cleaned up)."""
    pid = session.get(SESSION_KEY)
    if not pid:
        return None
    row = db.session.get(FormProgress, pid)
    if row is None:
        return None
    if _expired(row):
        discard(row)
        return None
    if is_sent(row):
        return None  # sent: whatever comes next is a new report
    key = _session_key()
    answers = _decrypt(key, row.id, row.sealed) if key else None
    if answers is None:
        # Not this cookie's progress (or its key is gone): nobody can read it now.
        discard(row)
        return None
    return Progress(row, answers)


def is_sent(row: FormProgress) -> bool:
    return not row.sealed


def sent_row() -> FormProgress | None:
    """This visitor's sent report marker (a row with no answers), or None."""
    pid = session.get(SESSION_KEY)
    row = db.session.get(FormProgress, pid) if pid else None
    if row is None or not is_sent(row) or _expired(row):
        return None
    return row


def _expired(row: FormProgress) -> bool:
    return row.updated_at < clock.now() - _ttl()


def mark_sent(pid: str, file_names: list[str]) -> None:
    """Forget the answers and files of a sent report, keeping the row as a marker. Safe when
    another request for the same progress does the same at the same time. The answers' key
    leaves the cookie: there is nothing left for it to open."""
    session.pop(SESSION_SECRET, None)
    sealed_files.remove(app_object(), file_names)
    db.session.execute(db.update(FormProgress).where(FormProgress.id == pid)
                       .values(sealed=b"", files=[], updated_at=clock.now()))
    db.session.commit()


def save(progress: Progress | None, answers: Answers,
         file_names: list[str] | None = None) -> Progress:
    """Seal and store the answers (a new row on first save); returns the Progress."""
    if progress is None:
        cleanup_expired()
        row = FormProgress(id=secrets.token_urlsafe(32), idempotency_key=str(uuid.uuid4()),
                           sealed=b"", files=[])
        db.session.add(row)
        session[SESSION_KEY] = row.id
        session[SESSION_SECRET] = base64.urlsafe_b64encode(
            AESGCM.generate_key(bit_length=256)).decode()
    else:
        row = progress.row
        session.modified = True  # a fresh cookie signature: its age counts from now
    key = _session_key()
    assert key is not None  # made above for a new row; load() opened this one with it
    row.sealed = _encrypt(key, row.id, answers)
    if file_names is not None:
        row.files = list(file_names)
    row.updated_at = clock.now()
    db.session.commit()
    return Progress(row, answers)


def add_file(plain_bytes: bytes) -> str:
    """Seal an uploaded image to disk at once; returns its random name."""
    return sealed_files.write(app_object(),
                              sealing.seal_to_current(plain_bytes))


def discard(row: FormProgress | None = None) -> None:
    """Forget the progress: its row, its files and the id in the session."""
    if row is None:
        pid = session.get(SESSION_KEY)
        row = db.session.get(FormProgress, pid) if pid else None
    session.pop(SESSION_KEY, None)
    session.pop(SESSION_SECRET, None)
    if row is not None:
        pid, names = row.id, list(row.files or [])
        sealed_files.remove(app_object(), names)
        # By id, not by object: another request may have deleted it already.
        db.session.execute(db.delete(FormProgress).where(FormProgress.id == pid))
        db.session.commit()


def cleanup_expired(now: datetime.datetime | None = None) -> int:
    """Delete progress nobody has touched for REPORT_PROGRESS_HOURS; returns how many."""
    cutoff = (now or clock.now()) - _ttl()
    rows = db.session.execute(
        db.select(FormProgress).where(FormProgress.updated_at < cutoff)).scalars().all()
    app = app_object()
    for row in rows:
        sealed_files.remove(app, row.files or [])
        db.session.delete(row)
    if rows:
        db.session.commit()
    return len(rows)


def remove_orphan_files(min_age_seconds: float = 3600) -> int:
    """Delete sealed files no report or progress refers to (left by a crash between writing
    a file and committing its row). Young files are left alone: they may be mid-request."""
    from ..models import Attachment

    known = set(db.session.execute(db.select(Attachment.stored_name)).scalars())
    for names in db.session.execute(db.select(FormProgress.files)).scalars():
        known.update(names or [])
    return sealed_files.remove_unknown(app_object(), known,
                                       min_age_seconds)
