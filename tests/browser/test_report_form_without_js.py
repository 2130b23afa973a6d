"""JavaScript disabled: the report form works online, end to end, in a real Chromium."""
import re

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from pwa.extensions import db
from pwa.models import Attachment, Report
from report_support import png_bytes


def axe_violations(page):
    """axe-core's WCAG 2.x A/AA findings (axe is injected by Playwright, not by the page)."""
    results = Axe().run(page, options={"runOnly": ["wcag2a", "wcag2aa", "wcag21aa",
                                                   "wcag22aa"]})
    return [(v["id"], [n["target"] for n in v["nodes"]]) for v in results.response["violations"]]


def test_report_without_javascript(new_context, live_server, live_app, tmp_path):
    context = new_context(java_script_enabled=False)
    page = context.pages[0] if context.pages else context.new_page()
    messages = []
    page.on("console", lambda msg: messages.append(msg.text))
    page.goto(live_server.url + "/report/")
    page.get_by_role("link", name="Start your report").click()

    # An error: the summary links to the field, nothing is lost.
    expect(page.get_by_role("heading", level=1)).to_have_text("Are you in danger right now?")
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_title(re.compile("^Error: "))
    summary_link = page.get_by_role("link", name="Select yes if you are in danger right now")
    expect(summary_link).to_be_visible()
    page.get_by_role("radio", name="No").check()
    page.get_by_role("button", name="Continue").click()

    page.get_by_role("radio", name="16 or 17").check()
    page.get_by_role("button", name="Continue").click()
    # Under 18: the services are shown alongside.
    expect(page.get_by_role("heading", name="If you are under 18, you can also get help "
                                             "from")).to_be_visible()
    page.get_by_label("What happened, in your own words").fill("He said he would post it")
    page.get_by_label("Roughly when it started (optional)").fill("Friday")
    page.get_by_role("button", name="Continue").click()

    page.get_by_role("checkbox", name="TikTok").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Detail", exact=True).fill("@tiktok_blackmailer")
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("radio", name="No").check()
    page.get_by_role("button", name="Continue").click()

    shot = tmp_path / "screenshot.png"
    shot.write_bytes(png_bytes((20, 20)))
    page.get_by_label("Attach screenshots (optional)").set_input_files(str(shot))
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("radio", name="Do not contact me (report anonymously)").check()
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Check your answers before sending your report")
    expect(page.get_by_text("@tiktok_blackmailer")).to_be_visible()
    expect(page.get_by_text("screenshot.png")).to_be_visible()
    page.get_by_role("link", name="Change what happened, in your own words").click()
    page.get_by_label("What happened, in your own words").fill("He said he would post it online")
    page.get_by_role("button", name="Save and go back to check").click()
    expect(page.get_by_text("He said he would post it online")).to_be_visible()
    page.get_by_role("button", name="Send report").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Report sent")
    reference = page.locator("[data-report-reference]").inner_text()
    assert re.fullmatch(r"SX-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}", reference)
    with live_app.app_context():
        [report] = db.session.execute(db.select(Report)).scalars().all()
        assert report.reference == reference and report.under_18
        assert db.session.query(Attachment).count() == 1
    assert [m for m in messages if "Content Security Policy" in m] == []


def test_step_pages_with_errors_pass_axe(page, live_server):
    """The no-JS pages, in their error state (axe needs JavaScript, so this context has it;
    the step pages load no script of their own)."""
    page.goto(live_server.url + "/report/contact")
    page.get_by_role("radio", name="By phone").check()
    page.get_by_label("Phone number").fill("12")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("link", name="Enter your name")).to_be_visible()
    assert axe_violations(page) == []
    page.goto(live_server.url + "/report/about-them")
    page.get_by_role("button", name="Add another detail").click()
    expect(page.get_by_label("Detail", exact=True)).to_have_count(2)
    assert axe_violations(page) == []
