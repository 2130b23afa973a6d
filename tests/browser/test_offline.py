"""In Chromium: the app installs, and after one visit every kept page works offline."""
import html
import re
import shutil
import threading

from flask import render_template_string
from playwright.sync_api import expect

from pwa.config import ROOT
from pwa.offline_app import precache_list, worker
from support import CONTROLLED


def wait_until_controlled(page):
    page.wait_for_function(CONTROLLED)


def h1_of(app, path):
    """The page's h1 text as the app renders it (the source of truth for what to expect).
    On the report form, JavaScript replaces the intro with its first question."""
    if path == "/report/" and "report" in app.blueprints:
        from pwa.report import steps
        return str(steps.STEPS[0].title)
    body = app.test_client().get(path).get_data(as_text=True)
    text = re.search(r"<h1[^>]*>(.*?)</h1>", body, re.S).group(1)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", text)).split())


def wait_for_caches(page, names):
    """Wait until the cache names are exactly `names`. (wait_for_function does not await a
    promise, so each poll starts a read and tests the one before.)"""
    page.wait_for_function("""(names) => {
        caches.keys().then((keys) => { window.__sxCacheNames = keys.join(); });
        return window.__sxCacheNames === names;
    }""", arg=names, timeout=30_000)  # installing a whole new version is slow on a busy machine


def cache_names(page):
    return page.evaluate("caches.keys()")


class SwappableApp:
    """One origin (host and port) whose app can be replaced: a server restart with new
    content, as the service worker sees it (it is tied to the origin)."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        return self.app(environ, start_response)


def test_home_page_is_installable(page, browser_context, live_server):
    messages = []
    page.on("console", lambda msg: messages.append(msg.text))
    page.goto(live_server.url + "/")
    wait_until_controlled(page)
    assert [m for m in messages if "Content Security Policy" in m] == []
    cdp = browser_context.new_cdp_session(page)
    assert cdp.send("Page.getInstallabilityErrors")["installabilityErrors"] == []
    manifest = cdp.send("Page.getAppManifest")
    assert manifest["url"].endswith("/manifest.webmanifest") and not manifest["errors"]


def with_report_page(app):
    """A stand-in for the report feature's precached page, unless the real one exists."""
    if not any(rule.rule == "/report/" for rule in app.url_map.iter_rules()):
        app.add_url_rule("/report/", "stand_in_report", lambda: render_template_string(
            '{% extends "base.html" %}{% block content %}<h1>Tell us what happened</h1>'
            '{% endblock %}'))
    precache_list.register_page(app, "/report/")
    return app


def test_after_visiting_the_home_page_every_kept_page_works_offline(
        make_app, serve, page, browser_context):
    app = with_report_page(make_app())
    url = serve(app).url
    page.goto(url + "/")
    wait_until_controlled(page)
    version = worker.current(app)["version"]
    assert cache_names(page) == [f"sx-precache-{version}"]
    api = "fetch('/api/missing').then(r => r.status, () => 'network error')"
    assert page.evaluate(api) == 404

    browser_context.set_offline(True)
    # The API is never kept nor answered by the worker: offline it is a network error.
    assert page.evaluate(api) == "network error"
    # Every page in the server's own list: advice, site pages and the pages other features
    # register (the report form).
    paths = precache_list.page_paths(app)
    assert len(paths) >= 14 and "/report/" in paths
    for path in paths:
        if app.test_client().get(path).mimetype != "text/html":
            continue  # data the report form keeps (its rules, the public key), not a page
        page.goto(url + path)
        expect(page.get_by_role("heading", level=1)).to_have_text(h1_of(app, path))
        # The stylesheet came from the cache too.
        assert page.evaluate(
            "getComputedStyle(document.querySelector('.exit-bar')).position") == "sticky"
    page.goto(url + "/no-such-page")
    expect(page.get_by_role("heading", level=1)).to_have_text("You are offline")
    expect(page.get_by_role("link", name="999").first).to_have_attribute("href", "tel:999")
    # A report step that is not kept (a no-JavaScript step) falls back to the report form.
    page.goto(url + "/report/step/2")
    expect(page.get_by_role("heading", level=1)).to_have_text(h1_of(app, "/report/"))
    # A form sent offline gets the offline page, not the browser's error.
    page.evaluate("""() => {
        const form = document.createElement('form');
        form.method = 'post';
        form.action = '/report/send';
        document.body.append(form);
        form.submit();
    }""")
    expect(page.get_by_role("heading", level=1)).to_have_text("You are offline")


def test_changed_content_installs_a_new_version_on_tap_or_at_the_next_navigation(
        make_app, serve, page, browser_context, tmp_path):
    advice = tmp_path / "advice"
    shutil.copytree(ROOT / "content" / "advice", advice)
    source = advice / "already-paid.md"
    site = SwappableApp(make_app(ADVICE_DIR=str(advice)))
    url = serve(site).url
    page.goto(url + "/advice/already-paid")
    wait_until_controlled(page)
    first = worker.current(site.app)["version"]
    assert cache_names(page) == [f"sx-precache-{first}"]

    def restart_with_title(title):
        text = re.sub(r"^title: .*$", f"title: {title}", source.read_text(), count=1, flags=re.M)
        source.write_text(text)
        site.app = make_app(ADVICE_DIR=str(advice))
        return worker.current(site.app)["version"]

    # 1. The person taps "Update now": the new version takes over and the page reloads.
    second = restart_with_title("If you have paid already")
    assert second != first
    page.reload()
    notice = page.get_by_role("status").filter(has_text="new version")
    expect(notice).to_contain_text("A new version is ready")
    with page.expect_navigation():
        page.get_by_role("button", name="Update now").click()
    wait_until_controlled(page)
    wait_for_caches(page, f"sx-precache-{second}")
    browser_context.set_offline(True)
    page.goto(url + "/advice/already-paid")
    expect(page.get_by_role("heading", level=1)).to_have_text("If you have paid already")
    browser_context.set_offline(False)

    # 2. No tap: the waiting version takes over at the next navigation.
    third = restart_with_title("Paid them already?")
    page.reload()
    expect(page.get_by_role("status").filter(has_text="new version")).to_be_visible()
    page.get_by_role("link", name="Privacy").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(h1_of(site.app, "/privacy"))
    wait_for_caches(page, f"sx-precache-{third}")
    browser_context.set_offline(True)
    page.goto(url + "/advice/already-paid")
    expect(page.get_by_role("heading", level=1)).to_have_text("Paid them already?")


class SlowPages:
    """Pages that take longer than the worker waits: a connection with one bar of signal."""

    def __init__(self, app, delay):
        self.app, self.delay, self.slow = app, delay, False

    def __call__(self, environ, start_response):
        if self.slow and not environ["PATH_INFO"].startswith(("/static/", "/sw.js")):
            threading.Event().wait(self.delay)  # the server is slow, not the test waiting
        return self.app(environ, start_response)


def test_on_a_slow_connection_the_kept_page_answers_after_the_timeout(
        make_app, serve, page):
    app = make_app()
    site = SlowPages(app, delay=8)
    url = serve(site).url
    page.goto(url + "/")
    wait_until_controlled(page)
    site.slow = True
    # Loaded well before the server would answer: the worker's 3 s timeout, then the copy.
    page.goto(url + "/advice/keeping-evidence", timeout=6000)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        h1_of(app, "/advice/keeping-evidence"))


def test_an_update_never_interrupts_a_report(make_app, serve, page, browser_context,
                                             tmp_path):
    advice = tmp_path / "advice"
    shutil.copytree(ROOT / "content" / "advice", advice)
    site = SwappableApp(with_report_page(make_app(ADVICE_DIR=str(advice))))
    url = serve(site).url
    page.goto(url + "/report/")
    wait_until_controlled(page)
    page.evaluate("document.body.setAttribute('data-report-in-progress', '')")

    source = advice / "already-paid.md"
    source.write_text(source.read_text().replace("bank", "bank straight away", 1))
    site.app = with_report_page(make_app(ADVICE_DIR=str(advice)))
    new_version = worker.current(site.app)["version"]
    page.evaluate("navigator.serviceWorker.getRegistration().then(r => r.update())")
    page.wait_for_function(
        "navigator.serviceWorker.getRegistration().then(r => r.waiting?.state === 'installed')")
    notice = page.locator("[data-update-notice]")
    expect(notice).to_have_text("")  # no offer while the report is being written

    # Another tab opening a page does not switch versions under the report.
    other = browser_context.new_page()
    other.goto(url + "/privacy")
    expect(other.get_by_role("heading", level=1)).to_have_text("Privacy notice")
    assert other.evaluate("navigator.serviceWorker.getRegistration().then(r => !!r.waiting)")

    # The report is done: the offer appears; the next page opened switches over.
    page.evaluate("document.body.removeAttribute('data-report-in-progress')")
    expect(notice).to_contain_text("A new version is ready")
    page.goto(url + "/")  # leaving the report form
    other.goto(url + "/cookies")
    page.wait_for_function(
        f"async () => (await caches.keys()).join() === 'sx-precache-{new_version}'")
