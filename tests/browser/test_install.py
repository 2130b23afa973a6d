"""The install box: Chromium's own install offer, iOS instructions, nothing once installed."""
from playwright.sync_api import expect

IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
          "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1")


def test_install_button_appears_when_chromium_offers_and_storage_is_protected_after(
        page, live_server):
    page.goto(live_server.url + "/")
    # Chromium fires beforeinstallprompt once the page is installable.
    expect(page.get_by_role("button", name="Install app")).to_be_visible()
    page.evaluate("""() => {
        navigator.storage.persist = () => { window.persistAsked = true; return Promise.resolve(true); };
        window.dispatchEvent(new Event('appinstalled'));
    }""")
    expect(page.get_by_role("heading", name="Keep this help on your phone")).to_be_hidden()
    assert page.evaluate("window.persistAsked") is True


def test_ios_safari_gets_add_to_home_screen_steps_unless_already_installed(
        new_context, live_server):
    context = new_context(user_agent=IPHONE)
    page = context.pages[0] if context.pages else context.new_page()
    page.goto(live_server.url + "/")
    expect(page.get_by_text("Add to Home Screen")).to_be_visible()
    # Opened from the Home Screen, Safari sets navigator.standalone: nothing to offer.
    context.add_init_script("Object.defineProperty(navigator, 'standalone', {value: true})")
    page.reload()  # waits for load, after the module has run
    expect(page.get_by_text("Add to Home Screen")).to_be_hidden()
    expect(page.get_by_role("heading", name="Keep this help on your phone")).to_be_hidden()
