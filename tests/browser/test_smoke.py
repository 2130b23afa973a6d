"""The harness works: a real Chromium loads the home page with no CSP violations."""
from playwright.sync_api import expect


def test_home_page_in_chromium(page, live_server):
    messages = []
    page.on("console", lambda msg: messages.append(msg.text))
    page.goto(live_server.url + "/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("threatening to share")
    expect(page.get_by_role("link", name="Leave this site")).to_be_visible()
    page.get_by_role("link", name="What to do now").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("What to do now")
    expect(page.get_by_role("link", name="999").first).to_have_attribute("href", "tel:999")
    violations = [m for m in messages if "Content Security Policy" in m]
    assert violations == []
