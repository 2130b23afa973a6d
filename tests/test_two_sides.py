"""Issue 12: the public side never holds the key that opens reports.

The public side (APP_SIDE=public) is built here with only the public key: the private key
exists in this test's memory alone (never on disk, never in the environment) until the
public side's part is done, and loading any private key fails the test. It receives
reports through the API and the no-JS form; the officers' side (APP_SIDE=officers, on the
same database and attachment folder) then opens them, flags first, and marks what fails as
"could not be read". Runs on SQLite and PostgreSQL (the stores fixture).
"""
import io
import json
import os
import re
import subprocess
import sys
import threading
import uuid

import pytest
from cryptography.hazmat.primitives import serialization

from officers_support import clock, make_officer, sign_in  # noqa: F401  (clock: a fixture)
from pwa import sealing
from pwa.config import ROOT
from pwa.extensions import db
from pwa.models import Attachment, Report
from report_support import (Form, csrf_token, full_answers, png_bytes, post_report,
                            seal_bytes, seal_json)

PUBLIC_STARTUP = """
import sys
from pwa import create_app, sealing
app = create_app()
client = app.test_client()
assert client.get("/report/").status_code == 200
assert client.get("/api/report-key").get_json()["kid"] == sys.argv[1]
assert client.get("/officers/").status_code == 404
with app.app_context():
    assert not sealing.holds_private_key()
    try:
        sealing.keyring()
    except sealing.NoPrivateKey:
        pass
    else:
        raise AssertionError("the public side has a private key")
print("PIL" in sys.modules)
"""


@pytest.fixture
def split(make_app, tmp_path, monkeypatch):
    """(public app, function that makes the officers' app once the public side is done)."""
    private = sealing.generate_private_key()  # in memory only, for now
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

    def officers():
        monkeypatch.setattr(serialization, "load_pem_private_key", loads)
        key_file = tmp_path / "report-key.pem"
        sealing.write_private_key(key_file, private)
        return make_app(APP_SIDE="officers", REPORT_KEY_FILE=str(key_file),
                        REPORT_RATE_LIMIT="1000 per minute")

    return public, officers


def no_private_key_on_disk(folder):
    for path in folder.rglob("*"):
        if path.is_file():
            assert b"PRIVATE KEY" not in path.read_bytes(), path


def send_without_javascript(client, in_danger="no"):
    form = Form(client)
    for step, data in [("danger", {"in_danger": in_danger}), ("age", {"age_band": "25-plus"}),
                       ("what-happened", {"what_happened": "Okapi-lantern-5521 no-JS story"}),
                       ("platforms", {"platforms": ["tiktok"]}), ("about-them", {}),
                       ("payment", {"paid": "no"}),
                       ("evidence", {"attachments": [(io.BytesIO(png_bytes()), "chat.png")]}),
                       ("contact", {"contact_method": "anonymous"})]:
        form.get(f"/report/{step}")
        assert form.post(f"/report/{step}", data).status_code in (302, 303), step
    check = form.get("/report/check").get_data(as_text=True)
    assert "Okapi-lantern-5521 no-JS story" in check and "chat.png" in check
    assert form.post("/report/check").location == "/report/sent"
    sent = form.get("/report/sent").get_data(as_text=True)
    return sent


def test_public_side_starts_with_only_the_public_key_and_never_imports_pillow(tmp_path):
    private = sealing.generate_private_key()
    public_file = tmp_path / "report-key.pub.pem"
    public_file.write_bytes(sealing.public_pem(private.public_key()))
    env = {k: v for k, v in os.environ.items()
           if k not in ("REPORT_KEY_FILE", "REPORT_OLD_KEY_FILES", "APP_CONFIG")}
    env.update(APP_SIDE="public", REPORT_PUBLIC_KEY_FILE=str(public_file),
               DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite'}", SECRET_KEY="x" * 40,
               ATTACHMENT_DIR=str(tmp_path / "attachments"))
    result = subprocess.run([sys.executable, "-c", PUBLIC_STARTUP,
                             sealing.key_id(private.public_key())],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"  # Pillow was never imported
    no_private_key_on_disk(tmp_path)
    # Handed a private key anyway, it refuses to start.
    env["REPORT_KEY_FILE"] = str(tmp_path / "report-key.pem")
    refused = subprocess.run([sys.executable, "-c", "from pwa import create_app; create_app()"],
                             cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert refused.returncode != 0
    assert "must not be given a private key" in refused.stderr


def test_public_side_receives_and_the_officers_side_reads_flags_first(split, tmp_path, clock):
    public, make_officers = split
    client = public.test_client()
    assert client.get("/officers/").status_code == 404
    # Through the API: a report in danger with a screenshot, and an ordinary one.
    calm = post_report(client, public, full_answers(what_happened="Calm-heron-1180 story"))
    urgent = post_report(client, public, full_answers(in_danger="yes", age_band="13-15"),
                         images=[png_bytes()])
    assert (calm.status_code, urgent.status_code) == (201, 201), urgent.get_json()
    # Through the no-JS form, to the reference.
    sent = send_without_javascript(client)
    assert "Report sent" in sent
    nojs_reference = re.search(r"data-report-reference>(SX-[A-Z0-9]{4}-[A-Z0-9]{4})<", sent)
    assert nojs_reference
    with public.app_context():
        stored = db.session.execute(db.select(Report).order_by(Report.id)).scalars().all()
        assert [r.state for r in stored] == ["received"] * 3
        assert not any(r.under_18 or r.in_danger for r in stored)  # nobody has opened them
    no_private_key_on_disk(tmp_path)

    officers = make_officers()
    assert officers.test_client().get("/report/").status_code == 404
    assert officers.test_client().post("/api/reports").status_code == 404
    officer_id, secret = make_officer(officers)
    reader = officers.test_client()
    sign_in(reader, "officer@example.police.uk", secret, clock)
    # The live count's poll opens what arrived; the dashboard lists it flags first.
    assert reader.get("/officers/api/summary").get_json()["total"] == 3
    with officers.app_context():
        stored = db.session.execute(db.select(Report).order_by(Report.id)).scalars().all()
        assert [r.state for r in stored] == ["opened"] * 3
        assert [(r.in_danger, r.under_18) for r in stored] == [
            (False, False), (True, True), (False, False)]
        first_reference = stored[1].reference
    dashboard = reader.get("/officers/").get_data(as_text=True)
    assert dashboard.index(first_reference) < min(
        dashboard.index(r.reference) for r in (stored[0], stored[2]))
    assert stored[2].reference == nojs_reference.group(1)
    page = reader.get(f"/officers/reports/{stored[2].reference}").get_data(as_text=True)
    assert "Okapi-lantern-5521 no-JS story" in page
    assert reader.get(f"/officers/reports/{first_reference}/attachments/1").data == png_bytes()


def test_a_report_that_does_not_pass_the_rules_is_kept_and_shown_unreadable(split, clock):
    public, make_officers = split
    client = public.test_client()
    broken = post_report(client, public, full_answers(paid=None))  # breaks a rule
    garbled = post_report(client, public, envelope={
        **seal_json(public, full_answers()), "ct": "AAAA"})  # right shape, does not open
    assert (broken.status_code, garbled.status_code) == (201, 201)

    officers = make_officers()
    _, secret = make_officer(officers)
    reader = officers.test_client()
    sign_in(reader, "officer@example.police.uk", secret, clock)
    dashboard = reader.get("/officers/").get_data(as_text=True)
    assert dashboard.count("Could not be read") == 2
    for response in (broken, garbled):
        reference = response.get_json()["reference"]
        page = reader.get(f"/officers/reports/{reference}").get_data(as_text=True)
        assert "This report could not be read." in page
        exported = reader.get(f"/officers/reports/{reference}/export.json").get_json()
        assert exported["answers"] is None and exported["could_not_be_read"]
        with officers.app_context():
            row = db.session.execute(db.select(Report).filter_by(reference=reference)).scalar_one()
            assert exported["sealed_original"] == json.loads(row.sealed)
    with officers.app_context():
        problems = sorted(db.session.execute(db.select(Report.problem)).scalars())
    assert any("Select" in p and "invalid" in p for p in problems), problems
    assert any("could not be opened" in p for p in problems), problems


def test_intake_refuses_what_it_can_check_without_opening(split):
    public, _ = split
    client = public.test_client()
    other_key = sealing.generate_private_key().public_key()
    foreign = sealing.seal(b'{"v": 1}', other_key)
    response = post_report(client, public, envelope=foreign)
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "sealed_invalid"
    assert post_report(client, public, envelope={"v": 1}).status_code == 422
    six = [png_bytes()] * 6
    response = post_report(client, public, images=six)
    assert response.get_json()["error"]["code"] == "attachment_invalid"
    not_sealed = post_report(client, public, images=[png_bytes()],
                             sealed_attachments=[png_bytes()])
    assert not_sealed.get_json()["error"]["code"] == "attachment_invalid"
    with public.app_context():
        assert db.session.query(Report).count() == 0


def test_exactly_once_on_the_public_side(split):
    public, _ = split
    public.config.update(REPORT_RATE_LIMIT="1000 per minute",
                         REPORT_ATTEMPT_LIMIT="1000 per minute")
    key = str(uuid.uuid4())
    envelope = seal_json(public, full_answers())
    blob = seal_bytes(public, png_bytes())
    clients = [public.test_client() for _ in range(20)]
    tokens = [csrf_token(c) for c in clients]
    barrier = threading.Barrier(len(clients))
    results = [None] * len(clients)

    def send(i):
        meta = {"created_at": "2026-11-24T09:00:00Z", "report": envelope}
        barrier.wait()
        response = clients[i].post(
            "/api/reports", data={"meta": json.dumps(meta),
                                  "attachment": [(io.BytesIO(blob), "a.sealed")]},
            headers={"Idempotency-Key": key, "X-CSRFToken": tokens[i]},
            content_type="multipart/form-data")
        results[i] = (response.status_code, (response.get_json() or {}).get("reference"))

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(clients))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert {status for status, _ in results} <= {201, 409}, results
    assert len({ref for status, ref in results if status == 201}) == 1
    with public.app_context():
        assert db.session.query(Report).count() == 1
        assert db.session.query(Attachment).count() == 1
    assert len(os.listdir(public.config["ATTACHMENT_DIR"])) == 1
    # The same key with different bytes (even the same answers, sealed again) is a conflict.
    again = post_report(clients[0], public, key=key,
                        envelope=seal_json(public, full_answers()), images=[png_bytes()],
                        sealed_attachments=[blob])
    assert again.status_code == 422
    assert again.get_json()["error"]["code"] == "idempotency_conflict"


def test_a_report_that_breaks_the_checker_is_kept_and_does_not_break_the_dashboard(
        split, monkeypatch, clock):
    public, make_officers = split
    reference = post_report(public.test_client(), public).get_json()["reference"]
    officers = make_officers()
    from pwa.report import opening

    def explode(answers):
        raise RuntimeError("a bug the sealed answers found")

    monkeypatch.setattr(opening, "validate", explode)
    _, secret = make_officer(officers)
    reader = officers.test_client()
    sign_in(reader, "officer@example.police.uk", secret, clock)
    assert reader.get("/officers/").status_code == 200
    with officers.app_context():
        row = db.session.execute(db.select(Report).filter_by(reference=reference)).scalar_one()
        assert (row.state, row.problem) == ("unreadable", "The report could not be checked.")
