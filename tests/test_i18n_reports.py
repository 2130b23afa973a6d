"""A report carries the language it was written in (issue 16): sent by the device, taken
from the pages' language without JavaScript, checked, stored plain and shown to officers;
and the no-JS form's errors come back in the reader's language."""
import re

import pytest

from officers_support import clock, make_officer, make_report, sign_in  # noqa: F401
from pwa.extensions import db
from pwa.models import Report
from report_support import post_report
from test_report_nojs import Form, html

HTTPS = "https://localhost"


def stored(app):
    with app.app_context():
        return [(r.reference, r.language) for r in db.session.execute(
            db.select(Report)).scalars()]


def test_the_device_sends_the_language_and_it_is_stored(app, client):
    assert post_report(client, app, language="cy").status_code == 201
    assert post_report(client, app).status_code == 201  # an older device: English
    assert sorted(lang for _, lang in stored(app)) == ["cy", "en"]


@pytest.mark.parametrize("bad", ["fr", "CY", "", 7, ["cy"], "cy" * 40])
def test_a_language_the_app_does_not_ship_is_refused_naming_the_field(app, client, bad):
    response = post_report(client, app, language=bad)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert (error["code"], error["field"]) == ("invalid", "language")
    assert stored(app) == []


def test_no_js_errors_come_back_translated_and_the_report_is_welsh(app, client):
    form = Form(client)
    form.get("/cy/report/danger")
    # An error, by Post/Redirect/Get, in Welsh, on the Welsh page.
    response = form.post("/cy/report/danger", {}, follow_redirects=True)
    page = html(response)
    assert 'lang="cy"' in page[:200]
    assert '<a href="#in_danger">Dewiswch ydw os ydych chi mewn perygl ar hyn o bryd</a>' in page
    assert re.search(r"<title[^>]*>Gwall: ", page)
    answers = [("danger", {"in_danger": "no"}), ("age", {"age_band": "18-24"}),
               ("what-happened", {"what_happened": "Bygythiad ar Snapchat"}),
               ("platforms", {"platforms": ["snapchat"]}),
               ("about-them", {"contacts-rows": "1"}), ("payment", {"paid": "no"}),
               ("evidence", {}), ("contact", {"contact_method": "anonymous"})]
    for step, data in answers:
        response = form.post(f"/cy/report/{step}", data)
        assert response.status_code in (302, 303), (step, html(response)[:300])
        assert response.location.startswith("/cy/report/"), response.location
    check = html(form.get("/cy/report/check"))
    assert "Gwiriwch eich atebion cyn anfon eich adroddiad" in check
    assert form.post("/cy/report/check").location == "/cy/report/sent"
    assert "Adroddiad wedi’i anfon" in html(form.get("/cy/report/sent"))
    assert [lang for _, lang in stored(app)] == ["cy"]


def test_officers_see_the_language_to_arrange_an_interpreter(app, clock):  # noqa: F811
    officer_id, secret = make_officer(app, "lang@example.police.uk")
    welsh = make_report(app, language="cy")
    english = make_report(app)
    client = app.test_client()
    sign_in(client, "lang@example.police.uk", secret, clock)
    dashboard = client.get("/officers/", base_url=HTTPS).get_data(as_text=True)
    assert dashboard.count("Written in Welsh (Cymraeg)") == 1
    page = client.get(f"/officers/reports/{welsh}", base_url=HTTPS).get_data(as_text=True)
    assert re.search(r"data-report-language>Welsh \(Cymraeg\) \(the person may prefer", page)
    assert 'lang="en' in page[:300]  # the officers' area stays English
    page = client.get(f"/officers/reports/{english}", base_url=HTTPS).get_data(as_text=True)
    assert "data-report-language>English<" in page


def test_api_refusals_a_person_sees_follow_the_reports_language(app, client):
    # The outbox sends the report's language as Accept-Language.
    response = post_report(client, app, language="cy", sealed_attachments=[b"not sealed"],
                           headers={"Accept-Language": "cy"})
    assert response.status_code == 422
    assert response.get_json()["error"]["message"] == \
        "Doedd dim modd agor sgrinlun. Atodwch ef eto."
    english = post_report(client, app, sealed_attachments=[b"not sealed"])
    assert english.get_json()["error"]["message"] == \
        "A screenshot could not be opened. Attach it again."
