"""Issue 19: the installed app gives nothing away. The neutral look (a plain name, icon and
titles, chosen before installing) and the quick exit in an app window (display mode
standalone, through Chromium's `--app=`, since CDP's media emulation does not cover
display-mode in this Chromium)."""
import json

import pytest
from playwright.sync_api import expect

from pwa.extensions import csrf

CONTROLLED = "() => navigator.serviceWorker.controller?.state === 'activated'"
PLAIN_CHOICE = "Install with a plain name and icon"
LOOK = """() => ({
  manifest: document.querySelector('link[rel=manifest]').getAttribute('href'),
  icon: document.querySelector('link[rel=icon]').getAttribute('href'),
  apple: document.querySelector('link[rel=apple-touch-icon]').getAttribute('href'),
  appleTitle: document.querySelector('meta[name=apple-mobile-web-app-title]').content,
  title: document.title,
  stored: localStorage.getItem('sx:neutral-look'),
})"""
# Playwright keeps every page "visible" (even background tabs and minimised windows), so a
# hidden page is simulated: visibilityState reads "hidden", then the real event is sent.
SET_VISIBILITY = """(state) => {
  Object.defineProperty(document, 'visibilityState', {configurable: true, get: () => state});
  Object.defineProperty(document, 'hidden', {configurable: true, get: () => state === 'hidden'});
  document.dispatchEvent(new Event('visibilitychange'));
  return {cover: document.documentElement.classList.contains('sx-exiting'),
          visibility: getComputedStyle(document.body).visibility, title: document.title};
}"""


def neutral_stub(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
    return [b"<!doctype html><title>Weather</title><h1>Neutral stub</h1>"]


@pytest.fixture
def stub(serve):
    return serve(neutral_stub)  # another port: another origin


@pytest.fixture
def live_app(make_app, force_file, stub):
    return make_app(FORCE_FILE=str(force_file({"quick_exit": {"url": stub.url + "/"}})))


def manifest_facts(cdp):
    manifest = cdp.send("Page.getAppManifest")
    assert not manifest["errors"], manifest["errors"]
    data = json.loads(manifest["data"])
    app_id = cdp.send("Page.getAppId").get("appId")
    return manifest["url"], data, app_id


def test_both_looks_are_installable_as_one_app_and_the_choice_is_kept_until_removed(
        page, browser_context, live_server):
    url = live_server.url
    page.goto(url + "/")
    page.wait_for_function(CONTROLLED)
    cdp = browser_context.new_cdp_session(page)
    assert cdp.send("Page.getInstallabilityErrors")["installabilityErrors"] == []
    own_url, own, own_id = manifest_facts(cdp)
    assert own_url.endswith("/manifest.webmanifest") and own["short_name"] == "Example Police"
    before = page.evaluate(LOOK)
    assert before["title"].endswith("Example Police") and before["stored"] is None

    choice = page.get_by_role("checkbox", name=PLAIN_CHOICE)
    expect(choice).to_be_visible()  # beside "Install app", which Chromium offers here
    expect(page.get_by_role("button", name="Install app")).to_be_visible()
    choice.check()
    after = page.evaluate(LOOK)
    assert after["manifest"] == "/manifest-neutral.webmanifest"
    assert "/static/icons/neutral-favicon-32.png?v=" in after["icon"]
    assert "/static/icons/neutral-apple-touch-icon.png?v=" in after["apple"]
    assert (after["title"], after["appleTitle"], after["stored"]) == ("Notes", "Notes", "on")
    # Chromium reads the new manifest: installable, the same app (one id).
    neutral_url, neutral, neutral_id = manifest_facts(cdp)
    assert neutral_url.endswith("/manifest-neutral.webmanifest")
    assert (neutral["name"], neutral["short_name"]) == ("Notes", "Notes")
    assert (neutral["id"], neutral["start_url"]) == (own["id"], own["start_url"])
    assert neutral_id == own_id
    assert cdp.send("Page.getInstallabilityErrors")["installabilityErrors"] == []

    # Kept on this device: every page opens in the neutral look, offline too.
    browser_context.set_offline(True)
    page.goto(url + "/advice/what-to-do-now")
    expect(page.get_by_role("heading", level=1)).to_have_text("What to do now")
    page.wait_for_function("document.title === 'Notes'")
    assert page.evaluate(LOOK)["manifest"] == "/manifest-neutral.webmanifest"
    browser_context.set_offline(False)

    # "Remove this app's data" removes the choice with everything else.
    page.goto(url + "/advice/staying-safe-on-this-device")
    page.get_by_role("button", name="Remove this app's data").click()
    page.get_by_role("button", name="Yes, remove it all").click()
    expect(page.get_by_role("heading", name="This app's data has been removed from this "
                                            "phone")).to_be_focused()
    assert page.evaluate("localStorage.getItem('sx:neutral-look')") is None
    page.goto(url + "/")
    expect(page.get_by_role("checkbox", name=PLAIN_CHOICE)).not_to_be_checked()
    look = page.evaluate(LOOK)
    assert look["manifest"] == "/manifest.webmanifest" and look["title"].endswith("Example Police")


@pytest.mark.parametrize("trigger", ["button", "escape", "shift"])
def test_in_the_app_window_each_exit_trigger_closes_the_app(new_context, live_server, trigger):
    context = new_context(app_window=live_server.url + "/advice/what-to-do-now")
    page = context.pages[0]
    expect(page.get_by_role("heading", level=1)).to_have_text("What to do now")
    assert page.evaluate("matchMedia('(display-mode: standalone)').matches")
    # Read on: links replace the history entry, so the window's history stays at one.
    page.get_by_role("link", name="Keeping evidence", exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Keeping evidence")
    page.wait_for_load_state("domcontentloaded")  # module scripts (exit.js) have run
    assert page.evaluate("history.length") == 1
    with page.expect_event("close"):
        if trigger == "button":
            page.get_by_role("link", name="Leave this site").click()
        elif trigger == "escape":
            page.keyboard.down("Escape")  # the exit runs on keydown; no keyup reaches it
        else:
            for press in range(3):
                page.keyboard.down("Shift")
                if press < 2:
                    page.keyboard.up("Shift")
    # The window is gone: nothing of the app is left to show, nothing to go Back to, and
    # the next launch from the icon opens the start page afresh.
    assert page.is_closed() and context.pages == []


def test_where_closing_is_refused_the_app_window_goes_to_the_neutral_site_for_good(
        new_context, live_server, stub):
    context = new_context(app_window=live_server.url + "/")
    page = context.pages[0]
    page.add_init_script("window.close = () => {};")  # as iOS, which keeps the window
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_contain_text("threatening")
    page.get_by_role("link", name="Leave this site").click()
    page.wait_for_url(stub.url + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Neutral stub")
    assert page.evaluate("history.length") == 1  # replaced: Back has nowhere to go
    assert page.go_back() is None
    assert page.url == stub.url + "/"


@pytest.mark.parametrize("window", ["app", "tab"])
def test_the_cover_is_up_whenever_the_page_is_hidden(new_context, live_server, window):
    url = live_server.url + "/advice/what-to-do-now"
    context = new_context(app_window=url) if window == "app" else new_context()
    page = context.pages[0]
    if window == "tab":
        page.goto(url)
    expect(page.get_by_role("heading", level=1)).to_have_text("What to do now")
    page.evaluate("localStorage.setItem('sx:neutral-look', 'on')")
    page.reload()
    page.wait_for_function("document.title === 'Notes'")
    hidden = page.evaluate(SET_VISIBILITY, "hidden")
    assert hidden == {"cover": True, "visibility": "hidden", "title": "Loading…"}
    shown = page.evaluate(SET_VISIBILITY, "visible")
    # Back in the app: the page and its (neutral) title return.
    assert shown == {"cover": False, "visibility": "visible", "title": "Notes"}


@pytest.fixture
def plain_first_app(make_app, force_file):
    return make_app(FORCE_FILE=str(force_file({"neutral_look": {"plain_first_screen": True}})))


def test_the_plain_first_screen_opens_the_neutral_app_once_per_launch(
        new_context, serve, plain_first_app):
    url = serve(plain_first_app).url
    # Chosen in the browser, before installing.
    context = new_context()
    page = context.pages[0]
    page.goto(url + "/")
    page.get_by_role("checkbox", name=PLAIN_CHOICE).check()
    expect(page.get_by_role("heading", level=1)).to_contain_text("threatening")  # a tab: no
    context.close()

    app = new_context(app_window=url + "/")
    page = app.pages[0]
    page.wait_for_url(url + "/notes")
    expect(page.get_by_role("heading", level=1)).to_have_text("Notes")
    assert page.title() == "Notes"
    page.get_by_role("link", name="Open").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("threatening")
    assert page.url == url + "/" and page.title() == "Notes"
