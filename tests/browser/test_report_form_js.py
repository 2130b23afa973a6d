"""The device's report form in use: GOV.UK errors from the server's rules, the 999 notice,
screenshot previews and limits, Change links, focus, no history entries, axe and the CSP."""
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from report_support import png_bytes
from support import fill_report


def axe_violations(page):
    results = Axe().run(page, options={"runOnly": ["wcag2a", "wcag2aa", "wcag21aa", "wcag22aa"]})
    return [(v["id"], [n["target"] for n in v["nodes"]]) for v in results.response["violations"]]


def test_errors_notices_screenshots_and_change_links(page, live_server):
    console = []
    page.on("console", lambda msg: console.append(msg.text))
    page.goto(live_server.url + "/report/")
    start_length = page.evaluate("history.length")
    heading = page.get_by_role("heading", name="Are you in danger right now?")
    expect(heading).to_be_focused()

    # Nothing chosen: the summary takes focus and links to the field; the message is beside it.
    page.get_by_role("button", name="Continue").click()
    summary = page.get_by_role("alert")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Select yes if you are in danger right now")
    expect(page.locator("#in_danger-error")).to_be_visible()
    assert axe_violations(page) == []
    summary.get_by_role("link", name="Select yes if you are in danger right now").click()
    expect(page.locator("#in_danger")).to_be_focused()

    # Yes: 999 is shown, and the form carries on.
    page.get_by_role("radio", name="Yes").check()
    expect(page.get_by_role("heading", name="If you are in danger now, call 999")).to_be_visible()
    page.get_by_role("button", name="Continue").click()
    expect(summary).to_be_hidden()
    expect(page.get_by_role("heading", name="How old are you?")).to_be_focused()
    page.get_by_role("button", name="Back").click()
    expect(page.get_by_role("radio", name="Yes")).to_be_checked()
    page.reload()

    fill_report(page)
    assert axe_violations(page) == []
    # Change: to the step, then straight back to check.
    page.get_by_role("link", name="Change describe what you have saved (optional)").click()
    files = page.get_by_label("Attach screenshots (optional)")
    one = {"name": "chat.png", "mimeType": "image/png", "buffer": png_bytes()}
    files.set_input_files(files=[one])
    preview = page.locator("[data-report-files] img")
    assert preview.get_attribute("src").startswith("blob:")
    expect(page.get_by_role("button", name="Remove chat.png")).to_be_visible()
    # Over the stated limit of 5: refused with the server's message, nothing else lost.
    files.set_input_files(files=[{**one, "name": f"more-{i}.png"} for i in range(5)])
    expect(summary).to_contain_text("You can attach up to 5 screenshots")
    expect(page.get_by_role("button", name="Remove chat.png")).to_be_visible()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Check your answers before sending your report")).to_be_focused()
    expect(page.locator("[data-report-check]")).to_contain_text("chat.png")

    assert page.evaluate("history.length") == start_length
    assert not [m for m in console if "Content Security Policy" in m]
