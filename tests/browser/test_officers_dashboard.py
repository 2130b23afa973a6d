"""An officer signs in with a TOTP code in Chromium and sees a report arrive on the
dashboard without reloading. (The report is inserted as the report feature stores it; the
end-to-end "queued offline on a phone, then delivered" version needs the report branch.)"""
import pytest
from playwright.sync_api import expect

from officers_support import Clock, fill_sign_in, make_officer, make_report
from pwa import clock as clock_module

EMAIL = "officer@example.police.uk"


@pytest.fixture
def live_app(make_app):
    return make_app(OFFICER_POLL_SECONDS=1)


def test_a_new_report_appears_on_the_open_dashboard(page, live_server, live_app):
    _, secret = make_officer(live_app, EMAIL)
    make_report(live_app)
    messages = []
    page.on("console", lambda msg: messages.append(msg.text))

    page.goto(live_server.url + "/officers/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Officers: sign in")
    fill_sign_in(page, EMAIL, secret)  # waits for the "Reports" heading
    count = page.locator("[data-live-count]")
    expect(count).to_have_text("1 new report")
    page.evaluate("window.notReloaded = true")

    reference = make_report(live_app, in_danger=True)
    expect(count).to_have_text("2 new reports")
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=reference))
    expect(row).to_contain_text("In danger now")
    # Flagged, so listed first.
    expect(page.locator("[data-live-rows] tr").first).to_contain_text(reference)
    assert page.evaluate("window.notReloaded") is True
    assert [m for m in messages if "Content Security Policy" in m] == []


def sign_in(page, url, secret):
    page.goto(url + "/officers/")
    fill_sign_in(page, EMAIL, secret)


def test_an_idle_dashboard_goes_to_sign_in_by_itself(page, live_server, live_app, monkeypatch):
    clock = Clock(clock_module.now())
    monkeypatch.setattr(clock_module, "now", clock.now)
    _, secret = make_officer(live_app, EMAIL)
    sign_in(page, live_server.url, secret)
    clock.advance(minutes=live_app.config["OFFICER_IDLE_MINUTES"], seconds=1)
    # Polling is not activity: the next poll finds the session idle and leaves the page.
    expect(page.get_by_role("heading", level=1)).to_have_text("Officers: sign in")
    expect(page.get_by_role("status").filter(has_text="without activity")).to_be_visible()


WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]


def test_officers_pages_pass_axe_and_reflow_at_320px(new_context, live_server, live_app):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    _, secret = make_officer(live_app, EMAIL, role="supervisor")
    reference = make_report(live_app, images=[b"\x89PNG\r\n\x1a\n0000"], under_18=True)
    page = new_context(viewport={"width": 320, "height": 568}).pages[0]
    failures = {}

    def check(name):
        results = axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS},
                                         "resultTypes": ["violations"]})
        problems = [v["id"] for v in results.response["violations"]]
        overflow = page.evaluate("() => document.documentElement.scrollWidth"
                                 " - document.documentElement.clientWidth")
        if overflow > 0:
            problems.append(f"{overflow}px sideways scrolling")
        if problems:
            failures[name] = problems

    page.goto(live_server.url + "/officers/sign-in")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("There is a problem")
    check("sign-in with errors")
    fill_sign_in(page, EMAIL, secret)
    check("dashboard")
    page.get_by_role("link", name=reference).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(reference)
    check("report")
    page.get_by_role("button", name="Add note").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter the note")
    check("report with a note error")
    page.get_by_role("link", name="Audit log").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Audit log")
    check("audit log")
    assert failures == {}
