"""outbox-core.js on its own, against a stubbed API (context.route), so each delivery rule is
seen directly: fresh CSRF token per attempt, retry after 5xx honouring Retry-After, removal
only after acknowledgement, a final 4xx kept for the person, one sender at a time."""
import json

from playwright.sync_api import expect

from pwa import sealing

ENQUEUE = """async ([jwk, key, attachments]) => {
  const { sealJSON, seal } = await import('/static/js/seal.js');
  const report = await sealJSON({ v: 1, what_happened: 'secret words' }, jwk);
  const files = [];
  for (let i = 0; i < attachments; i++) files.push(await seal(new Uint8Array([1, 2, 3]), jwk));
  await sxOutbox.enqueue({ id: key, created_at: new Date().toISOString(), report, attachments: files });
}"""

OUTBOX = "async () => ({ queued: await sxOutbox.list(), sent: await sxOutbox.sent() })"
# Mirror the outbox into window.__outbox on every change, so wait_for_function can poll it.
MIRROR = """() => {
  const refresh = async () => {
    window.__outbox = { queued: await sxOutbox.list(), sent: await sxOutbox.sent() };
  };
  sxOutbox.subscribe(refresh);
  return refresh();
}"""


class StubAPI:
    """Answers /api/csrf with a new token each time and /api/reports from a list of replies."""

    def __init__(self, context, replies, hold_first=False):
        self.replies = list(replies)
        self.hold_first = hold_first
        self.held = None
        self.posts = []
        self.tokens = 0
        context.route("**/api/csrf", self.csrf)
        context.route("**/api/reports", self.report)

    def csrf(self, route):
        self.tokens += 1
        route.fulfill(status=200, json={"token": f"token-{self.tokens}"})

    def report(self, route):
        request = route.request
        self.posts.append({"headers": request.headers, "body": request.post_data_buffer})
        if self.hold_first and len(self.posts) == 1:
            self.held = route  # answered by release(), to keep a delivery in flight
            return
        self.answer(route)

    def release(self):
        self.answer(self.held)

    def answer(self, route):
        status, body, headers = self.replies.pop(0) if self.replies else (
            201, {"reference": "SX-AAAA-BBBB", "received_at": "2026-11-24T10:00:00Z"}, {})
        route.fulfill(status=status, json=body, headers=headers)


def start(page, live_server, live_app):
    page.goto(live_server.url + "/")
    page.wait_for_function("() => globalThis.sxOutbox")
    page.evaluate(MIRROR)
    page.evaluate("() => import('/static/js/seal.js')")  # loaded now, usable offline later
    return sealing.keyring(live_app).public_jwk()


def test_retry_after_500_then_removed_once_acknowledged(browser_context, page, live_server, live_app):
    api = StubAPI(browser_context, [(500, {"error": {"code": "server_error"}}, {"Retry-After": "1"})])
    jwk = start(page, live_server, live_app)
    page.evaluate(ENQUEUE, [jwk, "key-500", 0])
    page.wait_for_function("() => window.__outbox.sent.length === 1")
    state = page.evaluate(OUTBOX)
    assert state["queued"] == []
    assert state["sent"] == [{"reference": "SX-AAAA-BBBB", "sent_at": "2026-11-24T10:00:00Z"}]
    assert len(api.posts) == 2
    assert {p["headers"]["idempotency-key"] for p in api.posts} == {"key-500"}
    # A fresh token for each attempt, never a stored one.
    assert [p["headers"]["x-csrftoken"] for p in api.posts] == ["token-1", "token-2"]
    body = json.loads(api.posts[0]["body"])
    assert set(body) == {"created_at", "report"} and body["report"]["alg"]


def test_final_422_is_kept_for_attention_with_the_message(browser_context, page, live_server, live_app):
    error = {"code": "invalid", "field": "what_happened", "step": "what-happened",
             "message": "Tell us what happened"}
    api = StubAPI(browser_context, [(422, {"error": error}, {})])
    jwk = start(page, live_server, live_app)
    page.evaluate(ENQUEUE, [jwk, "key-422", 0])
    page.wait_for_function("() => window.__outbox.queued[0]?.status === 'attention'")
    entry = page.evaluate(OUTBOX)["queued"][0]
    assert entry["error"]["step"] == "what-happened"
    assert entry["error"]["message"] == "Tell us what happened"
    # Not retried on its own: a final answer waits for the person.
    page.evaluate("() => sxOutbox.deliverAll()")
    assert len(api.posts) == 1


def test_attachments_go_as_multipart_parts(browser_context, page, live_server, live_app):
    api = StubAPI(browser_context, [])
    jwk = start(page, live_server, live_app)
    page.evaluate(ENQUEUE, [jwk, "key-files", 2])
    page.wait_for_function("() => window.__outbox.sent.length === 1")
    post = api.posts[0]
    assert post["headers"]["content-type"].startswith("multipart/form-data")
    assert post["body"].count(b'name="attachment"') == 2
    assert post["body"].count(b'name="meta"') == 1


def test_two_tabs_going_online_send_an_entry_once(browser_context, page, live_server, live_app):
    api = StubAPI(browser_context, [], hold_first=True)
    jwk = start(page, live_server, live_app)
    other = browser_context.new_page()
    other.goto(live_server.url + "/")
    other.wait_for_function("() => globalThis.sxOutbox")
    browser_context.set_offline(True)
    page.evaluate(ENQUEUE, [jwk, "key-tabs", 0])
    # Both tabs see `online` at once; one sends, and its request is held unanswered.
    with browser_context.expect_event(
            "request", lambda r: r.url.endswith("/api/reports")) as first:
        browser_context.set_offline(False)
    sender = first.value.frame.page
    idle = other if sender is page else page
    # The other tab tries now, while the first request is in flight: it must not send.
    idle.evaluate("() => sxOutbox.deliverAll()")
    api.release()
    page.wait_for_function("() => window.__outbox.sent.length === 1")
    assert len(api.posts) == 1
