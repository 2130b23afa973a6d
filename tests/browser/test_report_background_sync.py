"""Background Sync: the service worker (which importScripts outbox-core.js) delivers a queued
report on its own when a `sync` event fires, with no page of the app open."""
from playwright.sync_api import expect

from support import CONTROLLED, QUEUED, expected_answers, fill_report, stored


def wait_until(page, condition, what, seconds=10):
    """Wait for something outside the page (a CDP event, the database), checking it while
    Playwright dispatches events; fails with `what` after `seconds`."""
    for _ in range(seconds * 20):
        if condition():
            return
        page.wait_for_timeout(50)
    raise AssertionError(f"timed out waiting for {what}")


def test_worker_delivers_on_sync_with_no_page_open(browser_context, page, live_server, live_app):
    url = live_server.url
    # Playwright's offline emulation may not reach a service worker that Chromium starts
    # afresh, so while "offline" the report API is also cut by a route (which the worker's
    # requests go through too).
    cut = {"now": False}
    browser_context.route("**/api/reports", lambda route: route.abort("internetdisconnected")
                          if cut["now"] else route.continue_())
    page.goto(url + "/")
    page.wait_for_function(CONTROLLED)
    cut["now"] = True
    browser_context.set_offline(True)
    page.goto(url + "/report/")
    fill_report(page)
    page.get_by_role("button", name="Send report").click()
    expect(page.get_by_text(QUEUED)).to_be_visible()
    page.goto("about:blank")  # no page of ours left to deliver it
    assert stored(live_app) == []  # (checked while offline: on reconnecting Chromium may sync)
    cut["now"] = False
    browser_context.set_offline(False)

    # Chromium may fire the registered sync itself on reconnecting; dispatch one through CDP
    # so the test does not depend on it. In the worker only `sync` can start a delivery.
    cdp = browser_context.new_cdp_session(page)
    registrations = []
    cdp.on("ServiceWorker.workerRegistrationUpdated",
           lambda event: registrations.extend(event["registrations"]))
    cdp.send("ServiceWorker.enable")
    def ours():
        return [r for r in registrations if r["scopeURL"].startswith(url) and not r["isDeleted"]]

    wait_until(page, ours, "the worker's registration")
    cdp.send("ServiceWorker.dispatchSyncEvent", {
        "origin": url, "registrationId": ours()[0]["registrationId"], "tag": "sx-outbox",
        "lastChance": False})
    wait_until(page, lambda: stored(live_app), "the report to be stored")
    [(reference, answers, _)] = stored(live_app)
    assert answers == expected_answers()
    # The next time the form is opened, the reference is there; nothing else of the report.
    page.goto(url + "/report/")
    expect(page.get_by_role("heading", name="Reports sent from this phone")).to_be_visible()
    expect(page.get_by_role("listitem").filter(has_text=reference)).to_be_visible()
    page.get_by_role("button", name="Start a new report").click()
    expect(page.get_by_role("heading", name="Are you in danger right now?")).to_be_focused()
