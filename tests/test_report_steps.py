"""Each step's rules: every error names its field and step, with the message people see."""
import pytest

from pwa.report.readable import describe
from pwa.report import steps
from pwa.report.steps import validate, validate_step
from report_support import STEP_ERROR_CASES, full_answers


def errors_of(step_id, answers):
    return {(e.field, e.rule): e.message for e in validate_step(step_id, answers)}


def test_a_full_report_is_valid():
    assert validate(full_answers()) == []


def test_every_error_names_field_and_step():
    errors = validate({"v": 1})
    assert errors
    for err in errors:
        assert err.field and err.step in steps.STEP_IDS and err.message
        assert err.as_dict()["code"] == "invalid"


@pytest.mark.parametrize("step_id, answers, expected", STEP_ERROR_CASES)
def test_step_errors(step_id, answers, expected):
    assert errors_of(step_id, answers) == expected


def test_conditional_fields_are_not_required_when_the_branch_is_not_taken():
    assert validate_step("contact", {"contact_method": "anonymous"}) == []
    assert validate_step("payment", {"paid": "no"}) == []
    assert validate_step("platforms", {"platforms": ["tiktok"]}) == []
    assert validate_step("about-them", {}) == []
    assert validate_step("evidence", {}) == []


def test_valid_phone_and_email_pass():
    for phone in ("07700 900982", "+44 7700 900982", "(020) 7946 0018"):
        assert validate_step("contact", {"contact_method": "phone", "name": "A",
                                         "phone": phone, "may_leave_message": "no",
                                         "may_say_police": "no"}) == [], phone
    assert validate_step("contact", {"contact_method": "email", "name": "A",
                                     "email": "a.b@example.co.uk",
                                     "may_say_police": "yes"}) == []


def test_wrong_types_are_refused_not_crashed():
    for bad in ({"in_danger": 1}, {"in_danger": ["yes"]}, {"in_danger": None}):
        assert validate_step("danger", bad)
    assert validate_step("platforms", {"platforms": "instagram"})
    assert validate_step("about-them", {"contacts": "x"})
    assert validate_step("evidence", {"attachments": [{"type": "image/png", "size": "1"}]})
    assert validate("not a dict")


def test_rules_json_is_the_same_rules(client):
    rules = client.get("/report/rules.json").get_json()
    assert [s["id"] for s in rules["steps"]] == list(steps.STEP_IDS)
    assert rules["attachments"] == {"max_count": 5, "max_bytes": 10 * 1024 * 1024,
                                    "types": ["image/gif", "image/jpeg", "image/png",
                                              "image/webp"]}
    by_name = {f["name"]: f for s in rules["steps"] for f in s["fields"]}
    assert by_name["paid"]["values"] == ["yes", "no"]
    assert by_name["platform_other"]["required_if"] == {"field": "platforms",
                                                        "contains": "other"}
    assert by_name["what_happened"]["max_length"] == 5000
    assert by_name["phone"]["pattern"] == steps.PHONE_PATTERN
    # Every rule a field can break has its message, so the device never invents one.
    for s in steps.STEPS:
        for f in s.fields + sum((x.item_fields for x in s.fields), ()):
            needed = set()
            if f.required or f.required_if:
                needed.add("required")
            if f.max_length:
                needed.add("too_long")
            if f.pattern:
                needed.add("pattern")
            if f.choices:
                needed.add("invalid")
            assert needed <= set(f.messages), (f.name, needed - set(f.messages))


def test_clean_drops_branches_not_taken_and_blank_answers():
    answers = full_answers(paid="no", contact_method="anonymous", started="  ")
    cleaned = steps.clean(answers)
    for key in ("amount", "method", "paid_on", "reference", "name", "phone", "safe_times",
                "may_leave_message", "may_say_police", "started"):
        assert key not in cleaned
    assert cleaned["what_happened"] == answers["what_happened"]
    assert validate(cleaned) == []


def test_describe_uses_the_forms_labels_in_order():
    rows = describe(full_answers(attachments=[{"name": "chat.png", "type": "image/png",
                                               "size": 5}], extra_key="kept"))
    questions = [q for q, _ in rows]
    assert questions[:3] == ["Are you in danger right now?", "How old are you?",
                             "What happened, in your own words"]
    answers = dict(rows)
    assert answers["How old are you?"] == "18 to 24"
    assert answers["Where did they contact you?"] == "Instagram, Somewhere else"
    assert answers["What do you know about them?"] == (
        "Username: @blackmailer_99\nPayment details: GB00 TEST 0000 0000")
    assert answers["Attach screenshots"] == "chat.png"
    assert answers["Extra key"] == "kept"  # nothing sent is hidden
