"""Officers' credentials: argon2id passwords, TOTP second factor, lockout.

The TOTP secret is stored encrypted with AES-256-GCM under a key derived (HKDF) from
SECRET_KEY, bound to the account's email. Why not sealed with the report key: the second
factor then stays separate from the report key, so whoever holds the report private key (for
example to decrypt a backup) still cannot mint sign-in codes, and rotating the report key
does not touch accounts. A database dump alone yields neither password nor second factor.
Changing SECRET_KEY makes every second factor unreadable: run `officers reset-2fa` for each.
"""
import datetime
import os
import secrets

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

from .. import clock
from ..extensions import db
from ..site import force
from .models import Officer

hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
MIN_PASSWORD_LENGTH = 12
_dummy_hash = None


def normalise_email(email):
    return (email or "").strip().lower()


def hash_password(password):
    return hasher.hash(password)


def _totp_key():
    secret = current_app.config["SECRET_KEY"].encode()
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                info=b"sx officers totp v1").derive(secret)


def encrypt_totp_secret(secret, email):
    nonce = os.urandom(12)
    return nonce + AESGCM(_totp_key()).encrypt(nonce, secret.encode(), email.encode())


def decrypt_totp_secret(blob, email):
    return AESGCM(_totp_key()).decrypt(blob[:12], blob[12:], email.encode()).decode()


def new_totp_secret():
    return pyotp.random_base32()


def provisioning_uri(secret, email):
    issuer = force().short_name
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=issuer)


def create_officer(email, password, role="officer"):
    """Make an account; returns (officer, totp secret) so the caller can show the URI."""
    email = normalise_email(email)
    secret = new_totp_secret()
    officer = Officer(email=email, password_hash=hash_password(password), role=role,
                      totp_sealed=encrypt_totp_secret(secret, email), totp_last_step=0,
                      active=True, failed_count=0)
    db.session.add(officer)
    db.session.flush()
    return officer, secret


def reset_totp(officer):
    secret = new_totp_secret()
    officer.totp_sealed = encrypt_totp_secret(secret, officer.email)
    officer.totp_last_step = 0
    officer.login_id = None  # sign out everywhere
    return secret


def _check_password(officer, password):
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
        officer.password_hash = hasher.hash(password)
    return True


def _check_code(officer, code):
    """Accept the current code or its neighbours (valid_window=1), but never a time step
    already used: a code seen over a shoulder cannot be replayed."""
    code = (code or "").replace(" ", "")
    if not code.isdigit():
        return False
    try:
        totp = pyotp.TOTP(decrypt_totp_secret(officer.totp_sealed, officer.email))
    except Exception:
        return False
    now = clock.now()
    step = totp.timecode(now)
    for candidate in (step - 1, step, step + 1):
        if candidate > (officer.totp_last_step or 0) and secrets.compare_digest(
                totp.generate_otp(candidate), code):
            officer.totp_last_step = candidate
            return True
    return False


class SignInResult:
    def __init__(self, officer, ok, reason):
        self.officer, self.ok, self.reason = officer, ok, reason


def attempt_sign_in(email, password, code):
    """Check all three; count failures against the account and lock it after too many.

    Returns a SignInResult whose `reason` is for the audit log only (never shown)."""
    config = current_app.config
    officer = Officer.query.filter_by(email=normalise_email(email)).first()
    now = clock.now()
    password_ok = _check_password(officer, password)  # always run, for even timing
    if officer is None:
        return SignInResult(None, False, "unknown account")
    if officer.locked_until and officer.locked_until > now:
        return SignInResult(officer, False, "account locked")
    if not officer.active:
        return SignInResult(officer, False, "account disabled")
    code_ok = password_ok and _check_code(officer, code)
    if password_ok and code_ok:
        officer.failed_count = 0
        officer.locked_until = None
        officer.last_sign_in_at = now
        officer.login_id = secrets.token_urlsafe(24)
        return SignInResult(officer, True, "")
    officer.failed_count = (officer.failed_count or 0) + 1
    reason = "wrong password" if not password_ok else "wrong code"
    if officer.failed_count >= config["OFFICER_MAX_FAILURES"]:
        officer.locked_until = now + datetime.timedelta(minutes=config["OFFICER_LOCK_MINUTES"])
        officer.failed_count = 0
        reason += "; account locked"
    return SignInResult(officer, False, reason)

