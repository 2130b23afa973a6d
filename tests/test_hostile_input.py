"""What a stranger can send: each gets a clear 4xx (JSON with a stable code on the API, the
friendly page on pages), never a 500 or a traceback (issue 11)."""
import datetime
import io
import json
import threading

import pytest

from pwa import sealing
from pwa.extensions import db
from pwa.models import Report
from report_support import (CREATED_AT, csrf_token, full_answers, png_bytes, post_report,
                            public_key, seal_bytes, seal_json)
from test_report_nojs import Form, html

DEEP = "[" * 100_000
NAMELESS = (b"--X\r\nContent-Disposition: form-data\r\n\r\nhello\r\n"
            b"--X\r\nContent-Disposition: form-data; filename=\"a.png\"\r\n\r\nxx\r\n--X--\r\n")


@pytest.fixture
def app(make_app):
    # As in production: an unexpected exception becomes the 500 page, not a test error, so
    # the status is what is checked.
    return make_app(TESTING=False)


def api_error(response, status, code):
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    assert response.is_json
    assert response.get_json()["error"]["code"] == code
    return response.get_json()["error"]


def friendly_page(response, status):
    assert response.status_code == status
    assert "text/html" in response.content_type
    assert "Traceback" not in html(response)


def post_posts(app):
    """Every route that takes a POST (all of them are CSRF-protected), with its path filled."""
    values = {"step_id": "danger", "reference": "SX-2222-2222"}
    for rule in app.url_map.iter_rules():
        if "POST" in rule.methods:
            yield rule.rule.replace("<step_id>", values["step_id"]).replace(
                "<reference>", values["reference"])


def test_nameless_multipart_part_is_refused_on_every_post(app, client):
    urls = list(post_posts(app))
    assert "/api/reports" in urls and "/report/check" in urls and "/officers/sign-in" in urls
    token = csrf_token(client)
    for url in urls:
        response = client.post(url, data=NAMELESS, headers={
            "X-CSRFToken": token, "Idempotency-Key": "k-nameless"},
            content_type="multipart/form-data; boundary=X")
        if url.startswith("/api/"):
            api_error(response, 400, "bad_request")
        else:
            friendly_page(response, 400)


def test_deep_json_as_the_body(app, client):
    response = client.post("/api/reports", data=DEEP, content_type="application/json",
                           headers={"X-CSRFToken": csrf_token(client), "Idempotency-Key": "d1"})
    api_error(response, 400, "bad_request")


def test_deep_json_inside_report(app, client):
    body = json.dumps({"created_at": CREATED_AT, "report": None}).replace("null", DEEP)
    response = client.post("/api/reports", data=body, content_type="application/json",
                           headers={"X-CSRFToken": csrf_token(client), "Idempotency-Key": "d2"})
    api_error(response, 400, "bad_request")


def test_deep_json_in_multipart_meta(app, client):
    response = client.post("/api/reports", data={"meta": DEEP},
                           content_type="multipart/form-data",
                           headers={"X-CSRFToken": csrf_token(client), "Idempotency-Key": "d3"})
    api_error(response, 400, "bad_request")


def test_deep_json_in_an_attachment_part(app, client):
    response = post_report(client, app, images=[png_bytes()],
                           sealed_attachments=[DEEP.encode()])
    error = api_error(response, 422, "attachment_invalid")
    assert error["index"] == 0


def test_deep_json_inside_the_sealed_plaintext(app, client):
    envelope = sealing.seal(DEEP.encode(), public_key(app))
    error = api_error(post_report(client, app, envelope=envelope), 422, "sealed_invalid")
    assert error["field"] == "report"


def test_deep_json_as_a_sealed_envelope_text():
    with pytest.raises(sealing.SealError):
        sealing.parse_envelope(DEEP)


@pytest.mark.parametrize("created_at", ["9999-12-31T23:59:59-14:00",
                                        "0001-01-01T00:00:00+14:00"])
def test_created_at_at_the_edges_of_the_calendar(app, client, created_at):
    error = api_error(post_report(client, app, created_at=created_at), 422, "invalid")
    assert error["field"] == "created_at"


def test_created_at_far_in_the_future_is_refused_within_a_day_is_not(app, client):
    from pwa.report.store import CREATED_AT_FUTURE_TOLERANCE

    now = datetime.datetime.now(datetime.timezone.utc)
    later = (now + CREATED_AT_FUTURE_TOLERANCE + datetime.timedelta(minutes=5)).isoformat()
    error = api_error(post_report(client, app, created_at=later), 422, "invalid")
    assert error["field"] == "created_at" and error["rule"] == "too_late"
    # A device clock a few hours fast (a wrong time zone) still gets its report stored.
    soon = (now + datetime.timedelta(hours=3)).isoformat()
    assert post_report(client, app, created_at=soon).status_code == 201


def test_405_carries_allow_on_the_api_and_on_pages(app, client):
    response = client.put("/api/reports")
    api_error(response, 405, "method_not_allowed")
    assert set(response.headers["Allow"].split(", ")) >= {"POST"}
    response = client.delete("/report/danger")
    friendly_page(response, 405)
    assert "GET" in response.headers["Allow"] and "POST" in response.headers["Allow"]


def _fill_in(form):
    for step, data in [("danger", {"in_danger": "no"}), ("age", {"age_band": "25-plus"}),
                       ("what-happened", {"what_happened": "x"}),
                       ("platforms", {"platforms": ["tiktok"]}), ("about-them", {}),
                       ("payment", {"paid": "no"}),
                       ("evidence", {"attachments": [(io.BytesIO(png_bytes()), "a.png")]}),
                       ("contact", {"contact_method": "anonymous"})]:
        form.get(f"/report/{step}")
        assert form.post(f"/report/{step}", data).status_code == 302, step
    form.get("/report/check")


def test_simultaneous_no_js_sends_show_one_confirmation(make_app):
    """Several "Send report" posts at once from one browser (double click, several tabs):
    one report, and every answer is the confirmation with its reference."""
    app = make_app(TESTING=False, REPORT_RATE_LIMIT="100 per minute")
    first = app.test_client()
    form = Form(first)
    _fill_in(form)
    cookie = first.get_cookie("session").value
    clients = [app.test_client() for _ in range(6)]
    for c in clients:
        c.set_cookie("session", cookie)
    barrier = threading.Barrier(len(clients))
    answers = [None] * len(clients)

    def send(i):
        barrier.wait()
        answers[i] = clients[i].post("/report/check", data={"csrf_token": form.token})

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(clients))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert [r.status_code for r in answers] == [302] * len(clients)
    assert {r.location for r in answers} == {"/report/sent"}
    references = set()
    for c in clients:
        page = html(c.get("/report/sent"))
        references.add(page.split("data-report-reference>")[1].split("<")[0])
    with app.app_context():
        assert [r.reference for r in db.session.execute(db.select(Report)).scalars()] == \
            list(references)


def test_session_cookie_holds_nothing_readable_after_sending(app, client):
    import base64
    import zlib

    form = Form(client)
    _fill_in(form)
    assert form.post("/report/check").location == "/report/sent"
    page = html(client.get("/report/sent"))
    reference = page.split("data-report-reference>")[1].split("<")[0]
    value = client.get_cookie("session").value
    payload = value.split(".")[1] if value.startswith(".") else value.split(".")[0]
    raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    if value.startswith("."):
        raw = zlib.decompress(raw)
    assert reference.encode() not in raw and b"SX-" not in raw
    # Only the random progress id (and the CSRF token's random value) are in it.
    assert set(json.loads(raw)) <= {"report_progress", "csrf_token"}


def test_missing_token_reshows_the_step_with_what_was_typed(app, client):
    form = Form(client)
    form.get("/report/what-happened")
    response = client.post("/report/what-happened", data={
        "what_happened": "typed-canary-3141", "started": "May"},
        content_type="multipart/form-data")
    assert response.status_code == 400
    page = html(response)
    assert "typed-canary-3141" in page and 'value="May"' in page
    assert "did not save it" in page and "select Continue again" in page
    # The page carries a fresh token: Continue works.
    form.token = None
    assert form.post("/report/what-happened", {"what_happened": "typed-canary-3141"}
                     ).location == "/report/platforms"


def test_expired_token_on_a_first_step_reshows_it_with_what_was_typed(app, client,
                                                                      monkeypatch):
    import itsdangerous.timed

    form = Form(client)
    form.get("/report/danger")
    later = itsdangerous.timed.time.time() + app.config["WTF_CSRF_TIME_LIMIT"] + 60
    monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: later)
    response = form.post("/report/danger", {"in_danger": "yes"})
    assert response.status_code == 400
    page = html(response)
    assert "did not save it" in page
    assert 'name="in_danger" value="yes" checked>' in page
    assert 'name="in_danger" value="no" checked>' not in page


def test_expired_token_with_progress_saves_and_redirects_to_the_step(app, client,
                                                                     monkeypatch):
    """With this browser's own progress (its SameSite=Strict cookie came with the post) what
    was typed is saved, and the answer is a redirect, as for every step POST."""
    import itsdangerous.timed

    form = Form(client)
    form.get("/report/danger")
    assert form.post("/report/danger", {"in_danger": "no"}).status_code == 302
    form.get("/report/what-happened")
    later = itsdangerous.timed.time.time() + app.config["WTF_CSRF_TIME_LIMIT"] + 60
    monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: later)
    response = form.post("/report/what-happened", {"what_happened": "kept-canary-1618"})
    assert response.status_code == 303
    assert response.location == "/report/what-happened?notice=expired"
    page = html(form.get(response.location))
    assert "kept-canary-1618" in page and "Your answers are saved" in page
    assert form.post("/report/what-happened", {"what_happened": "kept-canary-1618"}
                     ).location == "/report/platforms"


def test_upload_over_the_body_limit_keeps_the_saved_answers(make_app):
    app = make_app(TESTING=False, MAX_CONTENT_LENGTH=4000)
    client = app.test_client()
    form = Form(client)
    form.get("/report/evidence")
    assert form.post("/report/evidence", {"evidence_description": "saved-canary-2718"}
                     ).status_code == 302
    form.get("/report/evidence")
    response = form.post("/report/evidence", {
        "evidence_description": "lost text",
        "attachments": [(io.BytesIO(b"\x89PNG" + bytes(20_000)), "big.png")]})
    assert response.status_code == 303
    assert response.location == "/report/evidence?notice=too_large"
    page = html(form.get(response.location))
    assert "too large for us to read" in page and "fewer or smaller screenshots" in page
    assert "saved-canary-2718" in page


def test_expired_token_on_send_reshows_check_and_sends_nothing(app, client, monkeypatch):
    import itsdangerous.timed

    form = Form(client)
    _fill_in(form)
    real = itsdangerous.timed.time.time
    later = real() + app.config["WTF_CSRF_TIME_LIMIT"] + 60
    monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: later)
    response = form.post("/report/check")
    assert response.status_code == 303
    page = html(form.get(response.location))
    assert "we have not sent your report yet" in page and "Check your answers" in page
    with app.app_context():
        assert db.session.query(Report).count() == 0
    assert form.post("/report/check").location == "/report/sent"  # the page's new token


def test_progress_outlives_the_officers_session_minutes(app, client, monkeypatch):
    """Flask refuses a session cookie signed more than PERMANENT_SESSION_LIFETIME (officers'
    15 minutes) ago: a long answer on one page must not lose the earlier ones."""
    import itsdangerous.timed

    form = Form(client)
    form.get("/report/danger")
    assert form.post("/report/danger", {"in_danger": "yes"}).status_code == 302
    form.get("/report/age")
    later = itsdangerous.timed.time.time() + 40 * 60
    monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: later)
    assert form.post("/report/age", {"age_band": "18-24"}).location == "/report/what-happened"
    assert 'name="in_danger" value="yes" checked>' in html(form.get("/report/danger"))


def test_the_hand_off_crosses_the_redirect_encrypted_and_of_one_length(app, client):
    """Between "Send report" and the sent page the cookie carries which next steps to offer
    (under 18, paid): encrypted, and the same length whatever they are."""
    import base64
    import zlib

    from pwa.report import handoff_token, open_handoff

    def cookie_payload(value):
        payload = value.split(".")[1] if value.startswith(".") else value.split(".")[0]
        raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
        return zlib.decompress(raw) if value.startswith(".") else raw

    with app.test_request_context():
        tokens = {tuple(n): handoff_token(n) for n in ([], ["paid"], ["under-18", "paid"])}
        assert len({len(t) for t in tokens.values()}) == 1
        assert all(open_handoff(t) == list(n) for n, t in tokens.items())
        assert open_handoff("garbage") == []
    form = Form(client)
    _fill_in(form)
    form.get("/report/age")
    form.post("/report/age", {"age_band": "13-15"})
    form.get("/report/check")
    response = form.post("/report/check")
    assert response.location == "/report/sent"
    raw = cookie_payload(client.get_cookie("session").value)
    # (Words, not "18": a random token in the cookie can hold those two digits.)
    assert b"under" not in raw and b"paid" not in raw
    assert "data-report-handoff" in html(client.get("/report/sent"))
