"""Officers' pages. Thin: the work is in auth.py, reports.py and audit.py."""
import json
from collections.abc import Sequence
from typing import Any

from flask import (Response, abort, current_app, flash, jsonify, make_response, redirect,
                   render_template, request, session, url_for)
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response as BaseResponse
from wtforms.fields.choices import SelectChoice

from .. import clock
from ..extensions import app_object, csrf, db, limiter, talisman
from .. import sealing
from ..models import Report
from ..report import readable, sealed_files
from ..report.steps import Answers
from ..responses import no_store
from . import audit, auth, replies, reports
from . import bp
from .forms import AssignForm, ChangePasswordForm, EmptyForm, NoteForm, SignInForm, StatusForm
from .models import AuditEntry, Officer

PUBLIC = {"officers.sign_in"}
# Polled by the page itself: they must not keep an idle session alive.
PASSIVE = {"officers.api_summary", "officers.api_rows"}
SEEN = "officers_seen"
STARTED = "officers_started"  # when this session signed in (the absolute lifetime)
ATTACHMENT_CSP = "default-src 'none'; sandbox"


@bp.before_request
def require_officer() -> BaseResponse | None:
    if request.endpoint in PUBLIC:
        return None
    if not current_user.is_authenticated:
        return redirect(url_for("officers.sign_in"))
    now = clock.now().timestamp()
    idle = current_app.config["OFFICER_IDLE_MINUTES"] * 60
    lifetime = current_app.config["OFFICER_SESSION_HOURS"] * 3600
    seen, started = session.get(SEEN), session.get(STARTED)
    if seen is None or now - seen > idle:
        audit.record("session_expired", officer=current_user, commit=False)
        _end_session()
        return redirect(url_for("officers.sign_in", expired=1))
    if started is None or now - started > lifetime:
        # However active: a session lasts one shift (ASVS 7.3.2).
        audit.record("session_limit", officer=current_user, commit=False)
        _end_session()
        return redirect(url_for("officers.sign_in", expired="shift"))
    if request.endpoint not in PASSIVE:
        session[SEEN] = now
    return None


@bp.after_request
def never_cache(response: Response) -> Response:
    return no_store(response)


def _end_session() -> None:
    officer = db.session.get(Officer, current_user.id)
    if officer is not None:
        officer.login_id = None  # the cookie, even if kept, no longer signs anyone in
    db.session.commit()
    logout_user()
    session.clear()


@bp.route("/sign-in", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["OFFICER_SIGNIN_RATE"], methods=["POST"])
@csrf.exempt  # the form checks its own token, so an expired one keeps the email typed
def sign_in() -> ResponseReturnValue:
    if current_user.is_authenticated and session.get(SEEN):
        return redirect(url_for("officers.dashboard"))
    form = SignInForm()
    failed = False
    if form.validate_on_submit():
        result = auth.attempt_sign_in(form.email.data, form.password.data, form.code.data,
                                      request.remote_addr)
        if result.ok:
            # A new session: nothing from before sign-in survives, and the cookie changes.
            session.clear()
            session.permanent = True
            login_user(result.officer)
            session[SEEN] = session[STARTED] = clock.now().timestamp()
            audit.record("sign_in", officer=result.officer)
            return redirect(url_for("officers.dashboard"))
        audit.record("sign_in_failed", officer=result.officer, detail=result.reason)
        failed = True
    form.code.data = ""
    status = 200 if request.method == "GET" else 400
    return render_template("officers/sign_in.html", form=form, failed=failed,
                           expired=request.args.get("expired") == "1",
                           shift_ended=request.args.get("expired") == "shift",
                           signed_out=request.args.get("signed_out") == "1"), status


@bp.post("/sign-out")
def sign_out() -> BaseResponse:
    if not EmptyForm().validate_on_submit():
        abort(400)
    audit.record("sign_out", officer=current_user, commit=False)
    _end_session()
    return redirect(url_for("officers.sign_in", signed_out=1))


def _filters() -> tuple[str, str]:
    status = request.args.get("status", "")
    flag = request.args.get("flag", "")
    return (status if status in reports.STATUSES else "",
            flag if flag in reports.FLAGS else "")


def _rows() -> tuple[Sequence[Report], bool]:
    reports.open_pending()
    status, flag = _filters()
    query = reports.dashboard_query(status, flag).limit(reports.LIST_LIMIT + 1)
    found = db.session.execute(query).scalars().all()
    return found[:reports.LIST_LIMIT], len(found) > reports.LIST_LIMIT


def _new_text(count: int) -> str:
    return f"{count} new report{'' if count == 1 else 's'}"


@bp.get("/")
def dashboard() -> str:
    rows, more = _rows()
    status, flag = _filters()
    summary = reports.summary()
    return render_template("officers/dashboard.html", rows=rows, more=more, status=status,
                           flag=flag, summary=summary, new_text=_new_text(summary["new"]),
                           statuses=reports.STATUSES, flags=reports.FLAGS,
                           waited=reports.waited, officers=_officer_names())


@bp.get("/api/summary")
def api_summary() -> Response:
    # The live count's poll is also when new arrivals are opened (flags set), so a report
    # in danger reaches the top of the list within one poll.
    reports.open_pending()
    summary = reports.summary()
    return jsonify({**summary, "new_text": _new_text(summary["new"])})


@bp.get("/api/rows")
def api_rows() -> str:
    rows, more = _rows()
    return render_template("officers/_rows.html", rows=rows, more=more,
                           statuses=reports.STATUSES, waited=reports.waited,
                           officers=_officer_names())


def _officer_names() -> dict[int, str]:
    return {o.id: o.email for o in db.session.scalars(db.select(Officer))}


def _report_or_404(reference: str) -> Report:
    report = reports.find(reference)
    if report is None:
        abort(404)
    return report


def _assign_form(report: Report) -> AssignForm:
    form = AssignForm()
    form.officer.choices = [SelectChoice("", "Nobody")] + [
        SelectChoice(str(o.id), o.email)
        for o in db.session.scalars(
            db.select(Officer).filter_by(active=True).order_by(Officer.email))]
    if request.method == "GET":
        form.officer.data = str(report.assigned_to_id or "")
    return form


def _attachment_rows(report: Report, answers: Answers | None) -> list[dict[str, Any]]:
    answers = answers or {}
    attached = answers.get("attachments")
    meta = attached if isinstance(attached, list) else []
    rows = []
    for n, attachment in enumerate(report.attachments, start=1):
        info = meta[n - 1] if n - 1 < len(meta) and isinstance(meta[n - 1], dict) else {}
        rows.append({"n": n, "type": info.get("type") or "unknown type",
                     "size": info.get("size") or attachment.size,
                     "problem": attachment.problem})
    return rows


def _render_report(report: Report, note_form: NoteForm | None = None, status: int = 200,
                   reply_form: Any = None) -> tuple[str, int]:
    answers = reports.open_answers(report)
    shown = {k: v for k, v in (answers or {}).items() if k != "attachments"}
    assigned = (db.session.get(Officer, report.assigned_to_id)
                if report.assigned_to_id else None)
    return render_template(
        "officers/report.html", report=report,
        rows=readable.describe(shown) if answers is not None else None,
        attachments=_attachment_rows(report, answers), notes=reports.notes(report),
        status_form=StatusForm(status=report.status), assign_form=_assign_form(report),
        note_form=note_form or NoteForm(), statuses=reports.STATUSES,
        waited=reports.waited(report), assigned=assigned,
        **replies.context(report, reply_form)), status


@bp.get("/reports/<reference>")
def report(reference: str) -> tuple[str, int]:
    report = _report_or_404(reference)
    page = _render_report(report)
    audit.record("report_view", officer=current_user, report=report)
    return page


@bp.get("/reports/<reference>/attachments/<int:n>")
@talisman(content_security_policy=ATTACHMENT_CSP)
def attachment(reference: str, n: int) -> Response:
    report = _report_or_404(reference)
    if not 1 <= n <= len(report.attachments):
        abort(404)
    stored = report.attachments[n - 1]
    try:
        data = reports.open_attachment(stored)
        mime, ext = reports.sniff_image(data)
    except sealing.SealError:
        # It could not be opened: the sealed original, to download only.
        data = sealed_files.read(app_object(), stored.stored_name)
        mime, ext = "application/octet-stream", "sealed"
    if stored.problem:
        mime = "application/octet-stream"  # failed the image check: never shown inline
    audit.record("attachment_view", officer=current_user, report=report,
                 detail=f"attachment {n}")
    disposition = "inline" if mime.startswith("image/") and not request.args.get(
        "download") else "attachment"
    response = make_response(data)
    response.headers["Content-Type"] = mime
    response.headers["Content-Disposition"] = f'{disposition}; filename="{report.reference}-{n}.{ext}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = ATTACHMENT_CSP
    return response


@bp.post("/reports/<reference>/status")
def change_status(reference: str) -> BaseResponse:
    report = _report_or_404(reference)
    form = StatusForm()
    if not form.validate_on_submit():
        abort(400)
    old = report.status
    reports.set_status(report, form.status.data)
    audit.record("status_change", officer=current_user, report=report,
                 detail=f"{old} -> {report.status}")
    flash(f"Status changed to {reports.STATUSES[report.status]}.")
    return redirect(url_for("officers.report", reference=report.reference))


@bp.post("/reports/<reference>/assign")
def assign(reference: str) -> BaseResponse:
    report = _report_or_404(reference)
    form = _assign_form(report)
    if not form.validate_on_submit():
        abort(400)
    officer = db.session.get(Officer, int(form.officer.data)) if form.officer.data else None
    report.assigned_to_id = officer.id if officer else None
    if officer and report.status in ("new", "in_review"):
        reports.set_status(report, "assigned")
    audit.record("assign", officer=current_user, report=report,
                 detail=f"to officer {officer.id}" if officer else "unassigned")
    flash(f"Assigned to {officer.email}." if officer else "Nobody is assigned now.")
    return redirect(url_for("officers.report", reference=report.reference))


@bp.post("/reports/<reference>/notes")
def add_note(reference: str) -> ResponseReturnValue:
    report = _report_or_404(reference)
    form = NoteForm()
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            abort(400)
        # The report again, the message beside the field, and what was typed kept.
        return _render_report(report, note_form=form, status=400)
    reports.add_note(report, current_user, form.text.data)
    audit.record("note_add", officer=current_user, report=report)
    flash("Note added.")
    return redirect(url_for("officers.report", reference=report.reference))


@bp.get("/reports/<reference>/export.json")
def export_json(reference: str) -> Response:
    report = _report_or_404(reference)
    body = json.dumps(reports.export(report), indent=2, ensure_ascii=False)
    audit.record("export", officer=current_user, report=report, detail="json")
    response = make_response(body)
    response.headers["Content-Type"] = "application/json; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{report.reference}.json"'
    return response


@bp.get("/reports/<reference>/print")
def export_print(reference: str) -> str:
    report = _report_or_404(reference)
    data = reports.export(report)
    audit.record("export", officer=current_user, report=report, detail="printable page")
    answers = {k: v for k, v in (data["answers"] or {}).items() if k != "attachments"}
    return render_template("officers/print.html", report=report, data=data,
                           rows=readable.describe(answers) if data["answers"] is not None
                           else None, statuses=reports.STATUSES,
                           waited=reports.waited(report))


MAX_AUDIT_PAGE = 10_000_000  # 10^9 entries at 100 a page


@bp.route("/password", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["OFFICER_SIGNIN_RATE"], methods=["POST"])
def change_password() -> ResponseReturnValue:
    """Change one's own password: the current one and a code are needed (ASVS 6.2.2/6.2.3).
    Every other session of the account ends; this one carries on."""
    form = ChangePasswordForm()
    failed = False
    if form.validate_on_submit():
        officer = db.session.get(Officer, current_user.id)
        assert officer is not None  # signed in: the session's account exists
        if auth.change_password(officer, form.current.data, form.code.data, form.new.data):
            audit.record("password_change", officer=officer)
            login_user(officer)  # the session now carries the new login id
            flash("Your password has been changed. Other sessions have been signed out.")
            return redirect(url_for("officers.dashboard"))
        # (The record commits, so a code used here stays used.)
        audit.record("password_change_failed", officer=officer,
                     detail="wrong current password or code")
        failed = True
    for field in (form.current, form.new, form.confirm, form.code):
        field.data = ""  # never sent back into the page
    status = 200 if request.method == "GET" else 400
    return render_template("officers/password.html", form=form, failed=failed), status


@bp.get("/audit")
def audit_log() -> str:
    if not current_user.is_supervisor:
        abort(403)
    page = request.args.get("page", 1, type=int)
    # A page far past the end is the empty last page, not an OFFSET the database cannot
    # hold (OverflowError on SQLite, DataError on PostgreSQL).
    page = min(max(page, 1), MAX_AUDIT_PAGE)
    entries = db.paginate(db.select(AuditEntry).order_by(AuditEntry.id.desc()),
                          page=page, per_page=100, error_out=False)
    return render_template("officers/audit.html", entries=entries, actions=audit.ACTIONS)
