"""Officers' work on reports: the dashboard's order and filters, the report page, notes,
status, assignment, exports; each audited; nothing readable at rest."""
import datetime
import json
import re

import pytest
import sqlalchemy

from officers_support import clock, make_officer, make_report, post, sign_in  # noqa: F401

from pwa.extensions import db
from pwa.models import Report
from pwa.officers import reports
from pwa.officers.models import AuditEntry, Note

OFFICER = "officer@example.police.uk"
SECRET_STORY = "Quokka-marmalade-29183 threatened me on Snapchat"
SECRET_NOTE = "Spoke to victim, suspect alias Heliotrope-55120"
SECRET_IMAGE = b"\x89PNG\r\n\x1a\n" + b"Tangerine-wombat-66241" * 20


@pytest.fixture
def officer(app):
    return make_officer(app, OFFICER)


@pytest.fixture
def signed_in(app, officer, clock):
    client = app.test_client()
    sign_in(client, OFFICER, officer[1], clock)
    return client


def audit(app, action=None):
    with app.app_context():
        query = AuditEntry.query.order_by(AuditEntry.id)
        if action:
            query = query.filter_by(action=action)
        return [(e.action, e.officer_id, e.reference, e.detail) for e in query]


def test_dashboard_puts_flagged_reports_first_then_newest(app, signed_in, clock):
    now = clock.now()
    old_flagged = make_report(app, received_at=now - datetime.timedelta(days=3), under_18=True)
    newest = make_report(app, received_at=now)
    older = make_report(app, received_at=now - datetime.timedelta(days=1))
    danger = make_report(app, received_at=now - datetime.timedelta(days=2), in_danger=True)
    html = signed_in.get("/officers/").get_data(as_text=True)
    order = [m for m in re.findall(r"SX-[A-Z0-9]{4}-[A-Z0-9]{4}", html)]
    order = list(dict.fromkeys(order))
    assert order == [danger, old_flagged, newest, older]
    assert "4 new reports" in html
    assert "Under 18" in html and "In danger now" in html


def test_dashboard_filters_by_status_and_flag(app, signed_in):
    flagged = make_report(app, under_18=True)
    closed = make_report(app, status="closed")
    plain = make_report(app)
    html = signed_in.get("/officers/?flag=under_18").get_data(as_text=True)
    assert flagged in html and closed not in html and plain not in html
    html = signed_in.get("/officers/?status=closed").get_data(as_text=True)
    assert closed in html and flagged not in html and plain not in html
    html = signed_in.get("/officers/?status=nonsense&flag=nonsense").get_data(as_text=True)
    assert all(r in html for r in (flagged, closed, plain))


def test_dashboard_shows_how_long_a_report_waited_on_the_device(app, signed_in, clock):
    now = clock.now()
    make_report(app, created_at=now - datetime.timedelta(days=1, hours=3, minutes=5),
                received_at=now)
    assert "1 day 3 hours" in signed_in.get("/officers/").get_data(as_text=True)


@pytest.mark.parametrize("seconds, text", [
    (20, "under a minute"), (60, "1 minute"), (3 * 3600 + 20 * 60, "3 hours 20 minutes"),
    (2 * 86400, "2 days"), (-50, "under a minute"),
])
def test_waited_is_human_readable(seconds, text):
    received = datetime.datetime(2026, 1, 1, 12, tzinfo=datetime.timezone.utc)
    report = Report(received_at=received,
                    created_at=received - datetime.timedelta(seconds=seconds))
    assert reports.waited(report) == text


def test_summary_counts_new_reports_and_changes_when_one_arrives(app, signed_in):
    make_report(app)
    first = signed_in.get("/officers/api/summary").get_json()
    assert first["new"] == 1 and first["new_text"] == "1 new report"
    reference = make_report(app)
    second = signed_in.get("/officers/api/summary").get_json()
    assert second["new"] == 2 and second["version"] != first["version"]
    assert reference in signed_in.get("/officers/api/rows").get_data(as_text=True)


def test_report_page_shows_every_answer_and_audits_the_view(app, signed_in, officer):
    answers = {"v": 1, "in_danger": "yes", "age_band": "16-17", "what_happened": SECRET_STORY,
               "platforms": ["snapchat", "other"], "platform_other": "Kik",
               "contacts": [{"kind": "username", "value": "badguy_123"}]}
    reference = make_report(app, answers=answers, in_danger=True, under_18=True)
    html = signed_in.get(f"/officers/reports/{reference}").get_data(as_text=True)
    # Answers are shown with the form's own labels (pwa/report/readable.py).
    for text in (SECRET_STORY, "16 or 17", "Kik", "badguy_123", "Snapchat"):
        assert text in html
    assert audit(app, "report_view") == [("report_view", officer[0], reference, "")]


def test_attachment_view_is_audited(app, signed_in, officer):
    reference = make_report(app, images=[SECRET_IMAGE])
    assert signed_in.get(f"/officers/reports/{reference}/attachments/1").data == SECRET_IMAGE
    assert audit(app, "attachment_view") == [
        ("attachment_view", officer[0], reference, "attachment 1")]


def test_status_change_is_saved_and_audited(app, signed_in, officer):
    reference = make_report(app)
    page = f"/officers/reports/{reference}"
    response = post(signed_in, f"{page}/status", {"status": "closed"}, page=page)
    assert response.status_code == 302
    with app.app_context():
        report = Report.query.filter_by(reference=reference).one()
        assert report.status == "closed" and report.closed_at is not None
    assert audit(app, "status_change") == [
        ("status_change", officer[0], reference, "new -> closed")]
    response = post(signed_in, f"{page}/status", {"status": "deleted"}, page=page)
    assert response.status_code == 400


def test_assignment_is_saved_and_audited(app, signed_in, officer):
    colleague, _ = make_officer(app, "colleague@example.police.uk")
    reference = make_report(app)
    page = f"/officers/reports/{reference}"
    assert post(signed_in, f"{page}/assign", {"officer": str(colleague)},
                page=page).status_code == 302
    with app.app_context():
        report = Report.query.filter_by(reference=reference).one()
        assert report.assigned_to_id == colleague and report.status == "assigned"
    assert audit(app, "assign") == [("assign", officer[0], reference, f"to officer {colleague}")]
    assert "colleague@example.police.uk" in signed_in.get("/officers/").get_data(as_text=True)


def test_notes_are_sealed_shown_and_audited(app, signed_in, officer):
    reference = make_report(app)
    page = f"/officers/reports/{reference}"
    assert post(signed_in, f"{page}/notes", {"text": SECRET_NOTE}, page=page).status_code == 302
    assert SECRET_NOTE in signed_in.get(page).get_data(as_text=True)
    with app.app_context():
        note = Note.query.one()
        assert SECRET_NOTE.encode() not in note.sealed and note.key_id
    assert audit(app, "note_add") == [("note_add", officer[0], reference, "")]


def test_an_empty_note_gets_an_error_beside_the_field(app, signed_in):
    reference = make_report(app)
    page = f"/officers/reports/{reference}"
    response = post(signed_in, f"{page}/notes", {"text": ""}, page=page)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'href="#text"' in html and 'id="text-error"' in html


def test_exports_are_complete_and_audited(app, signed_in, officer):
    reference = make_report(app, answers={"v": 1, "what_happened": SECRET_STORY})
    page = f"/officers/reports/{reference}"
    post(signed_in, f"{page}/notes", {"text": SECRET_NOTE}, page=page)
    response = signed_in.get(f"{page}/export.json")
    assert response.headers["Content-Disposition"] == f'attachment; filename="{reference}.json"'
    data = json.loads(response.data)
    assert data["reference"] == reference
    assert data["answers"]["what_happened"] == SECRET_STORY
    assert data["notes"][0]["text"] == SECRET_NOTE
    printable = signed_in.get(f"{page}/print").get_data(as_text=True)
    assert SECRET_STORY in printable and SECRET_NOTE in printable
    assert [a[3] for a in audit(app, "export")] == ["json", "printable page"]


def test_no_report_content_reaches_the_audit_log(app, signed_in):
    reference = make_report(app, answers={"v": 1, "what_happened": SECRET_STORY},
                            images=[SECRET_IMAGE])
    page = f"/officers/reports/{reference}"
    signed_in.get(page)
    signed_in.get(f"{page}/attachments/1")
    post(signed_in, f"{page}/notes", {"text": SECRET_NOTE}, page=page)
    signed_in.get(f"{page}/export.json")
    text = json.dumps(audit(app))
    assert "Quokka" not in text and "Heliotrope" not in text and "Tangerine" not in text


def test_nothing_readable_in_the_database_file_or_attachment_folder(app, signed_in, tmp_path,
                                                                    database_bytes):
    reference = make_report(app, answers={"v": 1, "what_happened": SECRET_STORY},
                            images=[SECRET_IMAGE])
    page = f"/officers/reports/{reference}"
    post(signed_in, f"{page}/notes", {"text": SECRET_NOTE}, page=page)
    signed_in.get(page)
    blobs = {"database": database_bytes(app)}
    blobs.update({p.name: p.read_bytes() for p in (tmp_path / "attachments").iterdir()})
    assert len(blobs) == 2
    for path, data in blobs.items():
        for needle in ("Quokka-marmalade-29183", "Heliotrope-55120", "Tangerine-wombat"):
            assert needle.encode() not in data, (path, needle)
            assert needle.encode("utf-16-le") not in data


def test_the_audit_log_refuses_update_and_delete(app, signed_in):
    with app.app_context():
        assert AuditEntry.query.count() >= 1
        for sql in ("UPDATE audit_entries SET detail = 'changed'", "DELETE FROM audit_entries"):
            with pytest.raises(sqlalchemy.exc.DatabaseError, match="append-only"):
                db.session.execute(sqlalchemy.text(sql))
            db.session.rollback()
