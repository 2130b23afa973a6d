"""End to end: a victim writes a report offline on their phone, it waits in the outbox, and
when the phone is back online it arrives on an officer's open dashboard without a reload. The
officer signs in with a real password and TOTP code in a browser of their own (a second
persistent profile, so nothing is shared with the victim's)."""
import pytest
from playwright.sync_api import expect

from officers_support import fill_sign_in, make_officer
from support import (CHROMIUM, CHROMIUM_ARGS, CONTROLLED, QUEUED, fill_briefly, sent_reference,
                     stored)

EMAIL = "officer@example.police.uk"


@pytest.fixture
def live_app(make_app):
    return make_app(OFFICER_POLL_SECONDS=1)  # the dashboard polls every second, not ten


@pytest.fixture
def officer_context(playwright_instance, tmp_path):
    context = playwright_instance.chromium.launch_persistent_context(
        str(tmp_path / "officer-profile"), executable_path=CHROMIUM, headless=True,
        args=CHROMIUM_ARGS, viewport={"width": 1280, "height": 800})
    context.set_default_timeout(10_000)
    yield context
    context.close()


def send_report_offline(page):
    """Under 18 and in danger now, the rest as briefly as the form allows; ends queued."""
    fill_briefly(page, in_danger="Yes", age="16 or 17")
    page.get_by_role("button", name="Send report").click()
    expect(page.get_by_text(QUEUED)).to_be_visible()


def test_a_report_queued_offline_arrives_on_the_open_dashboard(
        new_context, officer_context, live_server, live_app):
    url = live_server.url
    _, secret = make_officer(live_app, EMAIL)

    victim = new_context().pages[0]
    victim.goto(url + "/")
    victim.wait_for_function(CONTROLLED)  # the service worker has the form cached
    victim.context.set_offline(True)
    victim.goto(url + "/report/")
    send_report_offline(victim)

    officer = officer_context.pages[0]
    officer.goto(url + "/officers/")
    fill_sign_in(officer, EMAIL, secret)
    count = officer.locator("[data-live-count]")
    expect(count).to_have_text("0 new reports")
    assert stored(live_app) == []  # still only on the phone
    officer.evaluate("window.notReloaded = true")

    victim.context.set_offline(False)
    reference = sent_reference(victim)

    expect(count).to_have_text("1 new report")
    row = officer.get_by_role("row").filter(has=officer.get_by_role("link", name=reference))
    expect(row).to_contain_text("In danger now")
    expect(row).to_contain_text("Under 18")
    assert officer.evaluate("window.notReloaded") is True
    assert [r for r, _, _ in stored(live_app)] == [reference]
