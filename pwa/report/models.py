"""The report feature's own tables beside pwa/models.py: private-replies mailboxes and their
messages (issue 17; the logic is pwa/report/mailbox.py)."""
from .. import clock
from ..clock import UTCDateTime
from ..extensions import db
from ..models import Report


class Mailbox(db.Model):
    __tablename__ = "mailboxes"

    id = db.Column(db.Integer, primary_key=True)
    report_id = db.Column(db.ForeignKey("reports.id", ondelete="CASCADE"), nullable=False,
                          unique=True)
    # SHA-256 (hex) of the device's secret, as the device sent it: finds the row, reveals
    # nothing (the secret is 256 random bits).
    secret_hash = db.Column(db.String(64), nullable=False, unique=True)
    public_key = db.Column(db.LargeBinary, nullable=False)  # the device's key, DER SPKI
    key_id = db.Column(db.String(32), nullable=False)
    created_at = db.Column(UTCDateTime, nullable=False, default=clock.now)
    closed_at = db.Column(UTCDateTime)  # "I don't need replies any more"

    report = db.relationship(Report, backref=db.backref(
        "mailbox", uselist=False, cascade="all, delete-orphan"))


class MailboxMessage(db.Model):
    __tablename__ = "mailbox_messages"

    id = db.Column(db.Integer, primary_key=True)
    mailbox_id = db.Column(db.ForeignKey("mailboxes.id", ondelete="CASCADE"), nullable=False,
                           index=True)
    report_id = db.Column(db.ForeignKey("reports.id", ondelete="CASCADE"), nullable=False,
                          index=True)
    direction = db.Column(db.String(16), nullable=False)  # to_victim | from_victim
    key_id = db.Column(db.String(32), nullable=False)  # the force key that opens `sealed`
    sealed = db.Column(db.LargeBinary, nullable=False)  # sealed to the force's key
    for_device = db.Column(db.LargeBinary)  # a reply, sealed to the mailbox's key
    officer_id = db.Column(db.ForeignKey("officers.id", ondelete="SET NULL"))
    # A victim's answer: the device's key for it, and a keyed hash of its bytes (a retry
    # is the same bytes; anything else under the key is a conflict).
    idempotency_key = db.Column(db.String(64), unique=True)
    fingerprint = db.Column(db.String(64))
    created_at = db.Column(UTCDateTime, nullable=False, default=clock.now)
