"""The report form: the device-driven page /report/, its rules, and the no-JS step pages.

Two paths, one set of steps (pwa/report/steps.py):
- With JavaScript, /report/ holds every step and the device runs them, seals the report and
  delivers it through its outbox to POST /api/reports (pwa/report/api.py).
- Without JavaScript, /report/<step> are ordinary forms (Flask-WTF, CSRF). Progress is kept
  sealed in the database (pwa/report/progress.py); "Send report" seals the answers on the
  server and stores them through the same code as a device's report (pwa/report/store.py).
"""
import datetime
import json
from pathlib import Path

from flask import (Blueprint, abort, current_app, jsonify, redirect, render_template, request,
                   session, url_for)

from .. import sealing
from ..extensions import limiter
from ..offline_app import register_page, register_worker_script
from ..page_cache import cached_page
from . import api, attachments, cli, limits, readable, sealed_files, steps, store
from . import progress as progress_mod

bp = Blueprint("report", __name__, url_prefix="/report", cli_group=None)

SENT_KEY = "report_sent"
# Which next steps the "sent" page offers (under 18, paid): read once by that page and then
# dropped, so the cookie carries them only across the redirect.
SENT_HELP_KEY = "report_sent_help"
# Pages that carry nothing per session and may be cached (by flask-caching and the worker).
CACHEABLE = {"report.start", "report.rules"}


def init_app(app):
    app.register_blueprint(bp)
    app.register_blueprint(api.bp)
    cli.init_app(app)
    # A cap on every request body, enforced while it is read (CSRFProtect reads the form
    # before any view runs): a report with its most attachments, sealed, fits.
    if app.config.get("MAX_CONTENT_LENGTH") is None:
        app.config["MAX_CONTENT_LENGTH"] = api.MAX_REQUEST_BYTES
    app.jinja_env.globals.update(
        report_step=steps.step, report_steps=steps.STEPS, report_under_18=steps.UNDER_18,
        attachment_types=sorted(steps.ATTACHMENT_TYPES),
        static_exists=lambda name: name in app.extensions["assets"].hashes)
    register_page(app, "/report/")
    register_page(app, "/report/rules.json")
    register_page(app, "/api/report-key")
    # The client side's outbox, loaded by the service worker too; only once it exists.
    if (Path(app.static_folder) / "js" / "outbox-core.js").exists():
        register_worker_script(app, "js/outbox-core.js")


@bp.after_request
def no_store(response):
    # Step pages carry a CSRF token and the person's answers: never cached anywhere.
    if request.endpoint not in CACHEABLE:
        response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/")
@cached_page
def start():
    """The device's form (every step, driven by JavaScript) and the no-JS way in."""
    return render_template("report/start.html", answers={}, errors={}, nojs=False)


@bp.get("/rules.json")
def rules():
    response = jsonify(steps.rules())
    response.headers["Cache-Control"] = "no-cache"
    return response


def _render_step(step_id, answers, errors=(), row_count=1, status=200, returning=None):
    """A step page. Its fields and their rules are the steps' (one source of truth); the form
    carries Flask-WTF's CSRF token, checked by CSRFProtect on every POST."""
    error_map = {}
    for err in errors:
        error_map.setdefault(err.field, err.message)
    s = steps.step(step_id)
    return render_template(
        "report/step.html", step=s, answers=answers, errors=error_map, error_list=errors,
        nojs=True, row_count=row_count, uploaded=answers.get("attachments") or [],
        back=_back_url(step_id), returning=_returning() if returning is None else returning,
        position=steps.STEP_IDS.index(step_id) + 1, total=len(steps.STEP_IDS)), status


def _returning():
    return request.args.get("return") == "check"


def _back_url(step_id):
    if _returning():
        return url_for("report.check")
    previous = steps.previous_step(step_id)
    return url_for("report.step_page", step_id=previous) if previous else url_for(
        "report.start")


@bp.route("/<step_id>", methods=["GET", "POST"])
def step_page(step_id):
    if step_id not in steps.BY_ID:
        abort(404)
    progress = progress_mod.load()
    answers = dict(progress.answers) if progress else {}
    if request.method == "GET":
        rows = min(max(len(answers.get("contacts") or []) + 1, _int(request.args.get("rows"), 1)),
                   steps.MAX_CONTACTS)
        errors = []
        if request.args.get("invalid"):  # the redirect after a POST with errors
            errors = _upload_errors_from_query() + steps.validate_step(step_id, answers)
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


def _redirect_to_step(step_id, upload_errors=(), rows=None, invalid=False):
    """The step page again by GET. Upload errors travel as their rule only (a file's name
    would reach the browser's history in the URL), so their message is the field's own."""
    args = {}
    if invalid or upload_errors:
        args["invalid"] = "1"
    if upload_errors:
        args["upload"] = ",".join(sorted({e.rule for e in upload_errors}))
    if rows and rows > 1:
        args["rows"] = str(rows)
    if _returning():
        args["return"] = "check"
    return redirect(url_for("report.step_page", step_id=step_id, **args), code=303)


def _upload_errors_from_query():
    f = steps.step("evidence").field("attachments")
    rules = (request.args.get("upload") or "").split(",")
    return [steps.FieldError("evidence", "attachments", rule, f.messages[rule])
            for rule in ("too_many", "invalid", "too_large") if rule in rules]


def _int(value, default):
    try:
        return max(1, int(value))
    except (TypeError, ValueError):
        return default


def _take_uploads(answers, file_names):
    """Remove or add screenshots; each new one is checked by content and sealed to disk."""
    described = list(answers.get("attachments") or [])
    errors = []
    remove = request.form.get("remove_attachment")
    if remove is not None:
        i = int(remove) if remove.isdigit() else -1
        if 0 <= i < len(file_names):
            sealed_files.remove(current_app._get_current_object(), [file_names[i]])
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
            mime = attachments.check_image(data)
        except attachments.AttachmentInvalid as err:
            errors.append(steps.FieldError("evidence", "attachments", "invalid",
                                           f"{upload.filename}: {err}"))
            continue
        file_names.append(progress_mod.add_file(data))
        described.append({"name": Path(upload.filename).name[:200], "type": mime,
                          "size": len(data)})
    if described:
        answers["attachments"] = described
    else:
        answers.pop("attachments", None)
    return errors


@bp.route("/check", methods=["GET", "POST"])
@limiter.limit(limits.new_reports, methods=["POST"], deduct_when=lambda r: r.status_code == 302
               and r.location.endswith("/report/sent"))
def check():
    progress = progress_mod.load()
    if progress is None:
        return redirect(url_for("report.step_page", step_id=steps.STEP_IDS[0]))
    answers = progress.answers
    if request.method == "POST":
        errors = steps.validate(answers)
        if errors:
            first = errors[0].step
            return _render_step(first, answers, [e for e in errors if e.step == first],
                                returning=True)
        try:
            receipt = _send(progress)
        except store.Rejected as err:
            if err.extra.get("step"):
                error = steps.FieldError(err.extra["step"], err.extra.get("field", ""),
                                         err.extra.get("rule", "invalid"), err.message)
                return _render_step(error.step, answers, [error], returning=True)
            raise
        progress_mod.discard(progress.row)
        session[SENT_KEY] = receipt.reference
        session[SENT_HELP_KEY] = handoff(answers)
        return redirect(url_for("report.sent"))
    return render_template("report/check.html", answers=answers,
                           rows=readable.describe_by_step(answers),
                           incomplete=steps.first_incomplete_step(answers),
                           nojs=True, errors={})


def _send(progress):
    """Seal the answers on the server and store them exactly like a device's report."""
    cleaned = steps.clean(progress.answers)
    plain = json.dumps(cleaned, ensure_ascii=False, separators=(",", ":")).encode()
    envelope = sealing.seal_to_current(plain)
    app = current_app._get_current_object()
    blobs = [sealed_files.read(app, name) for name in progress.files]
    created = progress.created_at.astimezone(datetime.timezone.utc).isoformat()
    return store.receive(progress.idempotency_key, created, envelope, blobs)


@bp.get("/sent")
def sent():
    reference = session.get(SENT_KEY)
    if not reference:
        return redirect(url_for("report.start"))
    return render_template("report/sent.html", reference=reference,
                           handoff=session.pop(SENT_HELP_KEY, []), nojs=True)


def handoff(answers: dict) -> list[str]:
    """The next steps the "sent" page offers: under 18 → image removal; paid → the bank."""
    return [name for name, holds in (("under-18", steps.is_under_18(answers)),
                                      ("paid", answers.get("paid") == "yes")) if holds]


@bp.post("/discard")
def discard():
    """Delete the progress (from the check page, or "start again")."""
    progress_mod.discard()
    return redirect(url_for("report.start"))
