"""Stored reports. What the victim wrote is only ever stored sealed (see pwa/sealing.py).

Plain columns hold only what officers need to find and triage a report without opening it:
the reference, times, status and the two safeguarding flags. No IP address, user agent or
other detail of the device is stored anywhere.
"""
from .clock import UTCDateTime
from .clock import now as utcnow
from .extensions import db


class Report(db.Model):
    __tablename__ = "reports"

    id = db.Column(db.Integer, primary_key=True)
    reference = db.Column(db.String(16), nullable=False, unique=True)  # SX-7K3Q-9M2D
    # The device's random key for this report: one row per key, even under concurrent posts.
    idempotency_key = db.Column(db.String(64), nullable=False, unique=True)
    # Keyed hash of the report's content, to tell a retry from a different report that
    # reuses a key, without storing anything readable.
    fingerprint = db.Column(db.String(64), nullable=False)
    key_id = db.Column(db.String(32), nullable=False)  # the key that opens `sealed`
    sealed = db.Column(db.LargeBinary, nullable=False)  # the envelope, as sent by the device
    created_at = db.Column(UTCDateTime, nullable=False)  # made on the device
    received_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    # "received": stored by the public side, not yet opened; "opened": read on the officers'
    # side, flags set; "unreadable": it failed to open or broke the form's rules (`problem`
    # says why), kept sealed so it can still be exported.
    state = db.Column(db.String(16), nullable=False, default="opened",
                      server_default="opened", index=True)
    problem = db.Column(db.String(300))
    # Safeguarding flags, plain so the dashboard can put these reports first; set when the
    # report is opened (pwa/report/opening.py).
    under_18 = db.Column(db.Boolean, nullable=False, default=False)
    in_danger = db.Column(db.Boolean, nullable=False, default=False)
    # The language the report was written in (a code from pwa/i18n.py, not content): plain,
    # so officers can arrange an interpreter before opening it.
    language = db.Column(db.String(8), nullable=False, default="en", server_default="en")
    status = db.Column(db.String(16), nullable=False, default="new", index=True)
    closed_at = db.Column(UTCDateTime)
    # The officer dealing with it (the officers feature, pwa/officers/models.py).
    assigned_to_id = db.Column(db.ForeignKey("officers.id", ondelete="SET NULL"))

    attachments = db.relationship(
        "Attachment", back_populates="report", cascade="all, delete-orphan",
        order_by="Attachment.position")


class Attachment(db.Model):
    """A screenshot, sealed on disk in ATTACHMENT_DIR under a random file name."""

    __tablename__ = "attachments"

    id = db.Column(db.Integer, primary_key=True)
    report_id = db.Column(db.ForeignKey("reports.id", ondelete="CASCADE"), nullable=False,
                          index=True)
    position = db.Column(db.Integer, nullable=False)
    key_id = db.Column(db.String(32), nullable=False)
    stored_name = db.Column(db.String(64), nullable=False, unique=True)
    size = db.Column(db.Integer, nullable=False)  # of the sealed file
    # Why this screenshot could not be read when the report was opened (None: it is fine).
    problem = db.Column(db.String(300))

    report = db.relationship("Report", back_populates="attachments")


class FormProgress(db.Model):
    """A no-JavaScript report in progress, kept here rather than in the session cookie
    (a signed cookie, readable by whoever holds the browser, and limited to about 4 KB).

    The session holds the random id and the key that encrypts the answers (AES-256-GCM,
    pwa/report/progress.py), so neither this table nor the server alone can read them;
    screenshots are sealed to the force's public key at once, under random names listed in
    `files` (the file names people gave them are inside the sealed answers). Rows older than
    REPORT_PROGRESS_HOURS are deleted with their files.
    """

    __tablename__ = "form_progress"

    id = db.Column(db.String(64), primary_key=True)  # random, kept in the session
    # Made when the report is started, so a double "Send report" stores one report.
    idempotency_key = db.Column(db.String(64), nullable=False)
    sealed = db.Column(db.LargeBinary, nullable=False)  # the answers so far, encrypted
    files = db.Column(db.JSON, nullable=False, default=list)  # sealed uploads, in order
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    updated_at = db.Column(UTCDateTime, nullable=False, default=utcnow,
                           index=True)
