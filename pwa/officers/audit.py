"""Writing and checking the audit log. Entries are only ever added; nothing here updates or
deletes one.

Tamper-evident: each entry carries `mac`, an HMAC-SHA256 over its own fields, its sequence
number and the previous entry's mac, so changing, removing or inserting any entry breaks the
chain from there on (`flask --app pwa audit verify`). The newest link is also kept in one row
of `audit_head`, so entries cut from the end are noticed too. The key is `AUDIT_KEY` when set
(recommended in production, so SECRET_KEY can be rotated without breaking the log's past) or
else derived from SECRET_KEY with HKDF for this one purpose; either way it is not in the
database, so someone who can write to the database cannot make a valid link.

Appends are serialised: each one first UPDATEs the head row, which takes its row lock on
PostgreSQL (and the write lock on SQLite) until the transaction ends, so two writers never
both extend the same link; a unique sequence number makes a fork impossible anyway.
"""
import datetime
import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping
from typing import Any, cast

from flask import current_app
from sqlalchemy.engine import CursorResult

from .. import clock, sealing
from ..extensions import db
from ..models import Report
from .models import GENESIS_MAC, AuditEntry, AuditHead, Officer

ACTIONS = {
    "sign_in": "Signed in",
    "sign_in_failed": "Sign-in failed",
    "sign_out": "Signed out",
    "session_expired": "Session expired (idle)",
    "session_limit": "Session ended (longest session reached)",
    "password_change": "Changed own password",
    "password_change_failed": "Password change refused",
    "report_view": "Viewed report",
    "attachment_view": "Viewed attachment",
    "export": "Exported report",
    "status_change": "Changed status",
    "assign": "Assigned report",
    "note_add": "Added note",
    "mailbox_reply": "Replied in the app",
    "officer_create": "Account created",
    "officer_disable": "Account disabled",
    "officer_reset_2fa": "Second factor reset",
    "officer_reset_password": "Password reset",
    "rotate_keys": "Re-sealed under the current key",
    "purge_expired": "Deleted expired reports",
}


def chain_key(config: Mapping[str, Any] | None = None) -> bytes:
    config = config or current_app.config
    material = config.get("AUDIT_KEY") or config["SECRET_KEY"]
    return sealing.derived_key(b"sx audit log chain v1", material)


def entry_mac(key: bytes, seq: int, at: datetime.datetime, officer_id: int | None,
              action: str, report_id: int | None, reference: str | None, detail: str,
              previous: str) -> str:
    """The link for one entry: its fields and the previous link, in one canonical form."""
    when = at.astimezone(datetime.timezone.utc).isoformat(timespec="microseconds")
    message = json.dumps([seq, when, officer_id, action, report_id, reference, detail, previous],
                         ensure_ascii=False, separators=(",", ":")).encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def _mac_of(key: bytes, entry: AuditEntry, previous: str) -> str:
    return entry_mac(key, entry.seq, entry.at, entry.officer_id, entry.action, entry.report_id,
                     entry.reference, entry.detail, previous)


def record(action: str, officer: Officer | int | None = None, report: Report | None = None,
           detail: str = "", commit: bool = True) -> AuditEntry:
    """Add one entry. `detail` must never hold report content or secrets."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    # Take the head's lock first (an UPDATE), then read it: appends happen one at a time.
    locked = cast(CursorResult[Any], db.session.execute(
        db.update(AuditHead).where(AuditHead.id == 1).values(seq=AuditHead.seq)))
    if locked.rowcount != 1:
        raise RuntimeError("The audit log's head row is missing: the log has been tampered "
                           "with. Run `flask --app pwa audit verify`.")
    head = db.session.get(AuditHead, 1, populate_existing=True)
    assert head is not None  # the update above found it
    entry = AuditEntry(
        seq=head.seq + 1, at=clock.now(), action=action,
        officer_id=getattr(officer, "id", officer),
        report_id=report.id if report is not None else None,
        reference=report.reference if report is not None else None,
        detail=detail[:500],
    )
    entry.mac = _mac_of(chain_key(), entry, head.mac)
    head.seq, head.mac = entry.seq, entry.mac
    db.session.add(entry)
    if commit:
        db.session.commit()
    return entry


class VerifyResult:
    def __init__(self, ok: bool, checked: int, message: str) -> None:
        self.ok, self.checked, self.message = ok, checked, message


def verify(key: bytes | None = None) -> VerifyResult:
    """Walk the chain from the first entry. Returns whether it is whole, how many entries
    were checked, and a message naming the first broken link."""
    key = key or chain_key()
    query = db.select(AuditEntry).order_by(AuditEntry.seq, AuditEntry.id)
    # Streamed in batches (a server-side cursor on PostgreSQL), closed however it ends.
    entries = db.session.scalars(query.execution_options(yield_per=1000))
    try:
        return _walk(key, entries)
    finally:
        entries.close()


def _walk(key: bytes, entries: Iterable[AuditEntry]) -> VerifyResult:
    previous, expected = GENESIS_MAC, 1
    for entry in entries:
        if entry.seq != expected:
            what = ("missing" if entry.seq is not None and entry.seq > expected
                    else "out of place")
            return VerifyResult(False, expected - 1,
                                f"Broken at entry {expected}: it is {what} "
                                f"(found entry {entry.seq}, row id {entry.id}).")
        if not hmac.compare_digest(entry.mac or "", _mac_of(key, entry, previous)):
            return VerifyResult(False, expected - 1,
                                f"Broken at entry {expected} (row id {entry.id}): its content "
                                f"or its link to entry {expected - 1} was changed.")
        previous, expected = entry.mac, expected + 1
    last = expected - 1
    head = db.session.get(AuditHead, 1)
    if head is None:
        return VerifyResult(False, last, "The head row (audit_head) is missing.")
    if head.seq != last or not hmac.compare_digest(head.mac, previous):
        return VerifyResult(False, last,
                            f"Broken after entry {last}: the head says the log ends at entry "
                            f"{head.seq}, so entries were removed from the end or the head "
                            f"was changed.")
    return VerifyResult(True, last, f"The audit log is whole: {last} entries, newest link "
                                    f"{head.mac}.")
