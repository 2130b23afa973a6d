"""A device with a private-replies mailbox, as the app makes one (static/js/mailbox/):
an RSA-OAEP key pair, a random secret, and the report's meta carrying the public key and
the secret's hash."""
import base64
import hashlib
import json
import secrets
import uuid
from functools import lru_cache

from cryptography.hazmat.primitives.asymmetric import rsa

from pwa import sealing
from report_support import CREATED_AT, csrf_token, full_answers, seal_json


@lru_cache(maxsize=4)
def _device_key(n):
    # RSA key generation is slow: a few keys for the whole run.
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def jwk(public_key):
    numbers = public_key.public_numbers()

    def b64url(value):
        raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    return {"kty": "RSA", "alg": "RSA-OAEP-256", "n": b64url(numbers.n), "e": b64url(numbers.e)}


class Device:
    def __init__(self, n=0):
        self.private = _device_key(n)
        self.secret = base64.urlsafe_b64encode(secrets.token_bytes(32)).rstrip(b"=").decode()

    def mailbox_meta(self):
        return {"key": jwk(self.private.public_key()),
                "secret_hash": hashlib.sha256(self.secret.encode()).hexdigest()}

    def send_report(self, client, app, mailbox=None, key=None):
        meta = {"created_at": CREATED_AT, "report": seal_json(app, full_answers(
            contact_method="app", name=None, phone=None, safe_times=None,
            may_leave_message=None, may_say_police=None)),
                "mailbox": self.mailbox_meta() if mailbox is None else mailbox}
        return client.post("/api/reports", json=meta, headers={
            "X-CSRFToken": csrf_token(client), "Idempotency-Key": key or str(uuid.uuid4())})

    def fetch(self, client, secret=None):
        return client.post("/api/mailbox/messages",
                           json={"secret": self.secret if secret is None else secret})

    def close(self, client):
        return client.post("/api/mailbox/close", json={"secret": self.secret})

    def answer(self, client, app, text=None, key=None, envelope=None, secret=None):
        envelope = envelope or seal_json(app, {"v": 1, "text": text})
        return client.post("/api/mailbox/answers", json={
            "secret": self.secret if secret is None else secret, "created_at": CREATED_AT,
            "message": envelope}, headers={"X-CSRFToken": csrf_token(client),
                                           "Idempotency-Key": key or str(uuid.uuid4())})

    def open(self, envelope):
        """What the device does with a reply: open it with its own private key."""
        keyring = sealing.Keyring(current=self.private)
        return json.loads(sealing.unseal(envelope, keyring))["text"]
