"""Private replies (issue 17), end to end in real Chromium with three profiles.

A victim sends an anonymous report offline asking for "Reply to me only inside this app"; it
arrives; an officer signs in with a password and TOTP code in a profile of their own and
replies; the victim's app shows "You have a reply" without a reload when it comes online,
and the reply on the replies page; the victim answers while offline; the answer reaches the
officer exactly once; the victim's profile folder holds no plaintext of either message. A
third profile that knows the reference but not the secret gets the same 404 as a made-up
mailbox.
"""
import json
import secrets

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from a11y import axe_violations, horizontal_overflow
from officers_support import fill_sign_in, make_officer
from support import (CHROMIUM, CHROMIUM_ARGS, CONTROLLED, QUEUED, fill_briefly, find_in_profile,
                     sent_reference)

from pwa.extensions import db
from pwa.report.mailbox import FROM_VICTIM, MailboxMessage

EMAIL = "officer@example.police.uk"
REPLY = "Thank you for telling us QzReplyMark. You did nothing wrong."
ANSWER = "I blocked him like you said QzAnswerMark"


@pytest.fixture
def other_profile(playwright_instance, tmp_path):
    """open(name): a persistent Chromium profile of its own (not the victim's)."""
    contexts = []

    def open_profile(name):
        context = playwright_instance.chromium.launch_persistent_context(
            str(tmp_path / name), executable_path=CHROMIUM, headless=True,
            args=CHROMIUM_ARGS, viewport={"width": 1280, "height": 800})
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield open_profile
    for context in contexts:
        context.close()


def send_report_asking_for_replies(page, offline=True):
    fill_briefly(page, contact="Reply to me only inside this app")
    expect(page.get_by_role("definition").filter(has_text="Reply to me only inside this app")).to_be_visible()
    page.get_by_role("button", name="Send report").click()
    if offline:  # online, it may go straight on to "Sent"
        # (making the mailbox's RSA key pair takes a moment on a busy machine)
        expect(page.get_by_text(QUEUED)).to_be_visible(timeout=20_000)


def answers_stored(app):
    with app.app_context():
        rows = db.session.execute(select(MailboxMessage).where(
            MailboxMessage.direction == FROM_VICTIM)).scalars().all()
        db.session.remove()
    return rows


def test_a_private_reply_and_answer_round_trip(new_context, other_profile, live_server,
                                               live_app, profile_dir):
    url = live_server.url
    _, totp_secret = make_officer(live_app, EMAIL)

    # The victim: offline, an anonymous report asking for replies in the app.
    victim_context = new_context()
    victim = victim_context.pages[0]
    victim.goto(url + "/")
    victim.wait_for_function(CONTROLLED)
    victim_context.set_offline(True)
    victim.goto(url + "/report/")
    send_report_asking_for_replies(victim)
    victim_context.set_offline(False)
    reference = sent_reference(victim)

    # The officer, in a profile of their own: the report has a mailbox; they reply.
    officer = other_profile("officer").pages[0]
    officer.goto(url + "/officers/")
    fill_sign_in(officer, EMAIL, totp_secret)
    officer.get_by_role("link", name=reference).click()
    expect(officer.get_by_role("heading", name="Replies in the app")).to_be_visible()
    officer.get_by_label("Reply to the person in the app").fill(REPLY)
    officer.get_by_role("button", name="Send reply").click()
    expect(officer.get_by_text(REPLY)).to_be_visible()
    assert axe_violations(officer) == []

    # The victim's app hears of it when it comes online, without a reload, inside the app.
    victim.evaluate("window.notReloaded = true")
    notice = victim.get_by_role("link", name="You have a reply")
    expect(notice).to_be_hidden()
    victim_context.set_offline(True)
    victim_context.set_offline(False)
    expect(notice).to_be_visible()
    assert victim.evaluate("window.notReloaded") is True
    notice.click()
    expect(victim.get_by_role("heading", name=f"About your report {reference}")).to_be_visible()
    expect(victim.get_by_text(REPLY)).to_be_visible()
    assert axe_violations(victim) == []
    victim.set_viewport_size({"width": 320, "height": 640})
    assert horizontal_overflow(victim) <= 0

    # The victim answers offline; it is delivered once when the phone is back online.
    victim_context.set_offline(True)
    answer_box = victim.get_by_label("Your answer")
    answer_box.fill(ANSWER)
    victim.get_by_role("button", name="Send answer").click()
    expect(answer_box).to_have_value("")
    expect(victim.get_by_text("(waiting to be sent)")).to_be_visible()
    assert answers_stored(live_app) == []
    victim_context.set_offline(False)
    expect(victim.get_by_text("(waiting to be sent)")).to_be_hidden(timeout=45_000)
    expect(victim.get_by_text(ANSWER)).to_be_visible()
    assert len(answers_stored(live_app)) == 1

    officer.reload()
    expect(officer.get_by_text(ANSWER)).to_have_count(1)
    # More triggers (shown again, online) do not send it twice.
    victim.evaluate("dispatchEvent(new Event('online'))")
    victim.evaluate("globalThis.sxOutbox.deliverAll()")
    assert len(answers_stored(live_app)) == 1

    # A third profile with the reference but not the secret learns nothing.
    stranger = other_profile("stranger").pages[0]
    stranger.goto(url + "/")
    probe = """async (secret) => {
        const r = await fetch('/api/mailbox/messages', {method: 'POST',
            headers: {'Content-Type': 'application/json'}, body: JSON.stringify({secret})});
        return [r.status, await r.text()];
    }"""
    with_reference = stranger.evaluate(probe, reference)
    made_up = stranger.evaluate(probe, secrets.token_urlsafe(32))
    assert with_reference[0] == made_up[0] == 404
    assert json.loads(with_reference[1]) == json.loads(made_up[1])

    # Nothing readable of either message is left in the victim's profile folder.
    victim_context.close()
    found = find_in_profile(profile_dir, ("QzReplyMark", "QzAnswerMark"))
    assert not found, "message text left in the victim's profile:\n" + "\n".join(found)


def test_i_dont_need_replies_any_more_closes_the_mailbox(new_context, live_server, live_app):
    context = new_context()
    page = context.pages[0]
    page.goto(live_server.url + "/report/")
    send_report_asking_for_replies(page, offline=False)
    sent_reference(page)
    page.goto(live_server.url + "/report/replies")
    expect(page.get_by_text("No reply yet.")).to_be_visible()
    page.get_by_role("button", name="I don't need replies any more").click()
    expect(page.get_by_role("heading", name="Replies are stopped")).to_be_focused()
    expect(page.get_by_text("There are no replies on this phone.")).to_be_visible()
    with live_app.app_context():
        from pwa.report.mailbox import Mailbox
        [box] = db.session.execute(select(Mailbox)).scalars().all()
        assert box.closed_at is not None
        db.session.remove()


def test_without_javascript_replies_point_to_the_phone(new_context, live_server):
    page = new_context(java_script_enabled=False).pages[0]
    page.goto(live_server.url + "/report/replies")
    expect(page.get_by_text("Replies inside this app need the app with JavaScript")).to_be_visible()
    page.goto(live_server.url + "/report/contact")
    expect(page.get_by_role("radio", name="Reply to me only inside this app")).to_have_count(0)
    expect(page.get_by_text("Replies inside this app need the app with JavaScript")).to_be_visible()
