"""Hypothesis property tests: the sealed-envelope parser and the no-JS step forms, on any
input a stranger could send."""
import base64
import json
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markupsafe import escape
from werkzeug.datastructures import MultiDict

from pwa import sealing
from pwa.report import steps
from report_support import public_key

FAST = settings(max_examples=60, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20)
b64 = st.binary(max_size=600).map(lambda b: base64.b64encode(b).decode())
envelope_like = st.fixed_dictionaries(
    {"v": st.sampled_from([1, 2, "1"]), "alg": st.sampled_from([sealing.ALG, "none"]),
     "kid": st.text(max_size=20), "key": b64 | st.text(max_size=20), "iv": b64, "ct": b64},
    optional={"extra": json_values})


@pytest.fixture(scope="module")
def keyring(tmp_path_factory):
    path = tmp_path_factory.mktemp("prop-keys") / "key.pem"
    sealing.write_private_key(path)
    return sealing.load_keyring(path)


@FAST
@given(data=st.binary() | st.text() | json_values.map(json.dumps)
       | st.integers(1, 5000).map(lambda n: "[" * n + "]" * n))
def test_parse_envelope_accepts_or_raises_seal_error_only(data):
    try:
        env = sealing.parse_envelope(data)
    except sealing.SealError:
        return
    assert env["v"] == 1 and env["alg"] == sealing.ALG
    assert all(isinstance(env[f], str) for f in ("kid", "key", "iv", "ct"))


@FAST
@given(env=envelope_like)
def test_unseal_of_any_envelope_shape_raises_seal_error_only(keyring, env):
    env = {**env, "kid": keyring.current_id} if env["kid"] == "" else env
    with pytest.raises(sealing.SealError):
        sealing.unseal(env, keyring)


@FAST
@given(plain=st.binary(max_size=2000), flip=st.integers(min_value=0))
def test_seal_round_trips_and_any_change_is_refused(keyring, plain, flip):
    env = sealing.seal(plain, keyring.current.public_key())
    assert sealing.unseal(json.dumps(env), keyring) == plain
    ct = bytearray(base64.b64decode(env["ct"]))
    ct[flip % len(ct)] ^= 0x01
    with pytest.raises(sealing.SealError):
        sealing.unseal({**env, "ct": base64.b64encode(bytes(ct)).decode()}, keyring)


# --- the no-JS step forms ------------------------------------------------------------------

def _field_names(step):
    names = []
    for f in step.fields:
        if f.type == "list":
            names += [f"{f.name}-{i}-{item.name}" for i in range(3) for item in f.item_fields]
        else:
            names.append(f.name)
    return names


def form_for(step):
    """Any values for the step's own fields, and stray fields besides."""
    names = _field_names(step) + ["contacts-rows", "add_row", "remove_attachment", "zz"]
    values = st.text(max_size=300) | st.sampled_from(
        [v for f in step.fields for v, _ in f.choices] or [""])
    return st.lists(st.tuples(st.sampled_from(names), values), max_size=12)


@FAST
@given(data=st.data())
def test_from_form_and_validation_never_raise(data):
    step = data.draw(st.sampled_from(steps.STEPS))
    form = MultiDict(data.draw(form_for(step)))
    answers = steps.from_form(step.id, form)
    assert set(answers) <= {f.name for f in step.fields}
    for error in steps.validate_step(step.id, answers):
        assert error.step == step.id and error.message
    steps.clean(answers)


TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def test_a_posted_step_redirects_and_keeps_what_was_typed(make_app):
    """Any form post to any step, with a valid token: saved and redirected (to the next step,
    or to the step again with its errors), never a 500; and the step shows every text typed
    into it after."""
    app = make_app(TESTING=False)

    @FAST
    @given(data=st.data())
    def post_any(data):
        client = app.test_client()
        step = data.draw(st.sampled_from(steps.STEPS))
        pairs = data.draw(form_for(step))
        page = client.get(f"/report/{step.id}").get_data(as_text=True)
        token = TOKEN.search(page).group(1)
        response = client.post(f"/report/{step.id}",
                               data=MultiDict(pairs + [("csrf_token", token)]),
                               content_type="multipart/form-data")
        assert response.status_code in (302, 303), response.status_code
        shown = client.get(f"/report/{step.id}").get_data(as_text=True)
        typed = steps.from_form(step.id, MultiDict(pairs))
        texts = [v for k, v in typed.items() if isinstance(v, str)
                 and step.field(k).type in ("text", "textarea", "tel", "email")]
        texts += [row["value"] for row in typed.get("contacts") or []][:steps.MAX_CONTACTS]
        for text in texts:
            if text.strip():
                assert str(escape(text)).replace("&#34;", "&quot;") in shown or \
                    str(escape(text)) in shown, text

    post_any()
