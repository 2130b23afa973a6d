"""schemathesis against the app's own /api/openapi.json, in-process, on both stores.

Every check schemathesis has, on valid and invalid requests: no 5xx, and every response
(status, content type, headers, body) is one the document describes. A hook gives each case a
fresh CSRF token and the session cookie it is tied to, as the device's outbox does, so cases
reach the real checks behind the token. By default a small run with a fixed seed (seconds);
`--schemathesis-examples=N` runs N examples per operation and mode with a random seed.
"""
import pytest
import schemathesis
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.config import SchemathesisConfig

DEFAULT_EXAMPLES = 15
# A schema can say what an envelope looks like, not that it opens with the force's key or
# holds valid answers: a report that is well-formed but does not open is rightly refused with
# 422 (sealed_invalid, invalid, attachment_invalid), so valid-looking data may get 422 too.
CONFIG = SchemathesisConfig.from_dict({"checks": {"positive_data_acceptance": {
    "expected-statuses": ["2xx", "401", "403", "404", "409", "422", "429"]}}})


@schemathesis.hook
def before_call(context, case, kwargs):
    """A fresh token and cookie for every case (tokens are tied to the session cookie)."""
    app = case.operation.app
    client = app.test_client()
    token = client.get("/api/csrf").get_json()["token"]
    # The in-process client does not undo Flask-Compress's gzip/brotli, as browsers do.
    case.headers = {**(case.headers or {}), "Accept-Encoding": "identity"}
    if case.operation.method.upper() != "GET":
        case.headers["X-CSRFToken"] = token
        case.cookies = {**(case.cookies or {}), "session": client.get_cookie("session").value}


@pytest.fixture
def examples(request):
    return request.config.getoption("--schemathesis-examples")


def test_api_conforms_to_its_own_document(make_app, examples):
    app = make_app(TESTING=False, REPORT_RATE_LIMIT="100000 per minute",
                   REPORT_ATTEMPT_LIMIT="100000 per minute",
                   REPORT_REPLAY_LIMIT="100000 per minute")
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app, config=CONFIG)
    strategy = st.one_of(schema.as_strategy(GenerationMode.POSITIVE),
                         schema.as_strategy(GenerationMode.NEGATIVE))
    operations = sum(1 for _ in schema.get_all_operations())

    @given(case=strategy)
    @settings(max_examples=(examples or DEFAULT_EXAMPLES) * operations * 2, deadline=None,
              database=None, derandomize=examples is None,
              suppress_health_check=list(HealthCheck))
    def run(case):
        response = case.call_and_validate()
        if response.status_code >= 400 and "json" in response.headers.get(
                "content-type", [""])[0]:
            codes.add(response.json()["error"]["code"])

    codes = set()
    run()
    # The hook's token works: cases got past the CSRF check to the report's own checks.
    assert codes & {"sealed_invalid", "invalid", "attachment_invalid"}, codes
