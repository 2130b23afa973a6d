"""Officers' credentials: argon2id passwords, TOTP second factor, sign-in throttling.

The TOTP secret is stored encrypted with AES-256-GCM under a key derived (HKDF) from
SECRET_KEY, bound to the account's email. Why not sealed with the report key: the second
factor then stays separate from the report key, so whoever holds the report private key (for
example to decrypt a backup) still cannot mint sign-in codes, and rotating the report key
does not touch accounts. A database dump alone yields neither password nor second factor.
Changing SECRET_KEY makes every second factor unreadable: run `officers reset-2fa` for each.
"""
import datetime
import hashlib
import hmac
import secrets

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from sqlalchemy.dialects import postgresql, sqlite

from .. import clock, sealing
from ..extensions import db
from ..site import force
from .models import Officer, SignInThrottle

hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
# A throttle row is forgotten this long after its last failure.
THROTTLE_FORGET = datetime.timedelta(hours=24)
_dummy_hash = None


def normalise_email(email: str | None) -> str:
    return (email or "").strip().lower()


def hash_password(password: str) -> str:
    return hasher.hash(password)


def _totp_key() -> bytes:
    return sealing.derived_key(b"sx officers totp v1")


def find_officer(email: str | None) -> Officer | None:
    email = normalise_email(email)
    if not email or len(email) > 254 or not email.isprintable():
        return None  # PostgreSQL refuses a NUL in text (DataError); no account has one anyway
    return db.session.scalars(
        db.select(Officer).filter_by(email=normalise_email(email))).first()


def encrypt_totp_secret(secret: str, email: str) -> bytes:
    return sealing.lock(_totp_key(), secret.encode(), bound_to=email.encode())


def decrypt_totp_secret(blob: bytes, email: str) -> str:
    return sealing.unlock(_totp_key(), blob, bound_to=email.encode()).decode()


def new_totp_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, email: str) -> str:
    issuer = force().short_name
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=issuer)


def create_officer(email: str, password: str, role: str = "officer") -> tuple[Officer, str]:
    """Make an account; returns (officer, totp secret) so the caller can show the URI."""
    email = normalise_email(email)
    secret = new_totp_secret()
    officer = Officer(email=email, password_hash=hash_password(password), role=role,
                      totp_sealed=encrypt_totp_secret(secret, email), totp_last_step=0,
                      active=True)
    db.session.add(officer)
    db.session.flush()
    return officer, secret


def reset_totp(officer: Officer) -> str:
    secret = new_totp_secret()
    officer.totp_sealed = encrypt_totp_secret(secret, officer.email)
    officer.totp_last_step = 0
    officer.login_id = None  # sign out everywhere
    return secret


def _check_password(officer: Officer | None, password: str | None) -> bool:
    global _dummy_hash
    if officer is None:
        # Spend the same time as a real check, so timing does not reveal which emails exist.
        _dummy_hash = _dummy_hash or hasher.hash(secrets.token_hex(16))
        try:
            hasher.verify(_dummy_hash, password or "")
        except VerificationError:
            pass
        return False
    try:
        hasher.verify(officer.password_hash, password or "")
    except (VerificationError, InvalidHashError):
        return False
    if hasher.check_needs_rehash(officer.password_hash):
        officer.password_hash = hasher.hash(password or "")  # (it verified: not None)
    return True


def set_password(officer: Officer, password: str) -> None:
    """A new password; every session of the account ends (the login id changes)."""
    officer.password_hash = hash_password(password)
    officer.login_id = None


def change_password(officer: Officer, current: str | None, code: str | None,
                    new: str) -> str | None:
    """An officer's own change (ASVS 6.2.2/6.2.3): only with the current password and a code.
    On success every session of the account ends and a new login id is returned for the
    session making the change; None if the current password or the code is wrong (a code
    used here still counts as used)."""
    if not (_check_password(officer, current) and _check_code(officer, code)):
        return None
    set_password(officer, new)
    officer.login_id = secrets.token_urlsafe(24)
    return officer.login_id


def _check_code(officer: Officer, code: str | None) -> bool:
    """Accept the code for the current 30-second step or the one before (clock skew, or a
    code typed as it changed), never a later one (ASVS 6.5.5), and never a step already
    used: a code seen over a shoulder cannot be replayed."""
    code = (code or "").replace(" ", "")
    if not code.isdigit():
        return False
    try:
        totp = pyotp.TOTP(decrypt_totp_secret(officer.totp_sealed, officer.email))
    except Exception:
        return False
    now = clock.now()
    step = totp.timecode(now)
    for candidate in (step - 1, step):
        if candidate > (officer.totp_last_step or 0) and secrets.compare_digest(
                totp.generate_otp(candidate), code):
            officer.totp_last_step = candidate
            return True
    return False


class SignInResult:
    def __init__(self, officer: Officer | None, ok: bool, reason: str) -> None:
        self.officer, self.ok, self.reason = officer, ok, reason


def _throttle_key(email: str | None, address: str | None) -> str:
    """One account (as typed, so unknown emails are throttled alike) from one address, as a
    keyed hash: neither the address nor the email is stored."""
    message = f"{normalise_email(email)}\n{address or ''}".encode()
    return hmac.new(sealing.derived_key(b"sx officers throttle v1"), message,
                    hashlib.sha256).hexdigest()


def _delay(failures: int) -> datetime.timedelta:
    config = current_app.config
    over = failures - config["OFFICER_THROTTLE_FREE"]
    if over <= 0:
        return datetime.timedelta(0)
    seconds = config["OFFICER_THROTTLE_BASE_SECONDS"] * 2 ** min(over - 1, 30)
    return datetime.timedelta(seconds=min(seconds, config["OFFICER_THROTTLE_MAX_SECONDS"]))


def _record_failure(key: str, now: datetime.datetime) -> None:
    """Count a failure for this account and address (an upsert: two failures at once both
    count) and set when the next attempt may be checked."""
    dialect = db.session.get_bind().dialect.name
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(SignInThrottle)
    statement = insert.values(key=key, failures=1, next_at=now, updated_at=now)
    statement = statement.on_conflict_do_update(
        index_elements=[SignInThrottle.key],
        set_={"failures": SignInThrottle.failures + 1, "updated_at": now})
    db.session.execute(statement)
    row = db.session.get(SignInThrottle, key, populate_existing=True)
    assert row is not None  # the upsert above made or updated it
    row.next_at = now + _delay(row.failures)
    # Forget old rows as we go: nothing else needs them.
    db.session.execute(db.delete(SignInThrottle).where(
        SignInThrottle.updated_at < now - THROTTLE_FORGET))


def attempt_sign_in(email: str | None, password: str | None, code: str | None,
                    address: str | None) -> SignInResult:
    """Check all three. Failures slow down this account from this address only (a growing
    delay), so nobody can lock an officer out by failing on purpose from elsewhere; each
    address is also held to OFFICER_SIGNIN_RATE across all accounts (views.py).

    Returns a SignInResult whose `reason` is for the audit log only (never shown)."""
    now = clock.now()
    key = _throttle_key(email, address)
    throttle = db.session.get(SignInThrottle, key)
    officer = find_officer(email)
    if throttle is not None and throttle.next_at > now:
        # Not checked at all: a guess made too soon tells nothing and costs nothing.
        return SignInResult(officer, False, "too soon after failures from this address")
    password_ok = _check_password(officer, password)  # always run, for even timing
    code_ok = (officer is not None and officer.active and password_ok
               and _check_code(officer, code))
    if officer is not None and code_ok:  # (code_ok holds only with an officer)
        if throttle is not None:
            db.session.delete(throttle)
        officer.last_sign_in_at = now
        officer.login_id = secrets.token_urlsafe(24)
        return SignInResult(officer, True, "")
    _record_failure(key, now)
    if officer is None:
        return SignInResult(None, False, "unknown account")
    if not officer.active:
        return SignInResult(officer, False, "account disabled")
    return SignInResult(officer, False, "wrong password" if not password_ok else "wrong code")
