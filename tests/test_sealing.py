"""The sealed-envelope format: opens only with its key, names its key, survives rotation."""
import json

import pytest

from pwa import sealing


@pytest.fixture(scope="module")
def keys():
    return sealing.generate_private_key(), sealing.generate_private_key()


def test_seal_and_unseal_round_trip(keys):
    ring = sealing.Keyring(current=keys[0])
    envelope = sealing.seal(b"what happened", keys[0].public_key())
    assert envelope["kid"] == ring.current_id
    assert b"what happened" not in sealing.dumps(envelope)
    assert sealing.unseal(sealing.dumps(envelope), ring) == b"what happened"


def test_a_tampered_or_foreign_envelope_does_not_open(keys):
    envelope = sealing.seal(b"x", keys[0].public_key())
    tampered = dict(envelope, ct=envelope["ct"][:-4] + ("AAAA" if envelope["ct"][-4:] != "AAAA" else "BBBB"))
    with pytest.raises(sealing.SealError):
        sealing.unseal(tampered, sealing.Keyring(current=keys[0]))
    with pytest.raises(sealing.SealError, match="no private key"):
        sealing.unseal(envelope, sealing.Keyring(current=keys[1]))
    with pytest.raises(sealing.SealError):
        sealing.unseal(b"not json", sealing.Keyring(current=keys[0]))
    with pytest.raises(sealing.SealError):
        sealing.unseal(json.dumps({"v": 2}), sealing.Keyring(current=keys[0]))


def test_rotation_reseals_under_the_new_key(keys):
    old, new = keys
    envelope = sealing.seal(b"report", old.public_key())
    ring = sealing.Keyring(current=new, older=(old,))
    resealed = sealing.reseal(envelope, ring)
    assert resealed["kid"] == ring.current_id
    assert sealing.unseal(resealed, sealing.Keyring(current=new)) == b"report"


def test_public_jwk_is_the_current_key(keys):
    jwk = sealing.Keyring(current=keys[0]).public_jwk()
    assert jwk["kty"] == "RSA" and jwk["alg"] == "RSA-OAEP-256" and "d" not in jwk
