"""Officers, their notes on reports, and the append-only audit log."""
from flask_login import UserMixin
from sqlalchemy import DDL, event

from ..clock import UTCDateTime, now
from ..extensions import db

ROLES = ("officer", "supervisor")


class Officer(UserMixin, db.Model):
    __tablename__ = "officers"

    id = db.Column(db.Integer, primary_key=True)
    email = db.Column(db.String(254), nullable=False, unique=True)  # stored lower-case
    password_hash = db.Column(db.String(255), nullable=False)  # argon2id
    # The TOTP secret, encrypted with a key derived from SECRET_KEY (see auth.py for why).
    totp_sealed = db.Column(db.LargeBinary, nullable=False)
    # The last TOTP time step accepted, so a code cannot be replayed within its window.
    totp_last_step = db.Column(db.BigInteger, nullable=False, default=0)
    role = db.Column(db.String(16), nullable=False, default="officer")
    active = db.Column(db.Boolean, nullable=False, default=True)
    # A random id made at each sign-in and kept in the session: signing out (or disabling
    # the account, or signing in elsewhere) changes it, so an old session cookie stops working.
    login_id = db.Column(db.String(64))
    created_at = db.Column(UTCDateTime, nullable=False, default=now)
    last_sign_in_at = db.Column(UTCDateTime)

    @property
    def is_active(self):
        return bool(self.active)

    @property
    def is_supervisor(self):
        return self.role == "supervisor"

    def get_id(self):
        # Flask-Login keeps this in the session; the login id ties it to one sign-in.
        return f"{self.id}:{self.login_id}"


class SignInThrottle(db.Model):
    """Sign-in failures for one account from one client address. The key is a keyed hash of
    the two (auth.py), so the table holds no address or email; a row goes at the next
    successful sign-in from that address, or 24 hours after its last failure."""

    __tablename__ = "signin_throttle"

    key = db.Column(db.String(64), primary_key=True)
    failures = db.Column(db.Integer, nullable=False, default=0)
    next_at = db.Column(UTCDateTime, nullable=False)  # no check before this time
    updated_at = db.Column(UTCDateTime, nullable=False, index=True)


class Note(db.Model):
    """An officer's note on a report, sealed like the report: it can hold sensitive detail."""

    __tablename__ = "report_notes"

    id = db.Column(db.Integer, primary_key=True)
    report_id = db.Column(db.ForeignKey("reports.id", ondelete="CASCADE"), nullable=False,
                          index=True)
    officer_id = db.Column(db.ForeignKey("officers.id"), nullable=False)
    key_id = db.Column(db.String(32), nullable=False)
    sealed = db.Column(db.LargeBinary, nullable=False)
    created_at = db.Column(UTCDateTime, nullable=False, default=now)

    officer = db.relationship("Officer")


class AuditEntry(db.Model):
    """Who did what, when. Append-only: the code has no update or delete path and the
    database refuses both (triggers below). Never holds report content: only ids,
    references, actions and counts."""

    __tablename__ = "audit_entries"

    id = db.Column(db.Integer, primary_key=True)
    # Position in the chain (1, 2, 3…; unique, so the chain cannot fork) and the link: an
    # HMAC over this entry and the previous link (audit.py).
    seq = db.Column(db.BigInteger, nullable=False, unique=True)
    mac = db.Column(db.String(64), nullable=False)
    at = db.Column(UTCDateTime, nullable=False, default=now, index=True)
    officer_id = db.Column(db.ForeignKey("officers.id"))
    action = db.Column(db.String(32), nullable=False, index=True)
    # Plain values, no foreign key: the entry outlives a report deleted by retention.
    report_id = db.Column(db.Integer)
    reference = db.Column(db.String(16))
    detail = db.Column(db.String(500), nullable=False, default="")

    officer = db.relationship("Officer")


GENESIS_MAC = "0" * 64  # the link before the first entry


class AuditHead(db.Model):
    """One row (id 1): the newest entry's number and link. Appends update it (which also
    serialises them); `audit verify` checks the log ends where it says."""

    __tablename__ = "audit_head"

    id = db.Column(db.Integer, primary_key=True, autoincrement=False)
    seq = db.Column(db.BigInteger, nullable=False)
    mac = db.Column(db.String(64), nullable=False)


HEAD_ROW = f"INSERT INTO audit_head (id, seq, mac) VALUES (1, 0, '{GENESIS_MAC}')"
event.listen(AuditHead.__table__, "after_create", DDL(HEAD_ROW))

# The audit log is append-only in the database itself; migrations 0002 and 0003 install the
# same.
APPEND_ONLY_TRIGGERS = {"sqlite": [
    "CREATE TRIGGER audit_entries_no_update BEFORE UPDATE ON audit_entries "
    "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END",
    "CREATE TRIGGER audit_entries_no_delete BEFORE DELETE ON audit_entries "
    "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END",
], "postgresql": [
    "CREATE OR REPLACE FUNCTION audit_entries_append_only() RETURNS trigger AS $$ "
    "BEGIN RAISE EXCEPTION 'the audit log is append-only'; END; $$ LANGUAGE plpgsql",
    "CREATE TRIGGER audit_entries_append_only BEFORE UPDATE OR DELETE ON audit_entries "
    "FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only()",
]}
for _dialect, _statements in APPEND_ONLY_TRIGGERS.items():
    for _sql in _statements:
        event.listen(AuditEntry.__table__, "after_create",
                     DDL(_sql).execute_if(dialect=_dialect))
