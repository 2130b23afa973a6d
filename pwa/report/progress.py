"""A no-JavaScript report in progress: sealed in the database, its id in the session.

The session cookie is signed, not encrypted, and limited to about 4 KB, so it holds only a
random id. The answers are sealed to the force's public key on every save and opened with
the private key to show the next page; uploaded screenshots are sealed to disk at once.
"""
import datetime
import json
import secrets
import uuid

from flask import current_app, session

from .. import sealing
from ..extensions import db
from ..models import FormProgress, utcnow
from . import attachments as files

SESSION_KEY = "report_progress"
DEFAULT_HOURS = 4


class Progress:
    def __init__(self, row, answers, notice=None):
        # notice: what the next GET of a step shows after a post (its errors, how many rows),
        # sealed with the answers so post/redirect/get keeps it without a readable copy.
        self.row, self.answers, self.notice = row, answers, notice

    @property
    def files(self):
        return list(self.row.files or [])

    @property
    def idempotency_key(self):
        return self.row.idempotency_key

    @property
    def created_at(self):
        when = self.row.created_at
        return when if when.tzinfo else when.replace(tzinfo=datetime.timezone.utc)


def _ttl():
    return datetime.timedelta(hours=current_app.config.get("REPORT_PROGRESS_HOURS",
                                                           DEFAULT_HOURS))


def _seal(answers, notice=None):
    payload = {"answers": answers, "notice": notice} if notice else answers
    plain = json.dumps(payload, separators=(",", ":")).encode()
    return sealing.dumps(sealing.seal(plain, sealing.keyring().current.public_key()))


def load():
    """The current visitor's progress, or None (none started, expired or cleaned up)."""
    pid = session.get(SESSION_KEY)
    if not pid:
        return None
    row = db.session.get(FormProgress, pid)
    if row is None:
        return None
    updated = row.updated_at if row.updated_at.tzinfo else row.updated_at.replace(
        tzinfo=datetime.timezone.utc)
    if updated < utcnow() - _ttl():
        discard(row)
        return None
    payload = json.loads(sealing.unseal(row.sealed, sealing.keyring()))
    if set(payload) == {"answers", "notice"}:  # no step has a field named "answers"
        return Progress(row, payload["answers"], payload["notice"])
    return Progress(row, payload)


def save(progress, answers, file_names=None, notice=None):
    """Seal and store the answers, and the notice for the next page if any (a new row on
    first save); returns the Progress."""
    if progress is None:
        cleanup_expired()
        row = FormProgress(id=secrets.token_urlsafe(32), idempotency_key=str(uuid.uuid4()),
                           sealed=b"", files=[])
        db.session.add(row)
        session[SESSION_KEY] = row.id
    else:
        row = progress.row
    row.sealed = _seal(answers, notice)
    if file_names is not None:
        row.files = list(file_names)
    row.updated_at = utcnow()
    db.session.commit()
    return Progress(row, answers, notice)


def add_file(plain_bytes):
    """Seal an uploaded image to disk at once; returns its random name."""
    envelope = sealing.seal(plain_bytes, sealing.keyring().current.public_key())
    return files.write_sealed(current_app._get_current_object(), sealing.dumps(envelope))


def discard(row=None):
    """Forget the progress: its row, its files and the id in the session."""
    if row is None:
        pid = session.get(SESSION_KEY)
        row = db.session.get(FormProgress, pid) if pid else None
    session.pop(SESSION_KEY, None)
    if row is not None:
        files.remove(current_app._get_current_object(), row.files or [])
        db.session.delete(row)
        db.session.commit()


def cleanup_expired(now=None):
    """Delete progress nobody has touched for REPORT_PROGRESS_HOURS; returns how many."""
    cutoff = (now or utcnow()) - _ttl()
    rows = db.session.execute(
        db.select(FormProgress).where(FormProgress.updated_at < cutoff)).scalars().all()
    app = current_app._get_current_object()
    for row in rows:
        files.remove(app, row.files or [])
        db.session.delete(row)
    if rows:
        db.session.commit()
    return len(rows)


def remove_orphan_files(min_age_seconds=3600):
    """Delete sealed files no report or progress refers to (left by a crash between writing
    a file and committing its row). Young files are left alone: they may be mid-request."""
    import time

    from ..models import Attachment

    app = current_app._get_current_object()
    folder = files.directory(app)
    known = set(db.session.execute(db.select(Attachment.stored_name)).scalars())
    for names in db.session.execute(db.select(FormProgress.files)).scalars():
        known.update(names or [])
    removed = 0
    cutoff = time.time() - min_age_seconds
    for path in folder.glob("*.sealed"):
        if path.name not in known and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed += 1
    return removed
