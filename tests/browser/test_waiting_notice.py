"""A report waiting on the device, in a browser tab (not the installed app): every page says
how to get it sent before Safari's 7-day eviction, and asks the browser to keep the storage."""
from playwright.sync_api import expect

NOTICE = "A report is waiting on this phone to be sent."
CONTROLLED = "() => navigator.serviceWorker.controller?.state === 'activated'"
# Counts the calls to navigator.storage.persist() on each page.
SPY = """(() => {
  const real = navigator.storage && navigator.storage.persist && navigator.storage.persist.bind(navigator.storage);
  window.__persistCalls = 0;
  if (real) navigator.storage.persist = () => { window.__persistCalls += 1; return real(); };
})();"""


def notice(page):
    return page.get_by_role("status").filter(has_text=NOTICE)


def test_a_waiting_report_is_announced_in_a_tab_but_not_in_the_installed_app(
        new_context, live_server):
    url = live_server.url
    context = new_context()
    page = context.pages[0]
    page.add_init_script(SPY)
    page.goto(url + "/")
    page.wait_for_function(CONTROLLED)
    expect(notice(page)).to_be_hidden()
    # Nobody who only reads has an outbox database made for them by the notice.
    assert "sx-outbox" not in page.evaluate("indexedDB.databases().then(d => d.map(x => x.name))")

    context.set_offline(True)
    page.evaluate("""sxOutbox.enqueue({id: 'waiting-1', created_at: new Date().toISOString(),
                                      report: {ct: 'sealed'}, attachments: []})""")
    expect(notice(page)).to_be_visible()  # heard from the outbox at once, no reload
    expect(notice(page)).to_contain_text("Open this site again when you are online, or "
                                         "install the app, so it can send.")
    page.goto(url + "/advice/what-to-do-now")
    expect(notice(page)).to_be_visible()
    assert page.evaluate("window.__persistCalls") >= 1
    context.close()

    # In the installed app (an app window: display mode standalone) storage is not evicted
    # after 7 days, so there is nothing to warn about.
    app = new_context(app_window=url + "/", offline=True)
    page = app.pages[0]
    page.wait_for_load_state()
    assert page.evaluate("matchMedia('(display-mode: standalone)').matches")
    assert page.evaluate("sxOutbox.count()") == 1
    # It has looked and found the report, and says nothing.
    expect(page.locator("[data-waiting-notice]")).to_have_attribute("data-checked", "1")
    expect(page.locator("[data-waiting-notice]")).to_be_hidden()
    app.close()

    # Back in a tab: shown; once the report has gone, hidden.
    context = new_context(offline=True)
    page = context.pages[0]
    page.goto(url + "/")
    expect(notice(page)).to_be_visible()
    page.evaluate("sxOutbox.remove('waiting-1')")
    expect(notice(page)).to_be_hidden()
