"""Replying to a victim inside the app (issue 17): the report page's thread and reply form.

The reply is sealed on this side to the mailbox's public key (the device opens it) and to
the force's key (so officers can read the thread); pwa/report/mailbox.py does both. Each
reply is audited: who and when, never the text.
"""
from flask import flash, redirect, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from ..extensions import db
from ..report import mailbox
from . import audit, bp


class ReplyForm(FlaskForm):
    # Named `reply`, not `text`: the report page also has the note form.
    reply = TextAreaField("Reply to the person in the app", validators=[
        DataRequired("Enter a reply"),
        Length(max=mailbox.MAX_REPLY_CHARS,
               message=f"A reply must be {mailbox.MAX_REPLY_CHARS:,} characters or fewer")])


def context(report, reply_form=None):
    """What the report page shows of the mailbox: its state, the thread, the form."""
    from .models import Officer

    thread = mailbox.thread(report)
    ids = {m.officer_id for m, _ in thread if m.officer_id}
    names = {o.id: o.email for o in db.session.scalars(
        db.select(Officer).where(Officer.id.in_(ids)))} if ids else {}
    return {"mailbox": report.mailbox, "thread": thread, "officer_names": names,
            "reply_form": reply_form or ReplyForm()}


@bp.post("/reports/<reference>/replies")
def reply(reference):
    from .views import _render_report, _report_or_404

    report = _report_or_404(reference)
    form = ReplyForm()
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            return redirect(url_for("officers.report", reference=report.reference))
        return _render_report(report, reply_form=form, status=400)
    try:
        mailbox.reply(report, current_user, form.reply.data)
    except mailbox.ReplyRefused as err:
        form.reply.errors = [str(err)]
        return _render_report(report, reply_form=form, status=400)
    audit.record("mailbox_reply", officer=current_user, report=report, commit=False)
    db.session.commit()
    flash("Reply sent. The person will see it the next time they open the app online.")
    return redirect(url_for("officers.report", reference=report.reference) + "#replies")
