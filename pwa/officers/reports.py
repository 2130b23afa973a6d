"""What officers do with reports, as plain functions: list, open, note, export.

Report contents are unsealed only in memory, only for a signed-in officer's request;
nothing unsealed is written anywhere. (Key rotation and retention are the report feature's:
pwa/report/maintenance.py.)
"""
import json

from flask import current_app
from sqlalchemy import case, func, or_

from .. import clock, sealing
from ..extensions import db
from ..models import Report
from ..report import opening, sealed_files
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
    # Flagged first, and with them any report not opened yet: its flags are not known.
    flagged_first = case((or_(Report.under_18.is_(True), Report.in_danger.is_(True),
                              Report.state == "received"), 0), else_=1)
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


def open_pending():
    """Open what the public side stored since the last look (flags, state)."""
    return opening.open_pending()


def open_answers(report):
    """The report's answers, or None if it could not be read (`report.problem` says why)."""
    if report.state == "received":
        opening.open_stored(report)
        db.session.commit()
    if report.state == "unreadable":
        return None
    return json.loads(sealing.unseal(report.sealed, sealing.keyring()).decode("utf-8"))


def open_attachment(attachment):
    data = sealed_files.read(current_app._get_current_object(), attachment.stored_name)
    return sealing.unseal(data, sealing.keyring())


def sniff_image(data):
    """The type of an image by its first bytes; anything else is served as a download."""
    mime = sealed_files.sniff(data)
    if mime is None:
        return "application/octet-stream", "bin"
    return mime, sealed_files.EXTENSIONS[mime]


def seal_text(text):
    keyring = sealing.keyring()
    return keyring.current_id, sealing.seal_to_current(text.encode("utf-8"), keyring)


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
    """The report as one JSON-ready dict: plain columns, answers and notes; for a report
    that could not be read, the reason and its sealed original instead of the answers."""
    answers = open_answers(report)
    data = {
        "reference": report.reference,
        "status": report.status,
        "created_at": _iso(report.created_at),
        "received_at": _iso(report.received_at),
        "closed_at": _iso(report.closed_at),
        "under_18": report.under_18,
        "in_danger": report.in_danger,
        "language": report.language,
        "answers": answers,
        "attachments": len(report.attachments),
        "notes": [{"officer": n.officer.email, "at": _iso(n.created_at), "text": text}
                  for n, text in notes(report)],
    }
    if answers is None:
        data["could_not_be_read"] = report.problem
        data["sealed_original"] = json.loads(report.sealed)
    return data


def _iso(value):
    return value.isoformat() if value else None
