"""Keeping stored reports: key rotation and retention, as plain functions.

Other features keep sealed rows that belong to a report (the officers' notes); they
register them here, so rotation re-seals them and retention deletes them with their report,
without the report feature importing theirs. The commands (pwa/report/cli.py) announce what
they did through the signals below; the officers' feature writes them to its audit log.
"""
import datetime

from blinker import Namespace
from flask import current_app

from .. import clock, sealing
from ..extensions import db
from ..models import Attachment, Report
from . import sealed_files

_signals = Namespace()
# Sent with the counts ({"reports": n, ...}) after each command's work is committed.
keys_rotated = _signals.signal("keys-rotated")
expired_purged = _signals.signal("expired-purged")

# name -> model with report_id, key_id and sealed columns (in registration order).
_dependents: dict[str, type] = {}


def register_sealed_rows(name, model):
    """Rows of `model` are sealed with the report key and belong to one report each."""
    _dependents[name] = model


def rotate_keys():
    """Re-seal every report, dependent row and attachment not yet under the current key.

    Each row is committed with its file, so an interrupted run can simply be run again."""
    keyring = sealing.keyring()
    current = keyring.current_id
    counts = {"reports": 0, **{name: 0 for name in _dependents}, "attachments": 0}
    for name, model in [("reports", Report), *_dependents.items()]:
        for row in db.session.execute(
                db.select(model).where(model.key_id != current)).scalars().all():
            row.sealed = sealing.dumps(sealing.reseal(row.sealed, keyring))
            row.key_id = current
            counts[name] += 1
            db.session.commit()
    app = current_app._get_current_object()
    for attachment in db.session.execute(
            db.select(Attachment).where(Attachment.key_id != current)).scalars().all():
        data = sealing.dumps(sealing.reseal(sealed_files.read(app, attachment.stored_name),
                                            keyring))
        sealed_files.replace(app, attachment.stored_name, data)
        attachment.key_id = current
        attachment.size = len(data)
        counts["attachments"] += 1
        db.session.commit()
    return counts


def purge_expired(days=None):
    """Delete reports closed more than `days` ago, with their dependent rows and files."""
    days = current_app.config["REPORT_RETENTION_DAYS"] if days is None else days
    cutoff = clock.now() - datetime.timedelta(days=days)
    counts = {"reports": 0, **{name: 0 for name in _dependents}, "attachments": 0}
    expired = db.session.execute(db.select(Report).where(
        Report.status == "closed", Report.closed_at.isnot(None),
        Report.closed_at < cutoff)).scalars().all()
    names = []
    for report in expired:
        names += [a.stored_name for a in report.attachments]
        for name, model in _dependents.items():
            counts[name] += db.session.execute(
                db.delete(model).where(model.report_id == report.id)).rowcount
        db.session.delete(report)
        counts["reports"] += 1
    db.session.commit()
    # Files go once the rows are gone: a failed commit leaves everything as it was.
    sealed_files.remove(current_app._get_current_object(), names)
    counts["attachments"] = len(names)
    return counts


def describe_counts(counts):
    return ", ".join(f"{n} {what}" for what, n in counts.items())
