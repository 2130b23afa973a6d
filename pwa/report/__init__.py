"""The report form: the device-driven page /report/, its rules, and the no-JS step pages.

Two paths, one set of steps (pwa/report/steps.py):
- With JavaScript, /report/ holds every step and the device runs them, seals the report and
  delivers it through its outbox to POST /api/reports (pwa/report/api.py).
- Without JavaScript, /report/<step> are ordinary forms (Flask-WTF, CSRF). Progress is kept
  in the database, encrypted with a key only the victim's session cookie holds
  (pwa/report/progress.py); "Send report" seals the answers to the force's public key and
  stores them through the same code as a device's report (pwa/report/store.py).
"""
import base64
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from flask import (Blueprint, Flask, Response, abort, g, jsonify, redirect,
                   render_template, request, session, url_for)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _, lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response as BaseResponse

from ..errors import handle_http
from .. import i18n, sealing
from ..extensions import app_object, db, limiter
from ..offline_app import register_page, register_worker_script
from ..page_cache import cached_page
from ..responses import no_store
from . import api, cli, limits, readable, sealed_files, steps, store
from . import mailbox, mailbox_api  # noqa: F401  (private replies: models, /api/mailbox/…)
from . import maintenance
from . import progress as progress_mod

bp = Blueprint("report", __name__, url_prefix="/report", cli_group=None)

# Which next steps the "sent" page offers (under 18, paid): read once by that page and then
# dropped, so the cookie carries them only across the redirect, encrypted and always the same
# length (handoff_token). The reference is never in the cookie: the progress row, kept as a
# marker, finds it (see progress.py).
SENT_HELP_KEY = "report_sent_help"
# Pages that carry nothing per session and may be cached (by flask-caching and the worker).
CACHEABLE = {"report.start", "report.rules", "report.replies"}


def init_app(app: Flask) -> None:
    """The form and the API serve the public (and all-in-one) side; the commands that need
    the private key are registered where it is (pwa/report/cli.py)."""
    cli.init_app(app)
    # Mailbox messages are sealed rows of their report: rotated and deleted with it.
    maintenance.register_sealed_rows("mailbox messages", mailbox.MailboxMessage)
    if app.config["APP_SIDE"] == "officers":
        return
    app.register_blueprint(bp)
    app.session_interface = progress_mod.SessionInterface()
    app.register_blueprint(api.bp)
    # A cap on every request body, enforced while it is read (CSRFProtect reads the form
    # before any view runs): a report with its most attachments, sealed, fits.
    if app.config.get("MAX_CONTENT_LENGTH") is None:
        app.config["MAX_CONTENT_LENGTH"] = api.MAX_REQUEST_BYTES
    app.jinja_env.globals.update(
        report_step=steps.step, report_steps=steps.STEPS, report_under_18=steps.UNDER_18,
        attachment_types=sorted(steps.ATTACHMENT_TYPES))
    register_page(app, "/report/")
    register_page(app, "/report/rules.json")
    register_page(app, "/report/replies")  # read and answer replies offline
    register_page(app, "/api/report-key")
    # The client side's outbox, loaded by the service worker too.
    register_worker_script(app, "js/outbox-core.js")


@bp.after_request
def never_cache_steps(response: Response) -> Response:
    # Step pages carry a CSRF token and the person's answers: never cached anywhere.
    return response if request.endpoint in CACHEABLE else no_store(response)


@bp.get("/")
@cached_page
def start() -> str:
    """The device's form (every step, driven by JavaScript) and the no-JS way in."""
    return render_template("report/start.html", answers={}, errors={}, nojs=False)


@bp.get("/replies")
@cached_page
def replies() -> str:
    """Private replies (issue 17): a shell the device fills from its own mailboxes
    (static/js/mailbox-page.js); nothing per person is in the page."""
    from .mailbox import MAX_ANSWER_CHARS

    return render_template("report/replies.html", max_answer=MAX_ANSWER_CHARS)


@bp.get("/rules.json")
def rules() -> Response:
    response = jsonify(steps.rules())
    response.headers["Cache-Control"] = "no-cache"
    return response


def _render_step(step_id: str, answers: steps.Answers,
                 errors: Sequence[steps.FieldError] = (), row_count: int = 1,
                 status: int = 200, returning: bool | None = None) -> tuple[str, int]:
    """A step page. Its fields and their rules are the steps' (one source of truth); the form
    carries Flask-WTF's CSRF token, checked by CSRFProtect on every POST."""
    error_map: dict[str, str] = {}
    for err in errors:
        error_map.setdefault(err.field, err.message)
    s = steps.step(step_id)
    return render_template(
        "report/step.html", step=s, answers=answers, errors=error_map, error_list=errors,
        nojs=True, row_count=row_count, uploaded=answers.get("attachments") or [],
        back=_back_url(step_id), returning=_returning() if returning is None else returning,
        position=steps.STEP_IDS.index(step_id) + 1, total=len(steps.STEP_IDS)), status


def _returning() -> bool:
    return request.args.get("return") == "check"


def _back_url(step_id: str) -> str:
    if _returning():
        return url_for("report.check")
    previous = steps.previous_step(step_id)
    return url_for("report.step_page", step_id=previous) if previous else url_for(
        "report.start")


@bp.route("/<step_id>", methods=["GET", "POST"])
def step_page(step_id: str) -> ResponseReturnValue:
    if step_id not in steps.BY_ID:
        abort(404)
    progress = progress_mod.load()
    answers = dict(progress.answers) if progress else {}
    if request.method == "GET":
        rows = min(max(len(answers.get("contacts") or []) + 1, _int(request.args.get("rows"), 1)),
                   steps.MAX_CONTACTS)
        errors = _notice_errors(step_id)
        if request.args.get("invalid"):  # the redirect after a POST with errors
            errors += _upload_errors_from_query() + steps.validate_step(step_id, answers)
        return _render_step(step_id, answers, errors, row_count=rows)

    answers.update(steps.from_form(step_id, request.form))
    file_names = progress.files if progress else []
    upload_errors = []
    if step_id == "evidence":
        upload_errors = _take_uploads(answers, file_names)
    progress = progress_mod.save(progress, answers, file_names)

    # Every POST answers with a redirect (Post/Redirect/Get), errors included: the browser
    # keeps a POST's body with its history entry, and Chromium writes that to its session
    # files on disk, so a page answering a POST would leave what was typed on the phone.
    # What was typed is in the sealed progress; the GET page shows it again with its errors.
    add_row = request.form.get("add_row")
    if add_row == "contacts":
        shown = _int(request.form.get("contacts-rows"), 1)
        return _redirect_to_step(step_id, rows=min(shown + 1, steps.MAX_CONTACTS))
    if request.form.get("remove_attachment") is not None:
        return _redirect_to_step(step_id, upload_errors)

    errors = upload_errors + steps.validate_step(step_id, answers)
    if errors:
        rows = max(_int(request.form.get("contacts-rows"), 1),
                   len(answers.get("contacts") or []))
        return _redirect_to_step(step_id, upload_errors, rows=rows, invalid=True)
    if _returning():
        return redirect(url_for("report.check"))
    return redirect(url_for("report.step_page", step_id=steps.next_step(step_id))
                    if steps.next_step(step_id) != "check" else url_for("report.check"))


def _redirect_to_step(step_id: str, upload_errors: Sequence[steps.FieldError] = (),
                      rows: int | None = None, invalid: bool = False) -> BaseResponse:
    """The step page again by GET. Upload errors travel as their rule only (a file's name
    would reach the browser's history in the URL), so their message is the field's own."""
    args: dict[str, Any] = {}
    if invalid or upload_errors:
        args["invalid"] = "1"
    if upload_errors:
        args["upload"] = ",".join(sorted({e.rule for e in upload_errors}))
    if rows and rows > 1:
        args["rows"] = str(rows)
    if _returning():
        args["return"] = "check"
    return redirect(url_for("report.step_page", step_id=step_id, **args), code=303)


def _upload_errors_from_query() -> list[steps.FieldError]:
    f = steps.step("evidence").field("attachments")
    rules = (request.args.get("upload") or "").split(",")
    return [steps.FieldError("evidence", "attachments", rule, f.messages[rule])
            for rule in ("too_many", "invalid", "too_large") if rule in rules]


def _int(value: Any, default: int) -> int:
    try:
        return max(1, int(value))
    except (TypeError, ValueError):
        return default


def _take_uploads(answers: steps.Answers, file_names: list[str]) -> list[steps.FieldError]:
    """Remove or add screenshots; each new one is checked by content and sealed to disk."""
    described = list(answers.get("attachments") or [])
    errors = []
    remove = request.form.get("remove_attachment")
    if remove is not None:
        i = int(remove) if remove.isdigit() else -1
        if 0 <= i < len(file_names):
            sealed_files.remove(app_object(), [file_names[i]])
            del file_names[i]
            del described[i]
    f = steps.step("evidence").field("attachments")
    for upload in request.files.getlist("attachments"):
        if not upload or not upload.filename:
            continue
        if len(described) >= steps.MAX_ATTACHMENTS:
            errors.append(steps.FieldError("evidence", "attachments", "too_many",
                                           f.messages["too_many"]))
            break
        data = upload.read(steps.MAX_ATTACHMENT_BYTES + 1)
        try:
            mime = _check_upload(data)
        except ValueError as err:
            errors.append(steps.FieldError("evidence", "attachments", "invalid",
                                           f"{upload.filename}: {err}"))
            continue
        file_names.append(progress_mod.add_file(data))
        described.append({"name": Path(upload.filename).name[:steps.MAX_ATTACHMENT_NAME],
                          "type": mime,
                          "size": len(data)})
    if described:
        answers["attachments"] = described
    else:
        answers.pop("attachments", None)
    return errors


def _check_upload(data: bytes) -> str:
    """The image's type, or ValueError with a message for the person. The public side checks
    size and magic bytes only (no image decoding there: Pillow runs where reports are opened,
    which checks every screenshot again); the all-in-one process decodes it now."""
    if sealing.holds_private_key():
        from . import attachments

        return attachments.check_image(data)
    if len(data) > steps.MAX_ATTACHMENT_BYTES:
        raise ValueError("Each screenshot must be 10 MB or smaller")
    mime = sealed_files.sniff(data)
    if mime is None:
        raise ValueError("The file must be a JPEG, PNG, WebP or GIF image")
    return mime


@bp.route("/check", methods=["GET", "POST"])
@limiter.limit(limits.new_reports, methods=["POST"],
               deduct_when=lambda r: g.get("report_created", False))
def check() -> ResponseReturnValue:
    progress = progress_mod.load()
    if progress is None:
        if request.method == "POST" and progress_mod.sent_row() is not None:
            # "Send report" again after it was sent: the same confirmation.
            return redirect(url_for("report.sent"))
        return redirect(url_for("report.step_page", step_id=steps.STEP_IDS[0]))
    answers = progress.answers
    if request.method == "POST":
        # (Unknown keys cannot come from the form, and clean() would drop them.)
        errors = [e for e in steps.validate(answers) if e.step in steps.BY_ID]
        if errors:
            first = errors[0].step
            return _render_step(first, answers, [e for e in errors if e.step == first],
                                returning=True)
        # Plain values: a simultaneous "Send report" may change the row under us.
        pid, key, names = progress.row.id, progress.idempotency_key, progress.files
        receipt: store.Receipt | None
        try:
            receipt = store.stored_receipt(key) or _send(progress)
        except store.Rejected as err:
            if err.extra.get("step"):
                error = steps.FieldError(err.extra["step"], err.extra.get("field", ""),
                                         err.extra.get("rule", "invalid"), err.message)
                return _render_step(error.step, answers, [error], returning=True)
            abort(err.status)
        except FileNotFoundError:
            # A simultaneous post sent it and removed the uploads meanwhile.
            db.session.rollback()
            receipt = store.stored_receipt(key)
            if receipt is None:
                raise
        progress_mod.mark_sent(pid, names)
        g.report_created = receipt.created
        session[SENT_HELP_KEY] = handoff_token(handoff(answers))
        return redirect(url_for("report.sent"))
    problem = NOTICES["not_sent"] if request.args.get("notice") == "not_sent" else None
    return render_template("report/check.html", answers=answers,
                           rows=readable.describe_by_step(answers),
                           incomplete=steps.first_incomplete_step(answers),
                           nojs=True, errors={}, problem=problem)


def _send(progress: progress_mod.Progress) -> store.Receipt:
    """Seal the answers to the force's public key, as a device does, and store them exactly
    like a device's report."""
    cleaned = steps.clean(progress.answers)
    plain = json.dumps(cleaned, ensure_ascii=False, separators=(",", ":")).encode()
    envelope = sealing.seal_to_current(plain)
    app = app_object()
    blobs = [sealed_files.read(app, name) for name in progress.files]
    created = progress.created_at.isoformat()
    try:
        # The language of the pages it was written on (the URL's prefix: /cy/report/check).
        return store.receive(progress.idempotency_key, created, envelope, blobs,
                             language=i18n.current().code)
    except store.Rejected as err:
        # The key is this progress's own: a conflict is a second "Send report" of the same
        # report (sealed again, so different bytes) that lost the race to the first.
        if err.code == "idempotency_conflict":
            receipt = store.stored_receipt(progress.idempotency_key)
            assert receipt is not None  # the conflict says a report has this key
            return receipt
        raise


@bp.get("/sent")
def sent() -> ResponseReturnValue:
    row = progress_mod.sent_row()
    receipt = store.stored_receipt(row.idempotency_key) if row is not None else None
    if receipt is None:
        return redirect(url_for("report.start"))
    return render_template("report/sent.html", reference=receipt.reference,
                           handoff=open_handoff(session.pop(SENT_HELP_KEY, "")), nojs=True)


def handoff(answers: steps.Answers) -> list[str]:
    """The next steps the "sent" page offers: under 18 → image removal; paid → the bank."""
    return [name for name, holds in (("under-18", steps.is_under_18(answers)),
                                      ("paid", answers.get("paid") == "yes")) if holds]


HANDOFFS = ("under-18", "paid")


def _handoff_key() -> bytes:
    return sealing.derived_key(b"sx no-js sent page hand-off")


def handoff_token(names: list[str]) -> str:
    """The hand-off as one encrypted byte of flags: the same length whatever it says."""
    flags = sum(1 << i for i, name in enumerate(HANDOFFS) if name in names)
    return base64.urlsafe_b64encode(sealing.lock(_handoff_key(), bytes([flags]))).decode()


def open_handoff(token: str) -> list[str]:
    try:
        flags = sealing.unlock(_handoff_key(), base64.urlsafe_b64decode(token))[0]
    except (ValueError, TypeError, IndexError, InvalidTag):
        return []
    return [name for i, name in enumerate(HANDOFFS) if flags & (1 << i)]


@bp.post("/discard")
def discard() -> BaseResponse:
    """Delete the progress (from the check page, or "start again")."""
    progress_mod.discard()
    return redirect(url_for("report.start"))



# --- a step posted without a valid token, or too large to read --------------------------
# The person loses nothing and is told what happened and what to do. As every step POST
# does, these answer with a redirect (so no page holds a POST body), and the GET page shows
# the notice (`?notice=`). A post without a valid token is saved only when it carried this
# browser's own progress: the session cookie is SameSite=Strict, so no other site's form can
# send it. Without progress (the cookie was lost) the step is shown again at once, with what
# was typed and unsaved: the one case where keeping the text means answering the POST.

NOTICES = {
    "expired": _l("This page was open for a long time, so for your safety we did not move on. "
               "Your answers are saved: check them and select Continue again."),
    "unsaved": _l("This page was open for a long time (or your browser lost our cookie), so for "
               "your safety we did not save it. Your answers are still here: check them and "
               "select Continue again."),
    "too_large": _l("What you sent was too large for us to read, so nothing on this page was "
                 "saved: you are seeing the answers saved before. %(what)s Then select "
                 "Continue again."),
    "not_sent": _l("This page was open for a long time (or your browser lost our cookie), so "
                "for your safety we have not sent your report yet. Your answers are saved: "
                "check them and select Send report again."),
}


def _notice_errors(step_id: str) -> list[steps.FieldError]:
    """The notice for a step page, as an error at the top naming where to look."""
    notice = request.args.get("notice")
    if notice not in ("expired", "too_large"):
        return []
    if notice == "too_large" and step_id == "evidence":
        field = "attachments"
        what = _("Attach fewer or smaller screenshots (up to %(n)s, %(mb)s MB each), a few at "
                 "a time.", n=steps.MAX_ATTACHMENTS,
                 mb=steps.MAX_ATTACHMENT_BYTES // (1024 * 1024))
    else:
        field = steps.step(step_id).fields[0].name
        what = _("Shorten your answers.")
    message = str(NOTICES[notice])
    return [steps.FieldError(step_id, field, notice,
                             message % {"what": what} if notice == "too_large" else message)]


def _step_from_url() -> str | None:
    step_id = (request.view_args or {}).get("step_id")
    return step_id if request.endpoint == "report.step_page" and step_id in steps.BY_ID \
        else None


def _back_with_notice(endpoint: str, notice: str, **args: Any) -> BaseResponse:
    if _returning():
        args["return"] = "check"
    return redirect(url_for(endpoint, notice=notice, **args), code=303)


@bp.errorhandler(CSRFError)
def token_failed(err: CSRFError) -> ResponseReturnValue:
    step_id = _step_from_url()
    progress = progress_mod.load()
    if request.endpoint == "report.check" and progress is not None:
        return _back_with_notice("report.check", "not_sent")
    if step_id is None:
        return handle_http(err)
    typed = steps.from_form(step_id, request.form)
    if progress is not None:
        progress_mod.save(progress, {**progress.answers, **typed})
        return _back_with_notice("report.step_page", "expired", step_id=step_id)
    first = steps.step(step_id).fields[0].name
    return _render_step(step_id, typed, [steps.FieldError(step_id, first, "unsaved",
                                                          NOTICES["unsaved"])], status=400)


@bp.errorhandler(RequestEntityTooLarge)
def too_large(err: RequestEntityTooLarge) -> ResponseReturnValue:
    step_id = _step_from_url()
    if step_id is None:
        return handle_http(err)
    return _back_with_notice("report.step_page", "too_large", step_id=step_id)
