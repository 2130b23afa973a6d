"""Limits that must not be sidestepped (issue 11): replays with different content count as
attempts, answers are the form's and no longer than its rules allow, and a sealed report has
a size cap checked before anything is unsealed."""
import json
import uuid

import pytest

from pwa import sealing
from pwa.report import steps, store
from report_support import full_answers, post_report, public_key, seal_json


def test_conflicting_replays_count_against_the_attempt_limit(make_app):
    app = make_app(REPORT_ATTEMPT_LIMIT="3 per minute", REPORT_REPLAY_LIMIT="100 per minute")
    client = app.test_client()
    key = str(uuid.uuid4())
    assert post_report(client, app, key=key).status_code == 201  # attempt 1
    other = full_answers(what_happened="something else entirely")
    codes = [post_report(client, app, other, key=key).status_code for _ in range(3)]
    assert codes == [422, 422, 429]
    # A new report from this address is held to the same attempt limit.
    assert post_report(client, app).status_code == 429


def test_an_exact_replay_stays_free(make_app):
    app = make_app(REPORT_ATTEMPT_LIMIT="2 per minute", REPORT_REPLAY_LIMIT="100 per minute")
    client = app.test_client()
    key = str(uuid.uuid4())
    envelope = seal_json(app, full_answers())
    assert post_report(client, app, key=key, envelope=envelope).status_code == 201
    # The device's outbox sends the very same sealed bytes again, many times: never refused.
    for _ in range(5):
        response = post_report(client, app, key=key, envelope=envelope)
        assert response.headers.get("Idempotent-Replayed") == "true", response.get_json()
    assert post_report(client, app).status_code == 201  # the attempt budget is still there


def test_unknown_answer_keys_are_refused(app, client):
    response = post_report(client, app, full_answers(extra="x" * 100))
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "invalid" and error["field"] == "extra"
    assert error["rule"] == "unknown" and error["step"] == "check"


@pytest.mark.parametrize("changes, field", [
    ({"contacts": [{"kind": "username", "value": "x", "junk": "y" * 1000}]}, "contacts"),
    ({"platforms": ["instagram"] * 1000}, "platforms"),
    ({"attachments": [{"name": "n" * 201, "type": "image/png", "size": 1}]}, "attachments"),
    ({"attachments": [{"name": "a.png", "type": "image/png", "size": 1, "x": "y"}]},
     "attachments"),
    ({"what_happened": "w" * 5001}, "what_happened"),
])
def test_every_answer_is_capped_by_its_field(changes, field):
    errors = steps.validate(full_answers(**changes))
    assert [e.field for e in errors] == [field]


def largest_valid_answers():
    """Every answer at its longest, in 4-byte characters."""
    wide = "\U0001F600"
    answers = {"v": 1}
    for s in steps.STEPS:
        for f in s.fields:
            if f.type in ("text", "textarea", "email", "tel"):
                answers[f.name] = wide * f.max_length
            elif f.type == "choice":
                answers[f.name] = max((v for v, _ in f.choices), key=len)
            elif f.type == "multi":
                answers[f.name] = [v for v, _ in f.choices]
            elif f.type == "list":
                answers[f.name] = [{"kind": "profile-link", "value": wide * 500}] * f.max_items
            elif f.type == "files":
                answers[f.name] = [{"name": wide * steps.MAX_ATTACHMENT_NAME,
                                    "type": "image/jpeg",
                                    "size": steps.MAX_ATTACHMENT_BYTES}] * f.max_items
    return answers


def test_the_largest_report_the_rules_allow_fits_the_sealed_cap(app):
    answers = largest_valid_answers()
    # Only the rules that tie answers together (patterns, conditions) complain.
    assert {e.rule for e in steps.validate(answers)} <= {"pattern", "required"}
    envelope = sealing.seal(json.dumps(answers).encode(), public_key(app))  # ASCII-escaped
    assert len(sealing.dumps(envelope)) < store.MAX_SEALED_REPORT_BYTES


def test_a_sealed_report_over_the_cap_is_refused_before_unsealing(app, client, monkeypatch):
    opened = []
    monkeypatch.setattr(sealing, "unseal", lambda *a: opened.append(a))
    envelope = sealing.seal(b"x" * store.MAX_SEALED_REPORT_BYTES, public_key(app))
    response = post_report(client, app, envelope=envelope)
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "too_large"
    assert response.get_json()["error"]["field"] == "report"
    assert opened == []


def test_the_no_js_form_keeps_typed_text_within_bounds():
    from werkzeug.datastructures import MultiDict

    typed = "t" * 6000  # too long by 1000: kept whole, so the person can shorten it
    answers = steps.from_form("what-happened", MultiDict({"what_happened": typed}))
    assert answers["what_happened"] == typed
    assert [e.rule for e in steps.validate_step("what-happened", answers)] == ["too_long"]
    huge = steps.from_form("what-happened", MultiDict({"what_happened": "x" * 10_000_000}))
    assert len(huge["what_happened"]) == 5000 * steps.KEEP_TYPED
    many = steps.from_form("platforms", MultiDict([("platforms", "tiktok")] * 100_000))
    assert len(many["platforms"]) <= len(steps.step("platforms").field("platforms").choices) + 5
