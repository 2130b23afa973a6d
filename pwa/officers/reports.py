"""What officers do with reports, as plain functions: list, open, note, rotate, purge.

Report contents are unsealed only in memory, only for a signed-in officer's request (or the
rotation command); nothing unsealed is written anywhere.
"""
import datetime
import json
import os
from pathlib import Path

from flask import current_app
from sqlalchemy import case, func, or_

from .. import clock, sealing
from ..extensions import db
from ..models import Attachment, Report
from .models import Note

STATUSES = {"new": "New", "in_review": "In review", "assigned": "Assigned", "closed": "Closed"}
FLAGS = {"any": "Either flag", "under_18": "Under 18", "in_danger": "In danger now"}
LIST_LIMIT = 200


def dashboard_query(status=None, flag=None):
    """Reports for the dashboard: safeguarding flags first, then newest first."""
    query = Report.query
    if status in STATUSES:
        query = query.filter(Report.status == status)
    if flag == "under_18":
        query = query.filter(Report.under_18.is_(True))
    elif flag == "in_danger":
        query = query.filter(Report.in_danger.is_(True))
    elif flag == "any":
        query = query.filter(or_(Report.under_18.is_(True), Report.in_danger.is_(True)))
    flagged_first = case((or_(Report.under_18.is_(True), Report.in_danger.is_(True)), 0),
                         else_=1)
    return query.order_by(flagged_first, Report.received_at.desc(), Report.id.desc())


def summary():
    """The live count: new reports, and a token that changes whenever the list may have."""
    new = db.session.query(func.count(Report.id)).filter(Report.status == "new").scalar()
    total, latest = db.session.query(func.count(Report.id), func.max(Report.id)).one()
    return {"new": new, "total": total, "version": f"{total}:{latest or 0}:{new}"}


def human_duration(delta):
    """'under a minute', '5 minutes', '3 hours 20 minutes', '2 days 4 hours'."""
    seconds = int(delta.total_seconds())
    if seconds < 60:
        return "under a minute"
    minutes, hours, days = seconds // 60 % 60, seconds // 3600 % 24, seconds // 86400

    def unit(n, word):
        return f"{n} {word}{'' if n == 1 else 's'}"

    if days:
        return unit(days, "day") + (f" {unit(hours, 'hour')}" if hours else "")
    if hours:
        return unit(hours, "hour") + (f" {unit(minutes, 'minute')}" if minutes else "")
    return unit(minutes, "minute")


def waited(report):
    """How long the report waited on the device before it arrived."""
    created, received = report.created_at, report.received_at
    if created is None or received is None:
        return "unknown"
    if created > received:
        return "under a minute"  # the device's clock was ahead
    return human_duration(received - created)


def find(reference):
    return Report.query.filter_by(reference=(reference or "").upper()).first()


def open_answers(report):
    return json.loads(sealing.unseal(report.sealed, sealing.keyring()).decode("utf-8"))


def attachment_path(attachment):
    return Path(current_app.config["ATTACHMENT_DIR"]) / attachment.stored_name


def open_attachment(attachment):
    return sealing.unseal(attachment_path(attachment).read_bytes(), sealing.keyring())


IMAGE_TYPES = [
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"GIF87a", "image/gif", "gif"),
    (b"GIF89a", "image/gif", "gif"),
]


def sniff_image(data):
    """The type of an image by its first bytes; anything else is served as a download."""
    for magic, mime, ext in IMAGE_TYPES:
        if data.startswith(magic):
            return mime, ext
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp", "webp"
    return "application/octet-stream", "bin"


def seal_text(text):
    keyring = sealing.keyring()
    return keyring.current_id, sealing.dumps(sealing.seal(text.encode("utf-8"),
                                                          keyring.current.public_key()))


def add_note(report, officer, text):
    key_id, sealed = seal_text(text)
    note = Note(report_id=report.id, officer_id=officer.id, key_id=key_id, sealed=sealed,
                created_at=clock.now())
    db.session.add(note)
    return note


def notes(report):
    rows = Note.query.filter_by(report_id=report.id).order_by(Note.created_at, Note.id).all()
    keyring = sealing.keyring()
    return [(n, sealing.unseal(n.sealed, keyring).decode("utf-8")) for n in rows]


def set_status(report, status):
    if status not in STATUSES:
        raise ValueError(status)
    report.status = status
    report.closed_at = clock.now() if status == "closed" else None


def export(report):
    """The report as one JSON-ready dict: plain columns, answers and notes."""
    return {
        "reference": report.reference,
        "status": report.status,
        "created_at": _iso(report.created_at),
        "received_at": _iso(report.received_at),
        "closed_at": _iso(report.closed_at),
        "under_18": report.under_18,
        "in_danger": report.in_danger,
        "answers": open_answers(report),
        "attachments": len(report.attachments),
        "notes": [{"officer": n.officer.email, "at": _iso(n.created_at), "text": text}
                  for n, text in notes(report)],
    }


def _iso(value):
    return value.isoformat() if value else None


def _write_atomically(path, data):
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def rotate_keys():
    """Re-seal every report, note and attachment not yet under the current key.

    Each row is committed with its file, so an interrupted run can simply be run again."""
    keyring = sealing.keyring()
    current = keyring.current_id
    counts = {"reports": 0, "notes": 0, "attachments": 0}
    for report in Report.query.filter(Report.key_id != current).all():
        report.sealed = sealing.dumps(sealing.reseal(report.sealed, keyring))
        report.key_id = current
        counts["reports"] += 1
        db.session.commit()
    for note in Note.query.filter(Note.key_id != current).all():
        note.sealed = sealing.dumps(sealing.reseal(note.sealed, keyring))
        note.key_id = current
        counts["notes"] += 1
        db.session.commit()
    for attachment in Attachment.query.filter(Attachment.key_id != current).all():
        path = attachment_path(attachment)
        data = sealing.dumps(sealing.reseal(path.read_bytes(), keyring))
        _write_atomically(path, data)
        attachment.key_id = current
        attachment.size = len(data)
        counts["attachments"] += 1
        db.session.commit()
    return counts


def purge_expired(days=None):
    """Delete reports closed more than `days` ago, with their notes and attachment files."""
    days = current_app.config["REPORT_RETENTION_DAYS"] if days is None else days
    cutoff = clock.now() - datetime.timedelta(days=days)
    counts = {"reports": 0, "notes": 0, "attachments": 0}
    expired = Report.query.filter(Report.status == "closed", Report.closed_at.isnot(None),
                                  Report.closed_at < cutoff).all()
    paths = []
    for report in expired:
        paths += [attachment_path(a) for a in report.attachments]
        counts["notes"] += Note.query.filter_by(report_id=report.id).delete()
        db.session.delete(report)
        counts["reports"] += 1
    db.session.commit()
    # Files go once the rows are gone: a failed commit leaves everything as it was.
    for path in paths:
        path.unlink(missing_ok=True)
        counts["attachments"] += 1
    return counts
