"""Sealed envelopes: how a report is locked on the device and stays locked at rest.

A report (and each attachment) is sealed to the force's public key: a fresh AES-256-GCM key
encrypts the content, and that key is wrapped with RSA-OAEP (SHA-256). The browser does the
same with WebCrypto, so the server receives, stores and unseals the very same format:

    {"v": 1, "kid": "<key id>", "alg": "RSA-OAEP-256+A256GCM",
     "key": "<base64 wrapped AES key>", "iv": "<base64 12 bytes>", "ct": "<base64 ct+tag>"}

The key id is a hash of the public key, so a stored envelope names the key that opens it and
keys can rotate (old private keys stay in the keyring until everything is re-sealed).
"""
import base64
import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from flask import Flask, current_app

from . import guards

ALG = "RSA-OAEP-256+A256GCM"
OAEP = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)

# {"v", "kid", "alg", "key", "iv", "ct"}: see above.
Envelope = dict[str, Any]


class SealError(ValueError):
    """An envelope is malformed, names an unknown key, or does not open."""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str, what: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (ValueError, TypeError):
        raise SealError(f"envelope field '{what}' is not base64") from None


def public_der(public_key: rsa.RSAPublicKey) -> bytes:
    return public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def key_id(public_key: rsa.RSAPublicKey) -> str:
    return hashlib.sha256(public_der(public_key)).hexdigest()[:16]


@dataclass(frozen=True)
class PublicKeys:
    """What the public side holds: the current public key (to seal, and to give devices) and
    the ids of the keys whose envelopes it still accepts. Nothing here opens a report."""

    current: rsa.RSAPublicKey
    accepted_ids: frozenset[str] = frozenset()

    @cached_property
    def current_id(self) -> str:
        # Every envelope and attachment at intake is checked against it: hash the key once.
        return key_id(self.current)

    def accepts(self, kid: str) -> bool:
        return kid == self.current_id or kid in self.accepted_ids

    def public_jwk(self) -> dict[str, Any]:
        """The current public key as a JWK, for WebCrypto's importKey on the device."""
        numbers = self.current.public_numbers()

        def b64url(n: int) -> str:
            raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
            return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

        return {"kty": "RSA", "alg": "RSA-OAEP-256", "use": "enc", "ext": True,
                "key_ops": ["wrapKey", "encrypt"], "kid": self.current_id,
                "n": b64url(numbers.n), "e": b64url(numbers.e)}


@dataclass(frozen=True)
class Keyring:
    """The current private key (sealing and opening) and older ones (opening only): held
    by the officers' side (and the all-in-one process) only."""

    current: rsa.RSAPrivateKey
    older: tuple[rsa.RSAPrivateKey, ...] = ()

    @cached_property
    def _by_id(self) -> dict[str, rsa.RSAPrivateKey]:
        # Each key's id once, not at every unseal.
        return {key_id(k.public_key()): k for k in (self.current, *self.older)}

    @property
    def current_id(self) -> str:
        return next(iter(self._by_id))

    def public_keys(self) -> PublicKeys:
        return PublicKeys(self.current.public_key(), frozenset(list(self._by_id)[1:]))

    def public_jwk(self) -> dict[str, Any]:
        return self.public_keys().public_jwk()

    def private_for(self, kid: str) -> rsa.RSAPrivateKey:
        try:
            return self._by_id[kid]
        except KeyError:
            raise SealError(f"no private key with id {kid}") from None


def seal(plaintext: bytes, public_key: rsa.RSAPublicKey) -> Envelope:
    """Seal bytes to a public key; returns the envelope as a dict."""
    content_key = AESGCM.generate_key(bit_length=256)
    iv = os.urandom(12)
    return {
        "v": 1, "kid": key_id(public_key), "alg": ALG,
        "key": _b64(public_key.encrypt(content_key, OAEP)),
        "iv": _b64(iv),
        "ct": _b64(AESGCM(content_key).encrypt(iv, plaintext, None)),
    }


def parse_envelope(data: object) -> Envelope:
    """Accept an envelope as a dict, JSON text or bytes; check its shape."""
    if isinstance(data, (bytes, str)):
        try:
            data = guards.loads(data)
        except ValueError:
            raise SealError("envelope is not JSON") from None
    if not isinstance(data, dict) or data.get("v") != 1 or data.get("alg") != ALG:
        raise SealError("envelope has an unknown version or algorithm")
    for field in ("kid", "key", "iv", "ct"):
        if not isinstance(data.get(field), str):
            raise SealError(f"envelope field '{field}' is missing")
    return data


def unseal(envelope: Envelope | str | bytes, keyring: Keyring) -> bytes:
    """Open an envelope in memory; raises SealError if it does not open."""
    env = parse_envelope(envelope)
    private = keyring.private_for(env["kid"])
    try:
        content_key = private.decrypt(_unb64(env["key"], "key"), OAEP)
        iv = _unb64(env["iv"], "iv")
        return AESGCM(content_key).decrypt(iv, _unb64(env["ct"], "ct"), None)
    except SealError:
        raise
    except Exception:
        raise SealError("envelope does not open with its key") from None


def dumps(envelope: Envelope) -> bytes:
    """The stored form of an envelope: compact JSON bytes."""
    return json.dumps(envelope, separators=(",", ":"), sort_keys=True).encode()


def seal_to_current(plaintext: bytes, keys: PublicKeys | Keyring | None = None) -> bytes:
    """Seal bytes to the current report key (of `keys`, or the app's); returns the stored
    form, compact JSON bytes. Needs only the public key: either side can seal."""
    keys = keys or public_keys()
    if isinstance(keys, Keyring):
        keys = keys.public_keys()
    return dumps(seal(plaintext, keys.current))


def reseal(envelope: Envelope | str | bytes, keyring: Keyring) -> Envelope:
    """Open with whichever key sealed it, seal again under the current key."""
    return seal(unseal(envelope, keyring), keyring.current.public_key())


# ---- secrets the server keeps for itself (no public key involved) -------------------------
# Small things only the server reads back: an officer's TOTP secret, a no-JS report's
# progress (its key in the victim's cookie), the sent page's hand-off. One format for all:
# a 12-byte nonce, then AES-256-GCM's ciphertext and tag.

def derived_key(purpose: bytes, material: str | None = None) -> bytes:
    """A 32-byte key for one purpose, derived with HKDF (SHA-256) from `material` (the app's
    SECRET_KEY by default), so no two uses share a key."""
    material = material if material is not None else current_app.config["SECRET_KEY"]
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                info=purpose).derive(material.encode())


def lock(key: bytes, plaintext: bytes, bound_to: bytes | None = None) -> bytes:
    """Encrypt with AES-256-GCM under `key`; `bound_to` (authenticated, not stored) must be
    given again to unlock, so a ciphertext moved to another row does not open."""
    nonce = os.urandom(12)
    return nonce + AESGCM(key).encrypt(nonce, plaintext, bound_to)


def unlock(key: bytes, locked: bytes, bound_to: bytes | None = None) -> bytes:
    """The plaintext of `lock`; raises cryptography's InvalidTag if it does not open."""
    return AESGCM(key).decrypt(locked[:12], locked[12:], bound_to)


def generate_private_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=3072)


def private_pem(private_key: rsa.RSAPrivateKey) -> bytes:
    return private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption())


def public_pem(public_key: rsa.RSAPublicKey) -> bytes:
    return public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def load_public_pem(data: bytes, where: str | Path) -> rsa.RSAPublicKey:
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, TypeError):
        raise SealError(f"{where} is not a PEM public key") from None
    if not isinstance(key, rsa.RSAPublicKey) or key.key_size < 2048:
        raise SealError(f"{where} must be an RSA public key of at least 2048 bits")
    return key


def load_private_pem(data: bytes, where: str | Path) -> rsa.RSAPrivateKey:
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError):
        raise SealError(f"{where} is not an unencrypted PEM private key") from None
    if not isinstance(key, rsa.RSAPrivateKey) or key.key_size < 2048:
        raise SealError(f"{where} must be an RSA private key of at least 2048 bits")
    return key


def write_private_key(path: str | Path,
                      private_key: rsa.RSAPrivateKey | None = None) -> rsa.RSAPrivateKey:
    """Write a new private key file readable only by its owner; returns the key."""
    private_key = private_key or generate_private_key()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(private_pem(private_key))
    return private_key


def load_keyring(current_path: str | Path,
                 older_paths: Iterable[str | Path] = ()) -> Keyring:
    def read(path: str | Path) -> rsa.RSAPrivateKey:
        try:
            return load_private_pem(Path(path).read_bytes(), path)
        except FileNotFoundError:
            raise SealError(f"report key file not found: {path}") from None

    return Keyring(current=read(current_path), older=tuple(read(p) for p in older_paths))


def load_public_keys(path: str | Path, accepted_ids: Iterable[str] = ()) -> PublicKeys:
    try:
        current = load_public_pem(Path(path).read_bytes(), path)
    except FileNotFoundError:
        raise SealError(f"report public key file not found: {path}") from None
    return PublicKeys(current, frozenset(accepted_ids))


def init_app(app: Flask) -> None:
    """Load the keys this process's side needs. The public side (APP_SIDE=public) loads only
    the public key (REPORT_PUBLIC_KEY_FILE) and never reads a private one; the officers' side
    and the all-in-one process load the private keyring and derive the public key from it.
    Development makes its own key on first run; production refuses to start without one."""
    from .config import StartupError

    if app.config.get("APP_SIDE") == "public":
        path = app.config.get("REPORT_PUBLIC_KEY_FILE")
        if not path:
            raise StartupError("REPORT_PUBLIC_KEY_FILE is not set: the public side needs the "
                               "force's report public key (`flask --app pwa keys generate "
                               "PATH` writes PATH.pub beside the private key).")
        try:
            keys = load_public_keys(path, app.config.get("REPORT_ACCEPTED_KEY_IDS") or ())
        except SealError as err:
            raise StartupError(f"Cannot load the report public key: {err}.") from None
        app.extensions["report_public_keys"] = keys
        return
    path = app.config.get("REPORT_KEY_FILE")
    if not path:
        raise StartupError("REPORT_KEY_FILE is not set: the app needs the force's report key "
                           "pair (make one with `flask --app pwa keys generate PATH`).")
    if not Path(path).exists() and app.config.get("REPORT_KEY_AUTOCREATE"):
        write_private_key(path)
    try:
        ring = load_keyring(path, app.config.get("REPORT_OLD_KEY_FILES") or ())
    except SealError as err:
        raise StartupError(f"Cannot load the report keys: {err}. Set REPORT_KEY_FILE to the "
                           "force's private key (make one with `flask --app pwa keys "
                           "generate PATH`).") from None
    app.extensions["keyring"] = ring
    public = ring.public_keys()
    extra = frozenset(app.config.get("REPORT_ACCEPTED_KEY_IDS") or ())
    app.extensions["report_public_keys"] = PublicKeys(public.current,
                                                      public.accepted_ids | extra)


class NoPrivateKey(RuntimeError):
    """This process serves the public side: it holds no key that opens a report."""


def holds_private_key(app: Flask | None = None) -> bool:
    return "keyring" in (app or current_app).extensions


def keyring(app: Flask | None = None) -> Keyring:
    """The private report keys (the current app's by default); only on the officers' side
    and in the all-in-one process."""
    try:
        return (app or current_app).extensions["keyring"]
    except KeyError:
        raise NoPrivateKey("this process serves the public side and holds no private "
                           "report key") from None


def public_keys(app: Flask | None = None) -> PublicKeys:
    """The public key and the key ids intake accepts (every side has them)."""
    return (app or current_app).extensions["report_public_keys"]
