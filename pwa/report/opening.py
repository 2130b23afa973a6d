"""Opening a stored report: where the private key is (the officers' side, or the all-in-one
process at intake). The same rules as the form (steps.py) and an image check of each
screenshot (Pillow, pwa/report/attachments.py). Nothing opened is written anywhere; what a
report yields is its safeguarding flags, its state and, if it fails, the reason.

On the officers' side, `open_pending` opens what the public side stored: the dashboard and
its live count call it on every request (so a report in danger reaches the top within one
poll of arriving) and `flask report open` does the same from a timer.
"""
from collections.abc import Sequence
from dataclasses import dataclass, field

from flask import current_app
# A refusal the person sees is in the report's language where there is a request (pwa/i18n.py).
from flask_babel import gettext

from .. import guards, sealing
from ..extensions import app_object, db
from ..models import Report
from . import attachments, sealed_files
from .steps import Answers, is_under_18, validate
from .store import Rejected, attachment_error

# Reports opened per call of open_pending (a dashboard request): bounded, so a burst of
# arrivals cannot make one officer's page slow; the next poll takes the rest.
BATCH = 20


@dataclass
class Opened:
    answers: dict
    # A problem with the report as a whole that still lets it be read (screenshots missing).
    problem: Rejected | None = None
    # One entry per attachment: None, or why that screenshot could not be read.
    attachment_problems: list[Rejected | None] = field(default_factory=list)

    @property
    def under_18(self) -> bool:
        return is_under_18(self.answers)

    @property
    def in_danger(self) -> bool:
        return self.answers.get("in_danger") == "yes"

    def raise_first_problem(self) -> None:
        """The all-in-one intake refuses what the officers' side would mark."""
        if self.problem:
            raise self.problem
        for problem in self.attachment_problems:
            if problem:
                raise problem

    def apply(self, report: Report) -> None:
        report.under_18, report.in_danger = self.under_18, self.in_danger
        report.state = "opened"
        report.problem = self.problem.message if self.problem else None
        for attachment, problem in zip(report.attachments, self.attachment_problems):
            attachment.problem = problem.message if problem else None


def open_answers(envelope: sealing.Envelope | str | bytes,
                 keyring: sealing.Keyring) -> Answers:
    """Unseal the answers in memory; raises Rejected(sealed_invalid)."""
    try:
        plaintext = sealing.unseal(envelope, keyring)
        answers = guards.loads(plaintext.decode("utf-8"))
    except (sealing.SealError, UnicodeDecodeError, ValueError):
        raise Rejected(422, "sealed_invalid",
                       gettext("The report could not be opened. Reload the page and send it "
                               "again."),
                       field="report") from None
    if not isinstance(answers, dict) or answers.get("v") != 1:
        raise Rejected(422, "sealed_invalid", "The report is in a format we do not know.",
                       field="report")
    return answers


def check_answers(answers: Answers) -> None:
    errors = validate(answers)
    if errors:
        first = errors[0]
        raise Rejected(422, "invalid", first.message, field=first.field, step=first.step,
                       rule=first.rule, errors=[e.as_dict() for e in errors])


def open_sealed(envelope: sealing.Envelope | str | bytes, blobs: Sequence[bytes],
                keyring: sealing.Keyring) -> Opened:
    """Open and check a report and its sealed screenshots. Raises Rejected when the answers
    cannot be read or break the rules; screenshot problems are returned, one per blob."""
    answers = open_answers(envelope, keyring)
    check_answers(answers)
    declared = answers.get("attachments") or []
    opened = Opened(answers)
    if len(blobs) != len(declared):
        opened.problem = attachment_error(
            gettext("The screenshots did not all arrive. Send the report again."),
            rule="mismatch")
    for i, blob in enumerate(blobs):
        try:
            plain = sealing.unseal(blob, keyring)
        except sealing.SealError:
            opened.attachment_problems.append(attachment_error(
                gettext("A screenshot could not be opened. Attach it again."), index=i))
            continue
        try:
            attachments.check_image(plain)
        except attachments.AttachmentInvalid as err:
            opened.attachment_problems.append(attachment_error(str(err), index=i))
            continue
        opened.attachment_problems.append(None)
    return opened


def open_stored(report: Report, keyring: sealing.Keyring | None = None) -> None:
    """Open one stored report and record the outcome on its row (not committed)."""
    keyring = keyring or sealing.keyring()
    app = app_object()
    try:
        blobs = [sealed_files.read(app, a.stored_name) for a in report.attachments]
        opened = open_sealed(report.sealed, blobs, keyring)
    except Rejected as err:
        report.state, report.problem = "unreadable", _reason(err)
        return
    except OSError:
        report.state, report.problem = "unreadable", "A screenshot's sealed file is missing."
        return
    except Exception:  # noqa: BLE001
        # Whatever a stranger sealed must not break the dashboard that opens it on every
        # poll: the report is kept, marked, and the error logged (without its content).
        current_app.logger.exception("report %s could not be checked", report.reference)
        report.state, report.problem = "unreadable", "The report could not be checked."
        return
    opened.apply(report)


def _reason(err: Rejected) -> str:
    where = err.extra.get("field")
    return f"{err.message} ({err.code}{', ' + where if where else ''})"[:300]


def open_pending(limit: int = BATCH) -> int:
    """Open reports the public side stored and nobody has opened yet; returns how many.
    Two officers' processes never open the same report twice (rows are locked and skipped
    on PostgreSQL; SQLite has one writer)."""
    if not sealing.holds_private_key():
        return 0
    keyring = sealing.keyring()
    query = (db.select(Report).where(Report.state == "received")
             .order_by(Report.id).limit(limit))
    if db.session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True, of=Report)
    done = 0
    for report in db.session.execute(query).scalars().all():
        open_stored(report, keyring)
        done += 1
    db.session.commit()
    return done
