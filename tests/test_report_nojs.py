"""The no-JavaScript path with the test client, CSRF on: step pages, errors, check, send."""
import datetime
import io
import json
import re

import pytest

from pwa import sealing
from pwa.extensions import db
from pwa.models import Attachment, FormProgress, Report
from report_support import Form, jpeg_bytes, png_bytes

def html(response):
    return response.get_data(as_text=True)


def test_no_js_report_end_to_end(app, client, tmp_path, database_bytes):
    assert app.config.get("WTF_CSRF_ENABLED", True)  # the real thing
    form = Form(client)
    start = form.get("/report/")
    assert 'href="/report/danger"' in html(start)

    page = form.get("/report/danger")
    assert page.headers["Cache-Control"] == "no-store"
    assert form.post("/report/danger", {"in_danger": "yes"}).location == "/report/age"
    # The 999 notice is on every later page while in_danger is yes.
    age_page = form.get("/report/age")
    assert 'data-report-notice="danger"' in html(age_page)
    assert form.post("/report/age", {"age_band": "16-17"}).location == "/report/what-happened"
    wh_page = html(form.get("/report/what-happened"))
    assert "Report Remove" in wh_page and "Childline" in wh_page and "CEOP" in wh_page

    # An error: summary at the top linking to the field, the message beside it, and what
    # was typed kept.
    # Errors come back by Post/Redirect/Get: a page answering a POST would keep its body in
    # the browser's session files (tests/browser/test_report_forensics.py).
    response = form.post("/report/what-happened", {"what_happened": "", "started": "May"},
                         follow_redirects=True)
    page = html(response)
    assert response.status_code == 200 and response.history[0].status_code == 303
    assert '<a href="#what_happened">Enter what happened</a>' in page
    assert 'id="what_happened-error"' in page and 'aria-describedby="what_happened-hint ' \
        'what_happened-error"' in page
    assert 'value="May"' in page
    assert re.search(r"<title[^>]*>Error: ", page)
    assert form.post("/report/what-happened", {
        "what_happened": "They threatened me on Snapchat-canary-9911", "started": "May"
    }).location == "/report/platforms"

    assert form.post("/report/platforms", {"platforms": ["snapchat", "other"],
                                           "platform_other": ""},
                     follow_redirects=True).status_code == 200
    assert form.post("/report/platforms", {"platforms": ["snapchat", "other"],
                                           "platform_other": "a forum"}).location == \
        "/report/about-them"

    # "Add another" keeps the first row and offers a second.
    page = html(form.post("/report/about-them", {"contacts-0-kind": "username",
                                                 "contacts-0-value": "@canary_user",
                                                 "contacts-rows": "1", "add_row": "contacts"},
                                follow_redirects=True))
    assert 'value="@canary_user"' in page and 'name="contacts-1-value"' in page
    assert form.post("/report/about-them", {
        "contacts-0-kind": "username", "contacts-0-value": "@canary_user",
        "contacts-1-kind": "phone", "contacts-1-value": "07700 900111", "contacts-rows": "2",
    }).location == "/report/payment"

    assert form.post("/report/payment", {"paid": "no"}).location == "/report/evidence"

    # A renamed non-image is refused by content, naming the field; a real image is kept.
    response = form.post("/report/evidence", {
        "evidence_description": "chat screenshots",
        "attachments": [(io.BytesIO(b"MZ not an image at all" * 10), "holiday.png")]},
        follow_redirects=True)
    assert response.status_code == 200
    # The file's name is not carried in the redirect's URL (history would keep it).
    assert '<a href="#attachments">The file must be a JPEG, PNG, WebP or GIF ' \
           'image</a>' in html(response)
    assert 'chat screenshots' in html(response)
    image = png_bytes((12, 12), (9, 99, 199))
    assert form.post("/report/evidence", {
        "evidence_description": "chat screenshots",
        "attachments": [(io.BytesIO(image), "chat.png")]}).location == "/report/contact"

    response = form.post("/report/contact", {"contact_method": "email", "name": "Sam",
                                             "email": "sam@", "may_say_police": "no"},
                         follow_redirects=True)
    assert '<a href="#email">Enter an email address in the correct format' in html(response)
    assert form.post("/report/contact", {"contact_method": "email", "name": "Sam",
                                         "email": "sam@example.com", "may_say_police": "no"}
                     ).location == "/report/check"

    check = html(form.get("/report/check"))
    assert check.count(">Change<") == check.count("summary-list__row")
    for text in ("16 or 17", "Snapchat, Somewhere else", "Username: @canary_user",
                 "chat.png", "sam@example.com"):
        assert text in check, text
    # "Change" goes to the step and comes back to check.
    assert 'href="/report/payment?return=check"' in check
    form.get("/report/payment?return=check")
    assert form.post("/report/payment?return=check",
                     {"paid": "yes", "amount": "£50"}).location == "/report/check"
    assert "£50" in html(form.get("/report/check"))

    # The session cookie holds an id, not the answers.
    cookie = client.get_cookie("session")
    assert len(cookie.value) < 400 and "canary" not in cookie.value

    sent = form.post("/report/check")
    assert sent.location == "/report/sent"
    confirmation = html(form.get("/report/sent"))
    reference = re.search(r"data-report-reference>(SX-[A-Z0-9]{4}-[A-Z0-9]{4})<",
                          confirmation).group(1)
    # Under 18 and paid: the page hands off to image removal and to the bank.
    assert 'data-report-handoff="under-18"' in confirmation
    assert "Report Remove" in confirmation and "Take It Down" in confirmation
    assert 'data-report-handoff="paid"' in confirmation
    assert "Ask whether the money has been collected yet" in confirmation
    assert "If it has not, ask them to cancel the payment" in confirmation

    with app.app_context():
        [report] = db.session.execute(db.select(Report)).scalars().all()
        assert report.reference == reference and report.under_18 and report.in_danger
        answers = json.loads(sealing.unseal(report.sealed, sealing.keyring()))
        assert answers["what_happened"] == "They threatened me on Snapchat-canary-9911"
        assert answers["amount"] == "£50" and answers["paid"] == "yes"
        assert answers["attachments"] == [{"name": "chat.png", "type": "image/png",
                                           "size": len(image)}]
        [attachment] = db.session.execute(db.select(Attachment)).scalars().all()
        stored = (tmp_path / "attachments" / attachment.stored_name).read_bytes()
        assert sealing.unseal(stored, sealing.keyring()) == image
        # The answers and uploads are gone; only a marker finding the report is left.
        [marker] = db.session.execute(db.select(FormProgress)).scalars().all()
        assert marker.sealed == b"" and marker.files == []
    # Only the report's own attachment is left on disk (progress uploads were removed).
    assert [p.name for p in (tmp_path / "attachments").iterdir()] == [attachment.stored_name]
    raw = database_bytes(app)
    assert b"canary" not in raw and b"sam@example.com" not in raw

    # Sending twice (back button, double click) does not store two reports.
    assert client.get("/report/check").location == "/report/danger"


def test_double_send_stores_one_report(app, client):
    form = Form(client)
    for step, data in [("danger", {"in_danger": "no"}), ("age", {"age_band": "25-plus"}),
                       ("what-happened", {"what_happened": "x"}),
                       ("platforms", {"platforms": ["tiktok"]}), ("about-them", {}),
                       ("payment", {"paid": "no"}), ("evidence", {}),
                       ("contact", {"contact_method": "anonymous"})]:
        form.get(f"/report/{step}")
        assert form.post(f"/report/{step}", data).status_code == 302, step
    form.get("/report/check")
    token = form.token
    assert form.post("/report/check").location == "/report/sent"
    # An adult who did not pay: no hand-off to image removal for children or to the bank.
    sent = html(form.get("/report/sent"))
    assert "Report sent" in sent and "data-report-handoff" not in sent
    # A second click that reached the server after the first: the same confirmation.
    response = client.post("/report/check", data={"csrf_token": token})
    assert response.location == "/report/sent"
    with app.app_context():
        assert db.session.query(Report).count() == 1


def test_send_with_missing_answers_goes_to_the_first_incomplete_step(client):
    form = Form(client)
    form.get("/report/danger")
    form.post("/report/danger", {"in_danger": "no"})
    check = html(form.get("/report/check"))
    assert "Some questions still need an answer" in check
    response = form.post("/report/check")
    assert response.status_code == 200
    assert '<a href="#age_band">Select how old you are</a>' in html(response)
    assert 'action="/report/age?return=check"' in html(response)  # then back to check


def test_post_without_csrf_token_is_refused(client):
    response = client.post("/report/danger", data={"in_danger": "no"})
    assert response.status_code == 400
    assert "text/html" in response.content_type


def test_progress_expires_and_is_cleaned_up(app, client):
    form = Form(client)
    form.get("/report/danger")
    form.post("/report/danger", {"in_danger": "no"})
    form.post("/report/evidence", {"attachments": [(io.BytesIO(png_bytes()), "a.png")]})
    folder = app.config["ATTACHMENT_DIR"]
    import os
    assert len(os.listdir(folder)) == 1
    with app.app_context():
        from pwa.report import progress
        row = db.session.execute(db.select(FormProgress)).scalar_one()
        row.updated_at = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(
            hours=5)
        db.session.commit()
        assert progress.cleanup_expired() == 1
    assert os.listdir(folder) == []
    assert 'checked' not in html(form.get("/report/danger"))


def test_rate_limited_send_shows_the_friendly_page(make_app):
    app = make_app(REPORT_RATE_LIMIT="1 per minute")
    client = app.test_client()

    def one_report():
        form = Form(client)
        for step, data in [("danger", {"in_danger": "no"}), ("age", {"age_band": "25-plus"}),
                           ("what-happened", {"what_happened": "x"}),
                           ("platforms", {"platforms": ["tiktok"]}), ("payment", {"paid": "no"}),
                           ("contact", {"contact_method": "anonymous"})]:
            form.get(f"/report/{step}")
            form.post(f"/report/{step}", data)
        form.get("/report/check")
        return form.post("/report/check")

    assert one_report().status_code == 302
    refused = one_report()
    assert refused.status_code == 429
    assert "Too many attempts" in html(refused) and "Nothing you entered has been lost" in \
        html(refused)
    assert int(refused.headers["Retry-After"]) > 0


def test_report_page_is_cacheable_and_holds_no_token(client):
    page = client.get("/report/")
    text = html(page)
    assert "csrf" not in text.lower()
    assert "no-store" not in page.headers.get("Cache-Control", "")
    assert "data-report-form" in text and 'data-report-step="check"' in text
    for step_id in ("danger", "age", "what-happened", "platforms", "about-them", "payment",
                    "evidence", "contact", "sent"):
        assert f'data-report-step="{step_id}"' in text
    assert "data-error-summary" in text
    assert client.get_cookie("session") is None  # reading it sets no cookie


@pytest.mark.parametrize("url", ["/report/danger", "/report/check", "/report/sent"])
def test_step_pages_are_not_stored(client, url):
    assert client.get(url).headers["Cache-Control"] == "no-store"


def test_session_cookie_is_strict_and_http_only(client):
    form = Form(client)
    form.get("/report/danger")
    response = form.post("/report/danger", {"in_danger": "no"})
    cookie = response.headers.get("Set-Cookie") or ""
    assert "SameSite=Strict" in cookie and "HttpOnly" in cookie


def test_clean_command_removes_expired_progress_and_orphans(app, runner):
    import os
    import time
    folder = app.config["ATTACHMENT_DIR"]
    os.makedirs(folder, exist_ok=True)
    orphan = os.path.join(folder, "0" * 32 + ".sealed")
    with open(orphan, "wb") as handle:
        handle.write(b"{}")
    old = time.time() - 7200
    os.utime(orphan, (old, old))
    result = runner.invoke(args=["report", "clean"])
    assert result.exit_code == 0, result.output
    assert "1 orphaned file" in result.output
    assert not os.path.exists(orphan)


def test_uploaded_screenshot_can_be_removed(app, client):
    import os
    form = Form(client)
    form.get("/report/evidence")
    form.post("/report/evidence", {"attachments": [(io.BytesIO(png_bytes()), "first.png"),
                                                   (io.BytesIO(jpeg_bytes()), "second.jpg")]})
    page = html(form.get("/report/evidence"))
    assert "first.png" in page and "second.jpg" in page
    assert len(os.listdir(app.config["ATTACHMENT_DIR"])) == 2
    page = html(form.post("/report/evidence", {"remove_attachment": "0"}, follow_redirects=True))
    assert "first.png" not in page and "second.jpg" in page
    assert len(os.listdir(app.config["ATTACHMENT_DIR"])) == 1
