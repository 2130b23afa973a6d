"""The strict CSP (`default-src 'none'`, each need listed) breaks nothing: every page, the
report form's screenshot preview, the no-JS steps, the officers' pages with a screenshot,
the service worker's precache and the manifest and its icons load with no violation."""
import io
import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from officers_support import fill_sign_in, make_officer, make_report
from pwa.offline_app import precache_list, worker

# Violations are counted in the page itself too (console text can change between versions).
WATCH = """document.addEventListener('securitypolicyviolation', (e) => {
  (window.__cspViolations = window.__cspViolations || []).push(`${e.violatedDirective} ${e.blockedURI}`);
});"""


def png_bytes():
    out = io.BytesIO()
    Image.new("RGB", (16, 16), (10, 120, 200)).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def watched(page):
    messages = []
    page.on("console", lambda msg: messages.append(msg.text))
    page.add_init_script(WATCH)

    def violations():
        found = [m for m in messages if "Content Security Policy" in m]
        return found + (page.evaluate("window.__cspViolations || []") or [])

    return page, violations


def test_every_page_worker_manifest_and_officer_page_load_without_violations(
        watched, browser_context, live_server, live_app):
    page, violations = watched
    url = live_server.url
    page.goto(url + "/")
    page.wait_for_function("() => navigator.serviceWorker.controller?.state === 'activated'")
    # The worker fetched every file it keeps (its fetches obey connect-src): English and
    # what every language shares, on a first visit in English.
    expected = {entry["url"] for entry in worker.current(live_app)["precache"]
                if entry["lang"] in (None, "en")}
    kept = page.evaluate("""async () => {
        const names = await caches.keys();
        const cache = await caches.open(names.find((n) => n.startsWith('sx-precache-')));
        return (await cache.keys()).map((r) => {
            const u = new URL(r.url);
            u.searchParams.delete('__sx'); // the worker's revision tag on a kept page
            return u.pathname + u.search;
        });
    }""")
    assert expected <= set(kept), expected - set(kept)
    # The manifest and its icons.
    cdp = browser_context.new_cdp_session(page)
    manifest = cdp.send("Page.getAppManifest")
    assert manifest["url"].endswith("/manifest.webmanifest") and not manifest["errors"]
    assert cdp.send("Page.getInstallabilityErrors")["installabilityErrors"] == []

    for path in precache_list.page_paths(live_app):
        if live_app.test_client().get(path).mimetype == "text/html":
            page.goto(url + path)
            assert violations() == [], path
    # The report form: a chosen screenshot is previewed from a blob: URL.
    page.goto(url + "/report/")
    page.get_by_role("button", name="Continue").wait_for()
    page.locator("input[type=file]").set_input_files(
        files=[{"name": "shot.png", "mimeType": "image/png", "buffer": png_bytes()}])
    preview = page.locator("img.report-file__preview")
    expect(preview).to_have_attribute("src", re.compile("^blob:"))
    page.wait_for_function("document.querySelector('img.report-file__preview').complete")
    # The no-JS steps and the error page.
    for path in ("/report/danger", "/no-such-page"):
        page.goto(url + path)
        assert violations() == [], path

    # The officers' area, a report and its screenshot shown inline.
    _, secret = make_officer(live_app, "csp@example.police.uk")
    reference = make_report(live_app, images=[png_bytes()])
    page.goto(url + "/officers/")
    fill_sign_in(page, "csp@example.police.uk", secret)
    page.get_by_role("link", name=reference).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(reference)
    # (The screenshot opened on its own is served with `default-src 'none'; sandbox`, where
    # Chromium's own image viewer reports its inline style: not our page, not checked here.)
    assert violations() == []
    page.get_by_role("link", name="Change password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change your password")
    assert violations() == []
