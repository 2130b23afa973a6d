"""Writing the audit log. Entries are only ever added; nothing here updates or deletes."""
from .. import clock
from ..extensions import db
from .models import AuditEntry

ACTIONS = {
    "sign_in": "Signed in",
    "sign_in_failed": "Sign-in failed",
    "sign_out": "Signed out",
    "session_expired": "Session expired (idle)",
    "report_view": "Viewed report",
    "attachment_view": "Viewed attachment",
    "export": "Exported report",
    "status_change": "Changed status",
    "assign": "Assigned report",
    "note_add": "Added note",
    "officer_create": "Account created",
    "officer_disable": "Account disabled",
    "officer_reset_2fa": "Second factor reset",
    "rotate_keys": "Re-sealed under the current key",
    "purge_expired": "Deleted expired reports",
}


def record(action, officer=None, report=None, detail="", commit=True):
    """Add one entry. `detail` must never hold report content or secrets."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    entry = AuditEntry(
        at=clock.now(), action=action,
        officer_id=getattr(officer, "id", officer),
        report_id=report.id if report is not None else None,
        reference=report.reference if report is not None else None,
        detail=detail[:500],
    )
    db.session.add(entry)
    if commit:
        db.session.commit()
    return entry
