"""Officers' sign-in: both factors required, one vague message, growing delays per account
and address (never a lock-out), a limit per client, a new session at sign-in, idle timeout, sign out."""
import pytest
from http.cookies import SimpleCookie

from officers_support import PASSWORD, clock, code, make_officer, post, sign_in  # noqa: F401

from pwa.extensions import db
from pwa.officers.models import AuditEntry, Officer, SignInThrottle

EMAIL = "officer@example.police.uk"
FAILED = "The email address, password or code is not right"


@pytest.fixture
def app(make_app):
    # Per-client limit high by default, so per-account tests are not cut short by it.
    return make_app(OFFICER_SIGNIN_RATE="1000 per minute")


@pytest.fixture
def officer(app):
    return make_officer(app, EMAIL)


def entries(app, action):
    with app.app_context():
        return [(e.officer_id, e.detail) for e in AuditEntry.query.filter_by(action=action)]


def test_right_password_and_code_sign_in(app, client, officer, clock):
    response = sign_in(client, EMAIL, officer[1], clock)
    assert response.status_code == 302 and response.location.endswith("/officers/")
    assert client.get("/officers/").status_code == 200
    assert entries(app, "sign_in") == [(officer[0], "")]


@pytest.mark.parametrize("password, good_code, reason", [
    ("wrong password here", True, "wrong password"),
    (PASSWORD, False, "wrong code"),
])
def test_wrong_password_or_code_fails_with_the_same_message(app, client, officer, clock,
                                                            password, good_code, reason):
    the_code = None if good_code else "000000"
    response = sign_in(client, EMAIL, officer[1], clock, password=password, the_code=the_code)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert FAILED in html
    assert "password is wrong" not in html.lower() and "code is wrong" not in html.lower()
    assert client.get("/officers/").status_code == 302
    # The audit says which part failed (for supervisors), never the password or code.
    assert entries(app, "sign_in_failed") == [(officer[0], reason)]
    with app.app_context():
        details = " ".join(e.detail for e in AuditEntry.query)
    assert password not in details and "000000" not in details


def test_unknown_email_fails_the_same_way_and_is_not_recorded(app, client, officer, clock):
    response = sign_in(client, "nobody@example.com", officer[1], clock)
    assert FAILED in response.get_data(as_text=True)
    assert entries(app, "sign_in_failed") == [(None, "unknown account")]
    with app.app_context():
        assert all("nobody" not in e.detail for e in AuditEntry.query)


def test_a_code_cannot_be_used_twice(app, client, officer, clock):
    the_code = code(officer[1], clock)
    assert sign_in(client, EMAIL, officer[1], clock, the_code=the_code).status_code == 302
    other = app.test_client()
    response = sign_in(other, EMAIL, officer[1], clock, the_code=the_code)
    assert FAILED in response.get_data(as_text=True)


def from_address(app, address):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def wait_until(app, clock):
    """Seconds until this address may try again (0 if it may now), from the shared store."""
    with app.app_context():
        rows = db.session.scalars(db.select(SignInThrottle)).all()
        return max([(r.next_at - clock.now()).total_seconds() for r in rows] + [0])


def test_nobody_can_lock_an_officer_out_from_another_address(app, officer, clock):
    attacker = from_address(app, "203.0.113.9")
    for _ in range(30):
        sign_in(attacker, EMAIL, officer[1], clock, password="not the password")
    # The attacker's own address is held back, even with the right details...
    response = sign_in(attacker, EMAIL, officer[1], clock)
    assert FAILED in response.get_data(as_text=True)
    assert entries(app, "sign_in_failed")[-1] == (
        officer[0], "too soon after failures from this address")
    # ...but the officer, from anywhere else, signs in at once.
    officer_client = from_address(app, "198.51.100.20")
    assert sign_in(officer_client, EMAIL, officer[1], clock).status_code == 302


def test_failures_from_one_address_get_growing_capped_delays(app, officer, clock):
    client = from_address(app, "203.0.113.9")
    waits = []
    for _ in range(16):
        clock.advance(seconds=waits[-1] if waits else 0)  # try again as soon as allowed
        sign_in(client, EMAIL, officer[1], clock, password="not the password")
        waits.append(wait_until(app, clock))
    free = app.config["OFFICER_THROTTLE_FREE"]
    assert waits[:free] == [0] * free
    assert waits[free:free + 4] == [2, 4, 8, 16]
    assert max(waits) == app.config["OFFICER_THROTTLE_MAX_SECONDS"] == waits[-1]
    # A guess made during the wait is not even checked: the right password gains nothing.
    assert FAILED in sign_in(client, EMAIL, officer[1], clock).get_data(as_text=True)
    clock.advance(seconds=app.config["OFFICER_THROTTLE_MAX_SECONDS"])
    assert sign_in(client, EMAIL, officer[1], clock).status_code == 302
    assert wait_until(app, clock) == 0  # success forgets this address's failures


def test_the_throttle_is_shared_by_every_process(make_app, officer, clock):
    # A wait longer than the 30 s the test's next code moves the clock on.
    settings = {"OFFICER_SIGNIN_RATE": "1000 per minute", "OFFICER_THROTTLE_BASE_SECONDS": 600}
    first, second = make_app(**settings), make_app(**settings)  # one database
    client = from_address(first, "203.0.113.9")
    for _ in range(first.config["OFFICER_THROTTLE_FREE"] + 1):
        sign_in(client, EMAIL, officer[1], clock, password="not the password")
    other = from_address(second, "203.0.113.9")
    assert FAILED in sign_in(other, EMAIL, officer[1], clock).get_data(as_text=True)


def test_the_throttle_stores_no_address_or_email(app, clock, database_bytes):
    client = from_address(app, "203.0.113.77")
    for _ in range(5):
        sign_in(client, "guesser.marker@example.com", "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", clock)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(SignInThrottle)) == 1
    stored = database_bytes(app)
    assert b"203.0.113.77" not in stored and b"guesser.marker" not in stored


def test_client_is_rate_limited_across_accounts(make_app, clock):
    app = make_app(OFFICER_SIGNIN_RATE="5 per minute")
    client = app.test_client()
    statuses = [sign_in(client, f"guess{n}@example.com", "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", clock).status_code
                for n in range(6)]
    assert statuses == [400] * 5 + [429]


def test_disabled_account_cannot_sign_in(app, client, officer, clock):
    with app.app_context():
        db.session.get(Officer, officer[0]).active = False
        db.session.commit()
    assert FAILED in sign_in(client, EMAIL, officer[1], clock).get_data(as_text=True)


def session_cookie(client):
    cookie = client.get_cookie("session")
    return cookie.value if cookie else None


def test_session_changes_at_sign_in_and_old_cookies_do_not_sign_in(app, client, officer, clock):
    client.get("/officers/sign-in")
    before = session_cookie(client)
    with client.session_transaction() as sess:
        sess["planted"] = "by an attacker before sign-in"
    sign_in(client, EMAIL, officer[1], clock)
    first = session_cookie(client)
    assert first != before
    with client.session_transaction() as sess:
        assert "planted" not in sess  # nothing from before sign-in survives
        first_login = sess["_user_id"]
    # Signing in again (another device) gives a new login id; the first cookie stops working.
    other = app.test_client()
    sign_in(other, EMAIL, officer[1], clock)
    with other.session_transaction() as sess:
        assert sess["_user_id"] != first_login
    assert client.get("/officers/").status_code == 302


def test_sign_out_ends_the_session_even_for_a_copied_cookie(app, client, officer, clock):
    sign_in(client, EMAIL, officer[1], clock)
    copied = session_cookie(client)
    response = post(client, "/officers/sign-out")
    assert response.status_code == 302 and "/officers/sign-in" in response.location
    assert client.get("/officers/").status_code == 302
    replay = app.test_client()
    replay.set_cookie("session", copied)
    assert replay.get("/officers/").status_code == 302
    assert entries(app, "sign_out") == [(officer[0], "")]


def test_sign_out_needs_a_post_with_csrf(app, client, officer, clock):
    sign_in(client, EMAIL, officer[1], clock)
    assert client.get("/officers/sign-out").status_code == 405
    assert client.post("/officers/sign-out").status_code == 400
    assert client.get("/officers/").status_code == 200


def test_idle_for_15_minutes_sends_to_sign_in(app, client, officer, clock):
    sign_in(client, EMAIL, officer[1], clock)
    clock.advance(minutes=14)
    assert client.get("/officers/").status_code == 200  # activity: the clock restarts
    clock.advance(minutes=14)
    assert client.get("/officers/").status_code == 200
    clock.advance(minutes=15, seconds=1)
    response = client.get("/officers/")
    assert response.status_code == 302 and "/officers/sign-in?expired=1" in response.location
    assert "without activity" in client.get(response.location).get_data(as_text=True)
    assert client.get("/officers/").status_code == 302
    assert entries(app, "session_expired") == [(officer[0], "")]


def test_polling_does_not_keep_an_idle_session_alive(app, client, officer, clock):
    sign_in(client, EMAIL, officer[1], clock)
    for _ in range(16):
        clock.advance(minutes=1)
        client.get("/officers/api/summary")
    assert client.get("/officers/").status_code == 302


def test_session_cookie_flags(app, client, officer, clock):
    response = sign_in(client, EMAIL, officer[1], clock)
    header = response.headers["Set-Cookie"]
    cookie = SimpleCookie(header)["session"]
    assert cookie["httponly"] and cookie["samesite"] == "Strict"
    assert cookie["expires"]  # a permanent session, ending with PERMANENT_SESSION_LIFETIME
    assert app.permanent_session_lifetime.total_seconds() == 15 * 60


def test_an_expired_form_keeps_the_email_and_asks_again(app, client, officer, clock):
    response = client.post("/officers/sign-in", data={
        "csrf_token": "expired", "email": EMAIL, "password": PASSWORD,
        "code": code(officer[1], clock)})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "security check expired" in html and f'value="{EMAIL}"' in html
    assert client.get("/officers/").status_code == 302
    with app.app_context():
        assert db.session.get(Officer, officer[0]).login_id is None


def test_a_session_ends_after_a_shift_however_active(make_app, clock):
    app = make_app(OFFICER_SIGNIN_RATE="1000 per minute", OFFICER_SESSION_HOURS=10)
    officer = make_officer(app, EMAIL)
    client = app.test_client()
    sign_in(client, EMAIL, officer[1], clock)
    for _ in range(10 * 6):  # busy all shift: a page every 10 minutes for 10 hours
        clock.advance(minutes=10)
        assert client.get("/officers/").status_code == 200
    clock.advance(minutes=10)  # 10 h 10 min after signing in, only 10 min idle
    response = client.get("/officers/")
    assert response.status_code == 302 and "expired=shift" in response.location
    assert "10 hours after signing in" in client.get(response.location).get_data(as_text=True)
    assert client.get("/officers/").status_code == 302
    assert entries(app, "session_limit") == [(officer[0], "")]


def test_the_shift_limit_is_configurable(make_app, clock):
    app = make_app(OFFICER_SIGNIN_RATE="1000 per minute", OFFICER_SESSION_HOURS=0.5)
    officer = make_officer(app, EMAIL)
    client = app.test_client()
    sign_in(client, EMAIL, officer[1], clock)
    clock.advance(minutes=14)
    assert client.get("/officers/").status_code == 200
    clock.advance(minutes=14)
    assert client.get("/officers/").status_code == 200
    clock.advance(minutes=3)
    assert "expired=shift" in client.get("/officers/").location


@pytest.mark.parametrize("offset, accepted", [
    (-60, False), (-30, True), (0, True), (30, False)])
def test_a_code_is_accepted_for_its_step_and_the_one_before_only(
        app, client, officer, clock, offset, accepted):
    import pyotp

    clock.advance(minutes=5)
    the_code = pyotp.TOTP(officer[1]).at(clock.now() + __import__("datetime").timedelta(
        seconds=offset))
    response = sign_in(client, EMAIL, officer[1], clock, the_code=the_code)
    assert (response.status_code == 302) is accepted


@pytest.mark.parametrize("email", [EMAIL + "\x00", "a\x00b@example.com", "x" * 300])
def test_odd_emails_get_the_form_again_not_a_server_error(app, client, officer, clock, email):
    response = sign_in(client, email, officer[1], clock)
    assert response.status_code == 400
    assert "There is a problem" in response.get_data(as_text=True)
