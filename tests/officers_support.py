"""Helpers for the officers' tests: accounts, reports stored as the report feature stores
them (sealed answers, sealed attachment files), a clock the tests move, and signing in."""
import datetime
import json
import re
import secrets
from pathlib import Path

import pyotp
import pytest

from pwa import clock as clock_module
from pwa import sealing
from pwa.extensions import db
from pwa.models import Attachment, Report
from pwa.officers import auth

PASSWORD = "correct horse battery staple"
START = datetime.datetime(2026, 11, 24, 12, 0, tzinfo=datetime.timezone.utc)


class Clock:
    def __init__(self, now=START):
        self.value = now

    def now(self):
        return self.value

    def advance(self, **delta):
        self.value += datetime.timedelta(**delta)


@pytest.fixture
def clock(monkeypatch):
    fake = Clock()
    monkeypatch.setattr(clock_module, "now", fake.now)
    return fake


def make_officer(app, email="officer@example.police.uk", role="officer", password=PASSWORD):
    with app.app_context():
        officer, secret = auth.create_officer(email, password, role)
        db.session.commit()
        return officer.id, secret


def make_report(app, answers=None, images=(), **columns):
    """Store a report as the report feature does; returns its reference."""
    answers = answers or {"v": 1, "in_danger": "no", "age_band": "18-24",
                          "what_happened": "Zebra-umbrella blackmail story 7731"}
    with app.app_context():
        keyring = sealing.keyring()
        public = keyring.current.public_key()
        reference = columns.pop("reference", None) or "SX-" + "-".join(
            "".join(secrets.choice("ABCDEFGHJKMNPQRSTVWXYZ23456789") for _ in range(4))
            for _ in range(2))
        now = clock_module.now()
        report = Report(
            reference=reference, idempotency_key=secrets.token_hex(16),
            fingerprint=secrets.token_hex(32), key_id=keyring.current_id,
            sealed=sealing.dumps(sealing.seal(json.dumps(answers).encode(), public)),
            created_at=columns.pop("created_at", now - datetime.timedelta(hours=2)),
            received_at=columns.pop("received_at", now), **columns)
        db.session.add(report)
        db.session.flush()
        folder = Path(app.config["ATTACHMENT_DIR"])
        folder.mkdir(parents=True, exist_ok=True)
        for position, data in enumerate(images):
            name = secrets.token_hex(16)
            sealed = sealing.dumps(sealing.seal(data, public))
            (folder / name).write_bytes(sealed)
            db.session.add(Attachment(report_id=report.id, position=position,
                                      key_id=keyring.current_id, stored_name=name,
                                      size=len(sealed)))
        db.session.commit()
        return reference



def token_from(html):
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, html[:800]
    return match.group(1)


def code(secret, clock):
    """A fresh code: moves the clock on a time step, since a used step is refused."""
    clock.advance(seconds=30)
    return pyotp.TOTP(secret).at(clock.now())


def sign_in(client, email, secret, clock, password=PASSWORD, the_code=None):
    token = token_from(client.get("/officers/sign-in").get_data(as_text=True))
    return client.post("/officers/sign-in", data={
        "csrf_token": token, "email": email, "password": password,
        "code": the_code if the_code is not None else code(secret, clock)})


def post(client, path, data=None, page=None):
    """POST a form on an officers' page with that page's CSRF token."""
    token = token_from(client.get(page or "/officers/").get_data(as_text=True))
    return client.post(path, data={"csrf_token": token, **(data or {})})


def fill_sign_in(page, email, secret, password=PASSWORD):
    """In the browser: fill the officers' sign-in form with a real TOTP code, then wait for
    the dashboard."""
    from playwright.sync_api import expect

    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_label("Code from your authenticator app").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reports")
