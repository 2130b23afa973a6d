"""Officers' passwords (OWASP ASVS 5.0 6.2): changed when signed in with the current password
and a code, audited; reset from the command line; never a common or short one."""
import pytest

from officers_support import PASSWORD, clock, code, make_officer, sign_in, token_from  # noqa: F401

from pwa.extensions import db
from pwa.officers import passwords
from pwa.officers.models import AuditEntry

EMAIL = "officer@example.police.uk"
NEW = "pelican orbit lantern meadow"


@pytest.fixture
def app(make_app):
    return make_app(OFFICER_SIGNIN_RATE="1000 per minute")


@pytest.fixture
def officer(app):
    return make_officer(app, EMAIL)


def actions(app):
    with app.app_context():
        return [e.action for e in db.session.scalars(db.select(AuditEntry).order_by(AuditEntry.id))]


def change(client, clock, secret, current=PASSWORD, new=NEW, confirm=None, the_code=None):
    token = token_from(client.get("/officers/password").get_data(as_text=True))
    return client.post("/officers/password", data={
        "csrf_token": token, "current": current, "new": new,
        "confirm": new if confirm is None else confirm,
        "code": the_code if the_code is not None else code(secret, clock)})


def test_the_list_has_the_common_passwords_and_is_large_enough():
    common = passwords.common_passwords()
    assert len(common) >= 3000
    assert {"password", "123456", "qwerty", "iloveyou"} <= common


@pytest.mark.parametrize("candidate, ok", [
    ("short one", False), ("QWERTY123456", False), ("leavemealone", False),
    ("1q2w3e4r5t6y", False), (NEW, True), ("x" * 300, False)])
def test_password_rules(candidate, ok):
    assert (passwords.problem(candidate) is None) is ok


def test_an_officer_changes_their_password(app, officer, clock):
    client = app.test_client()
    sign_in(client, EMAIL, officer[1], clock)
    other = app.test_client()
    sign_in(other, EMAIL, officer[1], clock)  # another device, signed in too
    response = change(other, clock, officer[1])
    assert response.status_code == 302
    assert "password has been changed" in other.get("/officers/").get_data(as_text=True)
    assert client.get("/officers/").status_code == 302  # the first device is signed out
    assert "password_change" in actions(app)
    fresh = app.test_client()
    assert sign_in(fresh, EMAIL, officer[1], clock).status_code == 400  # old password
    assert sign_in(fresh, EMAIL, officer[1], clock, password=NEW).status_code == 302


@pytest.mark.parametrize("kwargs", [{"current": "not my password"}, {"the_code": "000000"}])
def test_a_change_needs_the_current_password_and_a_code(app, officer, clock, kwargs):
    client = app.test_client()
    sign_in(client, EMAIL, officer[1], clock)
    response = change(client, clock, officer[1], **kwargs)
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "was not changed" in html
    assert NEW not in html and PASSWORD not in html
    assert actions(app)[-1] == "password_change_failed"
    assert sign_in(app.test_client(), EMAIL, officer[1], clock).status_code == 302


@pytest.mark.parametrize("new, confirm, message", [
    ("qwerty123456", None, "most commonly used"),
    ("tiny", None, "at least 12 characters"),
    (NEW, NEW + "x", "type the same one twice")])
def test_a_weak_or_mistyped_new_password_is_refused_by_name(app, officer, clock, new, confirm,
                                                            message):
    client = app.test_client()
    sign_in(client, EMAIL, officer[1], clock)
    response = change(client, clock, officer[1], new=new, confirm=confirm)
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and message in html
    assert 'href="#new"' in html or 'href="#confirm"' in html  # the summary names the field
    assert "password_change" not in actions(app)


def test_the_page_needs_a_signed_in_officer(app, client):
    assert client.get("/officers/password").status_code == 302


def test_reset_password_from_the_command_line(app, officer, runner, clock):
    client = app.test_client()
    sign_in(client, EMAIL, officer[1], clock)
    result = runner.invoke(args=["officers", "reset-password", EMAIL], input=NEW + "\n")
    assert result.exit_code == 0, result.output
    assert NEW not in result.output
    assert client.get("/officers/").status_code == 302  # its sessions ended
    assert "officer_reset_password" in actions(app)
    assert sign_in(app.test_client(), EMAIL, officer[1], clock, password=NEW).status_code == 302


@pytest.mark.parametrize("args, stdin, message", [
    (["officers", "reset-password", EMAIL], "1qaz2wsx3edc\n", "most commonly used"),
    (["officers", "reset-password", EMAIL], "short\n", "at least 12"),
    (["officers", "reset-password", EMAIL, NEW], NEW + "\n", "never taken as an argument"),
    (["officers", "reset-password", "nobody@example.com"], NEW + "\n", "No account"),
    (["officers", "create", "new@example.police.uk"], "leavemealone\n", "most commonly used"),
])
def test_the_command_line_refuses_weak_passwords(app, officer, runner, args, stdin, message):
    result = runner.invoke(args=args, input=stdin)
    assert result.exit_code != 0 and message in result.output
