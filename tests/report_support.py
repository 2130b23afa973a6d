"""Helpers for the report tests: complete answers, sealed envelopes, posting to the API."""
import io
import re
import json
import uuid
import weakref

from PIL import Image

from pwa import sealing

CREATED_AT = "2026-11-24T10:15:00Z"


def full_answers(**changes):
    """A complete, valid report (every step answered), with `changes` applied."""
    answers = {
        "v": 1, "in_danger": "no", "age_band": "18-24",
        "what_happened": "Someone I met on Instagram threatened to share photos unless I paid.",
        "started": "last Tuesday",
        "platforms": ["instagram", "other"], "platform_other": "a forum",
        "contacts": [{"kind": "username", "value": "@blackmailer_99"},
                     {"kind": "payment", "value": "GB00 TEST 0000 0000"}],
        "paid": "yes", "amount": "£200", "method": "bank transfer", "paid_on": "Wednesday",
        "reference": "MTCN 1234567890",
        "evidence_description": "Screenshots of the chat",
        "contact_method": "phone", "name": "Alex Example", "phone": "07700 900982",
        "safe_times": "after 4pm", "may_leave_message": "no", "may_say_police": "no",
    }
    for key, value in changes.items():
        if value is None:
            answers.pop(key, None)
        else:
            answers[key] = value
    return answers


def public_key(app):
    return sealing.public_keys(app).current


def seal_json(app, obj):
    return sealing.seal(json.dumps(obj).encode(), public_key(app))


def seal_bytes(app, data):
    return json.dumps(sealing.seal(data, public_key(app))).encode()


def png_bytes(size=(8, 8), color=(200, 30, 30)):
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "PNG")
    return out.getvalue()


def jpeg_bytes(size=(8, 8)):
    out = io.BytesIO()
    Image.new("RGB", size, (10, 120, 40)).save(out, "JPEG")
    return out.getvalue()


def csrf_token(client):
    return client.get("/api/csrf").get_json()["token"]


# app -> {(idempotency key, what was sealed): the sealed bytes}: like a device, which seals
# a report once and resends the same bytes on every retry.
_SEALED_ONCE = weakref.WeakKeyDictionary()


def _seal_once(app, key, what, seal):
    bare = (key or "").split(";")[0].strip().strip('"')  # either form names one key
    sealed = _SEALED_ONCE.setdefault(app, {})
    if (bare, what) not in sealed:
        sealed[bare, what] = seal()
    return sealed[bare, what]


def post_report(client, app, answers=None, key="auto", images=(), envelope=None,
                created_at=CREATED_AT, headers=None, sealed_attachments=None):
    """POST /api/reports as the device does: JSON, or multipart when there are images. A
    report is sealed once per key: a retry with the same key and content resends the same
    bytes."""
    answers = full_answers() if answers is None else answers
    if images and "attachments" not in answers:
        answers = {**answers, "attachments": [
            {"name": f"shot{i}.png", "type": "image/png", "size": len(img)}
            for i, img in enumerate(images)]}
    hdrs = {"X-CSRFToken": csrf_token(client)}
    if key == "auto":
        key = str(uuid.uuid4())
    if envelope is None:
        envelope = _seal_once(app, key, json.dumps(answers, sort_keys=True),
                              lambda: seal_json(app, answers))
    if key is not None:
        hdrs["Idempotency-Key"] = key
    hdrs.update(headers or {})
    meta = {"created_at": created_at, "report": envelope}
    blobs = sealed_attachments if sealed_attachments is not None else [
        _seal_once(app, key, (i, img), lambda img=img: seal_bytes(app, img))
        for i, img in enumerate(images)]
    if blobs:
        data = {"meta": json.dumps(meta),
                "attachment": [(io.BytesIO(b), f"a{i}.sealed", "application/octet-stream")
                               for i, b in enumerate(blobs)]}
        return client.post("/api/reports", data=data, headers=hdrs,
                           content_type="multipart/form-data")
    return client.post("/api/reports", json=meta, headers=hdrs)


TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


class Form:
    """A person with a browser and no JavaScript: reads the token from the page it is on."""

    def __init__(self, client):
        self.client = client
        self.token = None

    def get(self, url, **kw):
        response = self.client.get(url, **kw)
        match = TOKEN.search(response.get_data(as_text=True))
        if match:
            self.token = match.group(1)
        return response

    def post(self, url, data=None, **kw):
        if self.token is None:
            self.get(url)
        data = {**(data or {}), "csrf_token": self.token}
        response = self.client.post(url, data=data, content_type="multipart/form-data", **kw)
        match = TOKEN.search(response.get_data(as_text=True))
        if match:
            self.token = match.group(1)
        return response
