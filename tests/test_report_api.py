"""POST /api/reports: exactly once per key, checked by content, nothing about the sender."""
import json
import re
import uuid

import pytest

from pwa import sealing
from pwa.extensions import db
from pwa.models import Attachment, Report
from report_support import (full_answers, jpeg_bytes, png_bytes, post_report,
                            seal_bytes, seal_json)

REFERENCE = re.compile(r"^SX-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}$")


def rows(app, model=Report):
    with app.app_context():
        return db.session.execute(db.select(model)).scalars().all()


def test_new_report_is_stored_sealed_with_a_reference(app, client):
    response = post_report(client, app)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert REFERENCE.match(body["reference"])
    assert body["received_at"].endswith("Z")
    assert response.headers["Cache-Control"] == "no-store"
    [report] = rows(app)
    assert report.reference == body["reference"]
    assert report.created_at.replace(tzinfo=None).isoformat() == "2026-11-24T10:15:00"
    assert not report.under_18 and not report.in_danger
    with app.app_context():
        opened = json.loads(sealing.unseal(report.sealed, sealing.keyring()))
    assert opened == full_answers()


def test_flags_follow_the_answers(app, client):
    post_report(client, app, full_answers(in_danger="yes", age_band="13-15"))
    [report] = rows(app)
    assert report.under_18 and report.in_danger


def test_same_key_twice_returns_the_same_reference(app, client):
    key = str(uuid.uuid4())
    first = post_report(client, app, key=key)
    # A retry resends the same sealed bytes: the device seals once (post_report does too).
    second = post_report(client, app, key=key)
    # The replay repeats the original status and body, and says it is a replay.
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.get_json() == second.get_json()
    assert "Idempotent-Replayed" not in first.headers
    assert second.headers["Idempotent-Replayed"] == "true"
    assert len(rows(app)) == 1


@pytest.mark.parametrize("quoted", [
    '"{key}"', ' "{key}" ', '"{key}";v=1'])
def test_the_structured_field_string_form_names_the_same_key(app, client, quoted):
    key = str(uuid.uuid4())
    first = post_report(client, app, key=quoted.format(key=key))
    assert first.status_code == 201, first.get_json()
    [report] = rows(app)
    assert report.idempotency_key == key  # stored unquoted: one key, either form
    again = post_report(client, app, key=key)
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json() == first.get_json()
    assert len(rows(app)) == 1


def test_any_key_header_is_a_key_or_a_clear_refusal():
    """Whatever a stranger sends as the header: a valid key, or Rejected(400), never a crash."""
    import random

    from pwa.report import store

    rng = random.Random(18)
    alphabet = '"\\;=, \t()abcXYZ019-_:*?%\u00e9\u00ff'
    for _ in range(3000):
        header = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
        try:
            key = store.parse_key(header)
        except store.Rejected as err:
            assert err.status == 400 and err.code.startswith("idempotency_key_")
        else:
            assert key and key.isascii() and key.isprintable() and len(key) <= 64


def test_a_quoted_key_with_escapes_is_unescaped(app, client):
    assert post_report(client, app, key=r'"a\"b\\c"').status_code == 201
    assert rows(app)[0].idempotency_key == 'a"b\\c'


@pytest.mark.parametrize("bad", ['"unterminated', '"bad \\x escape"', '"a" "b"', '""',
                                 '"' + "k" * 65 + '"', '"caf\u00e9"'])
def test_a_malformed_quoted_key_is_a_clear_400(app, client, bad):
    response = post_report(client, app, key=bad)
    assert response.status_code == 400, bad
    assert response.get_json()["error"]["code"] in (
        "idempotency_key_invalid", "idempotency_key_missing")
    assert rows(app) == []


def test_same_key_with_different_content_is_refused(app, client):
    key = str(uuid.uuid4())
    assert post_report(client, app, key=key).status_code == 201
    response = post_report(client, app, full_answers(what_happened="Something else"), key=key)
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "idempotency_conflict"
    assert len(rows(app)) == 1


def test_missing_key_is_400(app, client):
    response = post_report(client, app, key=None)
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "idempotency_key_missing"
    assert rows(app) == []


def test_missing_csrf_token_is_403_json(app, client):
    response = client.post("/api/reports", json={"created_at": "x", "report": {}},
                           headers={"Idempotency-Key": str(uuid.uuid4())})
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "csrf_failed"


def test_envelope_that_does_not_open_is_sealed_invalid(app, client):
    envelope = seal_json(app, full_answers())
    envelope["ct"] = envelope["ct"][:-8] + "AAAAAAA="
    response = post_report(client, app, envelope=envelope)
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "sealed_invalid"


def test_validation_error_names_field_and_step(app, client):
    response = post_report(client, app, full_answers(what_happened=None))
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert (error["code"], error["field"], error["step"]) == ("invalid", "what_happened",
                                                              "what-happened")
    assert error["message"] == "Enter what happened"
    assert rows(app) == []


def test_bad_created_at_is_refused(app, client):
    response = post_report(client, app, created_at="yesterday")
    assert response.status_code == 422
    assert response.get_json()["error"]["field"] == "created_at"


def test_attachments_are_checked_and_stored_sealed_as_received(app, client):
    images = [png_bytes(), jpeg_bytes()]
    blobs = [seal_bytes(app, img) for img in images]
    response = post_report(client, app, images=images, sealed_attachments=blobs)
    assert response.status_code == 201, response.get_json()
    stored = rows(app, Attachment)
    assert [a.position for a in stored] == [0, 1]
    folder = app.config["ATTACHMENT_DIR"]
    for attachment, blob in zip(stored, blobs):
        assert re.fullmatch(r"[0-9a-f]{32}\.sealed", attachment.stored_name)
        with open(f"{folder}/{attachment.stored_name}", "rb") as handle:
            assert handle.read() == blob  # as received from the device


def test_renamed_non_image_is_refused(app, client):
    fake = b"%PDF-1.7 this is not a picture" + b"\0" * 100
    answers = full_answers(attachments=[{"name": "photo.png", "type": "image/png",
                                         "size": len(fake)}])
    response = post_report(client, app, answers, images=[fake])
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert (error["code"], error["field"], error["step"]) == ("attachment_invalid",
                                                              "attachments", "evidence")
    assert rows(app) == [] and rows(app, Attachment) == []


def test_image_with_right_magic_but_broken_body_is_refused(app, client):
    broken = png_bytes()[:40]
    response = post_report(client, app, images=[broken])
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "attachment_invalid"


def test_decompression_bomb_is_refused(app, client):
    # A tiny PNG that claims 8000 x 8000 pixels (64 million): refused before decoding.
    from PIL import Image
    import io
    out = io.BytesIO()
    Image.new("1", (8000, 8000)).save(out, "PNG")
    response = post_report(client, app, images=[out.getvalue()])
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "attachment_invalid"


def test_too_many_attachments_are_refused(app, client):
    response = post_report(client, app, images=[png_bytes()] * 6)
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] in ("attachment_invalid", "invalid")
    assert response.get_json()["error"]["field"] == "attachments"
    assert rows(app) == []


def test_too_large_attachment_is_refused(app, client, monkeypatch):
    from pwa.report import attachments, steps
    # 10 MB for real would be slow to seal; lower the limit to prove the check.
    monkeypatch.setattr(attachments, "MAX_ATTACHMENT_BYTES", 1000)
    big = png_bytes((200, 200), (1, 2, 3)) + b"\0" * 2000
    answers = full_answers(attachments=[{"name": "a.png", "type": "image/png", "size": 10}])
    response = post_report(client, app, answers, images=[big])
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "attachment_invalid"
    # and the declared size is held to the real limit too
    answers = full_answers(attachments=[{"name": "a.png", "type": "image/png",
                                         "size": steps.MAX_ATTACHMENT_BYTES + 1}])
    response = post_report(client, app, answers, images=[png_bytes()])
    assert response.status_code == 422
    assert response.get_json()["error"]["field"] == "attachments"


def test_attachment_count_must_match_the_answers(app, client):
    answers = full_answers(attachments=[{"name": "a.png", "type": "image/png", "size": 9},
                                        {"name": "b.png", "type": "image/png", "size": 9}])
    response = post_report(client, app, answers, images=[png_bytes()])
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "attachment_invalid"


def test_no_address_or_user_agent_is_stored(app, client, tmp_path, database_bytes):
    agent = "Mozilla/5.0 (UniqueTestAgent-7f3a9c)"
    address = "203.0.113.77"
    client.environ_base.update({"REMOTE_ADDR": address, "HTTP_USER_AGENT": agent})
    response = post_report(client, app, images=[png_bytes()])
    assert response.status_code == 201
    [report] = rows(app)
    for column in Report.__table__.columns:
        value = getattr(report, column.name)
        text = value.decode("latin-1") if isinstance(value, bytes) else str(value)
        assert address not in text and agent not in text
    raw = database_bytes(app)
    assert address.encode() not in raw and b"UniqueTestAgent" not in raw


def test_database_and_attachment_folder_hold_no_plaintext(app, client, tmp_path,
                                                          database_bytes):
    secret_text = "Plaintext-canary-3141 happened on a ferry"
    image = png_bytes((16, 16), (17, 34, 51))
    response = post_report(client, app, full_answers(what_happened=secret_text,
                                                     name="Canary Person-2718"),
                           images=[image])
    assert response.status_code == 201
    blobs = [database_bytes(app)]
    blobs += [p.read_bytes() for p in (tmp_path / "attachments").iterdir()]
    for blob in blobs:
        assert b"Plaintext-canary-3141" not in blob
        assert b"Canary Person-2718" not in blob
        assert image not in blob and image[16:48] not in blob


def test_report_key_is_the_public_jwk(app, client):
    response = client.get("/api/report-key")
    jwk = response.get_json()
    assert jwk["kty"] == "RSA" and jwk["alg"] == "RSA-OAEP-256"
    assert jwk["kid"] == sealing.keyring(app).current_id
    assert "d" not in jwk and "p" not in jwk  # nothing private


def test_csrf_endpoint_is_not_cached(client):
    response = client.get("/api/csrf")
    assert response.headers["Cache-Control"] == "no-store"
    assert response.get_json()["token"]


def test_rate_limit_gives_429_with_retry_after_and_spares_replays(make_app):
    app = make_app(REPORT_RATE_LIMIT="2 per minute")
    client = app.test_client()
    key = str(uuid.uuid4())
    assert post_report(client, app, key=key).status_code == 201
    assert post_report(client, app).status_code == 201
    refused = post_report(client, app)
    assert refused.status_code == 429
    assert refused.get_json()["error"]["code"] == "rate_limited"
    assert int(refused.headers["Retry-After"]) > 0
    # The device retrying a report already stored still gets its reference back.
    for _ in range(3):
        assert post_report(client, app, key=key).headers["Idempotent-Replayed"] == "true"


def test_failed_attempts_do_not_use_up_the_new_report_limit(make_app):
    app = make_app(REPORT_RATE_LIMIT="2 per minute")
    client = app.test_client()
    for _ in range(3):
        assert post_report(client, app, full_answers(paid=None)).status_code == 422
    assert post_report(client, app).status_code == 201


def test_all_attempts_are_limited_too(make_app):
    app = make_app(REPORT_ATTEMPT_LIMIT="3 per minute")
    client = app.test_client()
    codes = [post_report(client, app, full_answers(paid=None)).status_code for _ in range(4)]
    assert codes == [422, 422, 422, 429]


def test_openapi_lists_every_api_route(app, client):
    doc = client.get("/api/openapi.json").get_json()
    assert doc["openapi"].startswith("3.1")
    documented = {(path, method.upper()) for path, ops in doc["paths"].items()
                  for method in ops if method in ("get", "post", "put", "patch", "delete")}
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/"):
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                routes.add((rule.rule, method))
    assert routes and routes <= documented, routes - documented
    # and the codes the API really uses are described
    codes = json.dumps(doc)
    for code in ("idempotency_key_missing", "idempotency_conflict", "in_progress",
                 "sealed_invalid", "attachment_invalid", "rate_limited", "csrf_failed"):
        assert code in codes


def test_lock_timeout_answers_409_in_progress_and_leaves_no_files(app, client, monkeypatch):
    from sqlalchemy.exc import OperationalError

    def locked():
        raise OperationalError("INSERT", {}, Exception("database is locked"))

    with app.app_context():
        monkeypatch.setattr(db.session, "commit", locked)
    response = post_report(client, app, images=[png_bytes()])
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "in_progress"
    import os
    assert os.listdir(app.config["ATTACHMENT_DIR"]) == []


def test_replays_of_one_key_are_limited_per_key(make_app):
    app = make_app(REPORT_REPLAY_LIMIT="2 per minute")
    client = app.test_client()
    key = str(uuid.uuid4())
    codes = [post_report(client, app, key=key).status_code for _ in range(4)]
    assert codes == [201, 201, 201, 429]
    assert post_report(client, app).status_code == 201  # other reports are not affected


def test_oversized_request_is_413_json(make_app):
    app = make_app(MAX_CONTENT_LENGTH=2000)
    client = app.test_client()
    response = post_report(client, app, images=[png_bytes((64, 64))])
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "too_large"
