"""The report form on the device, end to end against the live app: written offline, queued
sealed, delivered exactly once despite restarts, 500s, a flapping connection and two tabs; a
field the server refuses takes the person back to that step."""
import json

from flask import request
from playwright.sync_api import expect

from support import (CONTROLLED, QUEUED, TYPED, WHAT, expected_answers, fill_report,
                     sent_reference, stored)

# Every record of every store of every IndexedDB database, Blobs read out, as one string.
DUMP_INDEXEDDB = """async () => {
  const text = async (v) => {
    if (v instanceof Blob) return { blob: await v.text(), name: v.name };
    if (v instanceof ArrayBuffer || ArrayBuffer.isView(v)) return new TextDecoder('latin1').decode(v);
    if (Array.isArray(v)) return Promise.all(v.map(text));
    if (v && typeof v === 'object') {
      const o = {};
      for (const [k, x] of Object.entries(v)) o[k] = await text(x);
      return o;
    }
    return v;
  };
  const req = (r) => new Promise((ok, fail) => { r.onsuccess = () => ok(r.result); r.onerror = () => fail(r.error); });
  const out = [];
  for (const info of await indexedDB.databases()) {
    const dbh = await req(indexedDB.open(info.name));
    for (const name of dbh.objectStoreNames) {
      const records = await req(dbh.transaction(name).objectStore(name).getAll());
      out.push({ db: info.name, store: name, records: await text(records) });
    }
    dbh.close();
  }
  return JSON.stringify(out);
}"""


def test_written_offline_queued_sealed_across_a_restart_then_sent_once(
        new_context, live_server, live_app):
    url = live_server.url
    # While the browser restarts, Chromium may start the service worker (for its pending
    # Background Sync) before Playwright's offline emulation reaches it, and the worker would
    # deliver early. The server answers 503 then, as a server that is down would, so the
    # report must still be waiting when the page opens.
    down = {"now": False}

    @live_app.before_request
    def server_down():
        if down["now"] and request.path == "/api/reports":
            return "", 503

    context = new_context()
    page = context.pages[0]
    page.goto(url + "/")
    page.wait_for_function(CONTROLLED)
    context.set_offline(True)
    page.goto(url + "/report/")
    fill_report(page, files=True)
    page.get_by_role("button", name="Send report").click()
    expect(page.get_by_text(QUEUED)).to_be_visible()
    down["now"] = True
    context.close()

    # The browser restarts, still with no signal: the report waits, sealed.
    context = new_context(offline=True)
    page = context.pages[0]
    page.goto(url + "/report/")
    expect(page.get_by_text(QUEUED)).to_be_visible()
    dump = page.evaluate(DUMP_INDEXEDDB)
    assert '"store":"outbox"' in dump
    assert "RSA-OAEP-256+A256GCM" in dump  # the queued report is there, sealed
    for typed in TYPED:
        assert typed not in dump
    assert stored(live_app) == []

    down["now"] = False
    context.set_offline(False)
    reference = sent_reference(page)
    [(db_reference, answers, attachments)] = stored(live_app)
    assert reference == db_reference
    assert answers == expected_answers(files=True)
    assert attachments == 1
    # Once sent, only the reference and date stay on the device.
    after = json.loads(page.evaluate(DUMP_INDEXEDDB))
    stores = {(d["db"], d["store"]): d["records"] for d in after}
    assert stores[("sx-outbox", "outbox")] == []
    assert [set(r) for r in stores[("sx-outbox", "sent")]] == [{"reference", "sent_at"}]


def count_posts(context, first=None):
    """Count POST /api/reports; `first(route)` answers the first one instead of the app."""
    posts = []

    def handle(route):
        posts.append(route.request.url)
        if first and len(posts) == 1:
            first(route)
        else:
            route.continue_()

    context.route("**/api/reports", handle)
    return posts


def test_server_error_on_the_first_attempt_still_delivered_once(browser_context, page, live_server, live_app):
    posts = count_posts(browser_context, lambda route: route.fulfill(
        status=500, json={"error": {"code": "server_error", "message": "Try later"}}))
    page.goto(live_server.url + "/report/")
    fill_report(page)
    page.get_by_role("button", name="Send report").click()
    reference = sent_reference(page)
    assert len(posts) == 2
    [(db_reference, answers, _)] = stored(live_app)
    assert (db_reference, answers) == (reference, expected_answers())


def test_connection_flapping_during_delivery_still_once(browser_context, page, live_server, live_app):
    def stored_but_answer_lost(route):
        route.fetch()  # the app stores the report...
        route.abort("internetdisconnected")  # ...and its answer never reaches the phone

    posts = count_posts(browser_context, stored_but_answer_lost)
    page.goto(live_server.url + "/report/")
    fill_report(page)
    page.get_by_role("button", name="Send report").click()
    for _ in range(3):
        browser_context.set_offline(True)
        browser_context.set_offline(False)
    reference = sent_reference(page)
    assert len(posts) >= 2
    [(db_reference, answers, _)] = stored(live_app)
    assert (db_reference, answers) == (reference, expected_answers())


def test_two_tabs_open_when_going_online_send_once(browser_context, page, live_server, live_app):
    posts = count_posts(browser_context)
    page.goto(live_server.url + "/report/")
    other = browser_context.new_page()
    other.goto(live_server.url + "/report/")
    browser_context.set_offline(True)
    fill_report(page)
    page.get_by_role("button", name="Send report").click()
    expect(page.get_by_text(QUEUED)).to_be_visible()
    browser_context.set_offline(False)
    reference = sent_reference(page)
    [(db_reference, _, _)] = stored(live_app)
    assert db_reference == reference
    assert len(posts) == 1


def test_a_field_the_server_refuses_takes_the_person_back_to_its_step(
        browser_context, page, live_server, live_app):
    message = "What happened must not be only spaces"
    posts = count_posts(browser_context, lambda route: route.fulfill(status=422, json={"error": {
        "code": "invalid", "field": "what_happened", "step": "what-happened",
        "message": message}}))
    page.goto(live_server.url + "/report/")
    fill_report(page)
    page.get_by_role("button", name="Send report").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text(message)
    expect(summary).to_be_focused()
    field = page.get_by_label("What happened, in your own words")
    expect(field).to_have_value(WHAT)  # nothing typed is lost
    expect(page.locator("#what_happened-error")).to_contain_text(message)
    field.fill(WHAT + " and more")
    page.get_by_role("button", name="Continue").click()
    # Straight back to check, then sent.
    page.get_by_role("button", name="Send report").click()
    sent_reference(page)
    assert len(posts) == 2
    [(_, answers, _)] = stored(live_app)
    assert answers["what_happened"] == WHAT + " and more"
