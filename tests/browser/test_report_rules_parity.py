"""The device's validator (static/js/report/rules.js, on /report/rules.json) gives the same
errors, in the same order, as the server's (pwa/report/steps.py) for every case the Python
tests use, plus valid answers, wrong types and the cleaned answers."""
from pwa.report import steps
from report_support import STEP_ERROR_CASES, full_answers

RUN = """async (cases) => {
  const rules = await (await fetch('/report/rules.json')).json();
  const { validateStep, cleaned } = await import('/static/js/report/rules.js');
  return cases.map(([step, answers]) => ({
    errors: validateStep(rules, step, answers).map((e) => [e.field, e.rule, e.message]),
    cleaned: cleaned(rules, answers),
  }));
}"""


def cases():
    out = [(step, answers) for step, answers, _ in STEP_ERROR_CASES]
    out += [(step, full_answers()) for step in steps.STEP_IDS]
    out += [("contact", {"contact_method": "anonymous"}), ("payment", {"paid": "no"}),
            ("platforms", {"platforms": ["tiktok"]}), ("about-them", {}), ("evidence", {})]
    for phone in ("07700 900982", "+44 7700 900982", "(020) 7946 0018", "12", " 07700 900982 "):
        out.append(("contact", {"contact_method": "phone", "name": "A", "phone": phone,
                                "may_leave_message": "no", "may_say_police": "no"}))
    out += [("contact", {"contact_method": "email", "name": "A", "email": email,
                         "may_say_police": "yes"}) for email in ("a.b@example.co.uk", "a@b", "a b@c.d")]
    out += [("danger", {"in_danger": 1}), ("danger", {"in_danger": ["yes"]}),
            ("danger", {"in_danger": None}), ("platforms", {"platforms": "instagram"}),
            ("about-them", {"contacts": "x"}),
            ("evidence", {"attachments": [{"type": "image/png", "size": "1"}]}),
            ("evidence", {"attachments": [{"name": "a.png", "type": "image/png",
                                           "size": 10 * 1024 * 1024 + 1}]}),
            ("what-happened", {"what_happened": "é" * 5000}),
            ("payment", {"paid": "no", "amount": "9" * 51})]
    return out


def test_javascript_validator_gives_the_same_errors_as_python(page, live_server):
    page.goto(live_server.url + "/report/")
    checked = cases()
    results = page.evaluate(RUN, [[step, answers] for step, answers in checked])
    for (step, answers), js in zip(checked, results):
        python = [[e.field, e.rule, e.message] for e in steps.validate_step(step, answers)]
        assert js["errors"] == python, (step, answers)
        if isinstance(answers, dict) and not python:
            assert js["cleaned"] == steps.clean(answers), (step, answers)
