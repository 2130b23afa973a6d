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
                created_at=CREATED_AT, headers=None, sealed_attachments=None, language=None):
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
    if language is not None:
        meta["language"] = language
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


# Each step's errors: (step, answers, {(field, rule): message}). Python's validator is checked
# against them in tests/test_report_steps.py, the device's in tests/browser/test_report_rules_parity.py.
STEP_ERROR_CASES = [
    ("danger", {}, {("in_danger", "required"): "Select yes if you are in danger right now"}),
    ("danger", {"in_danger": "maybe"}, {("in_danger", "invalid"): "Select yes or no"}),
    ("age", {}, {("age_band", "required"): "Select how old you are"}),
    ("age", {"age_band": "12"}, {("age_band", "invalid"): "Select one of the age groups"}),
    ("what-happened", {"what_happened": "   "},
     {("what_happened", "required"): "Enter what happened"}),
    ("what-happened", {"what_happened": "x" * 5001, "started": "y" * 101},
     {("what_happened", "too_long"): "What happened must be 5000 characters or fewer",
      ("started", "too_long"): "When it started must be 100 characters or fewer"}),
    ("platforms", {"platforms": []},
     {("platforms", "required"): "Select where they contacted you"}),
    ("platforms", {"platforms": ["myspace"]},
     {("platforms", "invalid"): "Select from the list"}),
    ("platforms", {"platforms": ["other"]},
     {("platform_other", "required"): "Enter where else they contacted you"}),
    ("about-them", {"contacts": [{"kind": "username", "value": ""},
                                 {"kind": "fax", "value": "x"}]},
     {("contacts-0-value", "required"): "Enter the detail, or remove this row",
      ("contacts-1-kind", "invalid"): "Select a type of detail from the list"}),
    ("about-them", {"contacts": [{"kind": "email", "value": "a"}] * 21},
     {("contacts", "too_many"): "You can add up to 20 details"}),
    ("payment", {}, {("paid", "required"): "Select yes if you paid them"}),
    ("payment", {"paid": "yes", "amount": "9" * 51},
     {("amount", "too_long"): "The amount must be 50 characters or fewer"}),
    ("evidence", {"evidence_description": "z" * 2001},
     {("evidence_description", "too_long"):
      "The description must be 2000 characters or fewer"}),
    ("evidence", {"attachments": [{"name": "a.pdf", "type": "application/pdf", "size": 1}]},
     {("attachments", "invalid"): "The file must be a JPEG, PNG, WebP or GIF image"}),
    ("evidence", {"attachments": [{"name": "a", "type": "image/png", "size": 1}] * 6},
     {("attachments", "too_many"): "You can attach up to 5 screenshots"}),
    ("contact", {}, {("contact_method", "required"): "Select how we can contact you"}),
    ("contact", {"contact_method": "phone", "phone": "call me"},
     {("name", "required"): "Enter your name",
      ("phone", "pattern"): "Enter a phone number, like 07700 900 982",
      ("may_leave_message", "required"): "Select yes if we may leave a message",
      ("may_say_police", "required"): "Select yes if we may say we are the police"}),
    ("contact", {"contact_method": "email", "name": "A", "email": "not-an-email",
                 "may_say_police": "yes"},
     {("email", "pattern"): "Enter an email address in the correct format, like "
                            "name@example.com"}),
]
