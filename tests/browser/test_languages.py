"""Languages in the browser (issue 16): a Welsh reader offline, the quick exit in every
language, the right-to-left pages' accessibility and reflow, the form's errors translated on
the device. A few pages per test, one browser each."""
import pytest
from playwright.sync_api import expect

from a11y import axe_violations, horizontal_overflow
from pwa import i18n
from support import CONTROLLED, stored

EXIT = "https://www.bbc.co.uk/weather"
# The worker keeps a language once a page in it has been opened (sw-register.js tells it),
# and records it when every page of that language is in the cache.
KEPT = """(lang) => caches.match('/__sx/languages')
  .then((r) => (r ? r.json() : [])).then((langs) => langs.includes(lang))"""


def test_a_welsh_reader_offline_reads_welsh_advice_and_sends_a_welsh_report_once(
        new_context, live_server, live_app):
    url = live_server.url
    context = new_context()
    page = context.pages[0]
    page.goto(url + "/cy/")
    page.wait_for_function(CONTROLLED)
    page.wait_for_function(KEPT, arg="cy", timeout=20_000)
    posts = []
    context.on("request", lambda r: posts.append(r) if r.url.endswith("/api/reports")
               and r.method == "POST" else None)
    context.set_offline(True)

    page.goto(url + "/cy/advice/keeping-evidence")
    expect(page.get_by_role("heading", level=1, name="Cadw tystiolaeth")).to_be_visible()
    assert page.evaluate("document.documentElement.lang") == "cy"
    page.get_by_role("link", name="Beth i’w wneud nawr").first.click()
    expect(page.get_by_role("heading", level=1, name="Beth i’w wneud nawr")).to_be_visible()

    page.goto(url + "/cy/report/")
    cont = page.get_by_role("button", name="Parhau")
    expect(page.get_by_text("Cwestiwn 1 o 8")).to_be_visible()
    # An error on the device, in Welsh, from the Welsh rules.
    cont.click()
    expect(page.get_by_role("link", name="Dewiswch ydw os ydych chi mewn perygl ar hyn o bryd")
           ).to_be_visible()
    page.get_by_role("radio", name="Na").check()
    cont.click()
    page.get_by_role("radio", name="18 i 24").check()
    cont.click()
    page.get_by_label("Beth ddigwyddodd, yn eich geiriau eich hun").fill("Bygythiad ar Snapchat")
    cont.click()
    page.get_by_role("checkbox", name="Snapchat").check()
    cont.click()
    cont.click()  # nothing known about them
    page.get_by_role("radio", name="Na").check()
    cont.click()
    cont.click()  # no evidence attached
    page.get_by_role("radio", name="Peidiwch â chysylltu â fi (adrodd yn ddienw)").check()
    cont.click()
    expect(page.get_by_role("heading", name="Gwiriwch eich atebion cyn anfon eich adroddiad")
           ).to_be_focused()
    page.get_by_role("button", name="Anfon yr adroddiad").click()
    expect(page.get_by_text("Wedi’i gadw ar y ffôn hwn")).to_be_visible()
    assert stored(live_app) == []

    context.set_offline(False)
    status = page.get_by_text("Wedi’i anfon — eich cyfeirnod yw")
    expect(status).to_be_visible(timeout=45_000)
    reference = status.locator("strong").inner_text()
    [(db_reference, answers, _)] = stored(live_app)
    assert db_reference == reference and answers["what_happened"] == "Bygythiad ar Snapchat"
    with live_app.app_context():
        from pwa.extensions import db
        from pwa.models import Report
        assert db.session.execute(db.select(Report.language)).scalars().all() == ["cy"]
        db.session.remove()
    assert len({p.headers.get("idempotency-key") for p in posts}) == 1


@pytest.mark.parametrize("how", ["button", "Escape", "Shift"])
def test_quick_exit_in_every_language(page, live_server, how):
    for code, lang in i18n.SHIPPED.items():
        page.route(EXIT, lambda route: route.fulfill(body="<title>Weather</title>weather",
                                                      content_type="text/html"))
        page.goto(live_server.url + i18n.path_in(code, "/"))
        leave = page.get_by_role("link", name=_leave(code))
        expect(leave).to_be_visible()
        if how == "button":
            leave.click()
        elif how == "Escape":
            page.keyboard.press("Escape")
        else:
            page.keyboard.press("Shift")
            status = page.locator("[data-quick-exit-status]")
            expect(status).to_have_text(_shift_words(code))
            page.keyboard.press("Shift")
            page.keyboard.press("Shift")
        page.wait_for_url(EXIT)
        assert lang.code and page.title() == "Weather"


def _leave(code):
    return {"en": "Leave this site", "cy": "Gadael y wefan hon", "pl": "Opuść tę stronę",
            "ur": "یہ سائٹ چھوڑیں", "ar": "غادر هذا الموقع"}[code]


def _shift_words(code):
    return {"en": "Press Shift 2 more times to leave this site",
            "cy": "Pwyswch Shift 2 gwaith eto i adael y wefan hon",
            "pl": "Naciśnij Shift jeszcze 2 razy, aby opuścić tę stronę",
            "ur": "یہ سائٹ چھوڑنے کے لیے Shift مزید 2 بار دبائیں",
            "ar": "اضغط Shift مرتين أخريين (2) لمغادرة هذا الموقع"}[code]


@pytest.mark.parametrize("code", ["ur", "ar"])
def test_right_to_left_pages_pass_axe_and_do_not_scroll_sideways_at_320px(
        page, live_server, code):
    page.set_viewport_size({"width": 320, "height": 640})
    for path in ("/", "/advice/what-to-do-now", "/report/danger", "/report/contact"):
        page.goto(live_server.url + i18n.path_in(code, path))
        assert page.evaluate("document.documentElement.dir") == "rtl"
        assert axe_violations(page) == [], path
        assert horizontal_overflow(page) <= 0, path
        # The quick exit stays top right, where the thumb already knows it.
        box = page.get_by_role("link", name=_leave(code)).bounding_box()
        assert box["x"] + box["width"] > 320 - 40 and box["y"] < 80, (path, box)
        # Phone numbers read left to right.
        assert page.locator("a.tel").first.evaluate("a => getComputedStyle(a).direction") == "ltr"
