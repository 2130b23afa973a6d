"""Private replies (issue 17), the officers' side: the thread on the report page, replying
(sealed to the device's key), audit entries without the text, refusals that keep what was
typed."""
import pytest

from mailbox_support import Device
from officers_support import clock, make_officer, post, sign_in  # noqa: F401

from pwa.extensions import db
from pwa.officers.models import AuditEntry
from pwa.report.mailbox import MailboxMessage

OFFICER = "officer@example.police.uk"
REPLY = "We have your report, Capybara-90210. You did the right thing."


@pytest.fixture
def officer(app):
    return make_officer(app, OFFICER)


@pytest.fixture
def signed_in(app, officer, clock):
    client = app.test_client()
    sign_in(client, OFFICER, officer[1], clock)
    return client


@pytest.fixture
def device():
    return Device()


@pytest.fixture
def reference(app, device):
    response = device.send_report(app.test_client(), app)
    assert response.status_code == 201
    return response.get_json()["reference"]


def page(client, reference):
    return client.get(f"/officers/reports/{reference}").get_data(as_text=True)


def test_an_officer_replies_and_only_the_device_can_open_it(app, client, signed_in, device,
                                                            reference):
    html = page(signed_in, reference)
    assert "Replies in the app" in html and "No messages yet." in html
    response = post(signed_in, f"/officers/reports/{reference}/replies", {"reply": REPLY},
                    page=f"/officers/reports/{reference}")
    assert response.status_code == 302
    assert REPLY in page(signed_in, reference)  # the thread, for officers
    [message] = device.fetch(client).get_json()["messages"]
    assert device.open(message["message"]) == REPLY
    with app.app_context():
        entries = db.session.execute(db.select(AuditEntry).filter_by(
            action="mailbox_reply")).scalars().all()
        assert [(e.reference, e.detail) for e in entries] == [(reference, "")]
        row = db.session.execute(db.select(MailboxMessage)).scalar_one()
        assert b"Capybara" not in row.sealed + row.for_device


def test_the_victims_answer_shows_in_the_thread(app, client, signed_in, device, reference):
    assert device.answer(client, app, "Thank you. Okapi-55").status_code == 201
    html = page(signed_in, reference)
    assert "From the person" in html and "Thank you. Okapi-55" in html


def test_an_empty_or_long_reply_is_refused_and_kept(app, signed_in, reference):
    url = f"/officers/reports/{reference}"
    empty = post(signed_in, url + "/replies", {"reply": " "}, page=url)
    assert empty.status_code == 400 and "Enter a reply" in empty.get_data(as_text=True)
    long = "Wombat " * 1000
    refused = post(signed_in, url + "/replies", {"reply": long}, page=url)
    body = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "5,000 characters or fewer" in body
    assert "Wombat Wombat" in body  # what was typed is kept


def test_a_closed_mailbox_takes_no_reply(app, client, signed_in, device, reference):
    assert device.close(client).status_code == 200
    url = f"/officers/reports/{reference}"
    html = page(signed_in, url.rsplit("/", 1)[1])
    assert "closed their mailbox" in html and "Send reply" not in html
    refused = post(signed_in, url + "/replies", {"reply": "Hello"}, page=url)
    assert refused.status_code == 400


def test_a_report_without_a_mailbox_shows_no_reply_form(app, client, signed_in):
    from report_support import post_report
    reference = post_report(client, app).get_json()["reference"]
    html = page(signed_in, reference)
    assert "Replies in the app" not in html
    refused = post(signed_in, f"/officers/reports/{reference}/replies", {"reply": "Hi"},
                   page=f"/officers/reports/{reference}")
    assert refused.status_code == 400


def test_replying_needs_a_signed_in_officer(app, client, reference):
    response = client.post(f"/officers/reports/{reference}/replies", data={"reply": "x"})
    assert response.status_code in (302, 400, 403)
    with app.app_context():
        assert db.session.query(MailboxMessage).count() == 0
