"""static/js/seal.js seals in Chromium exactly as pwa/sealing.py opens."""
import json

from pwa import sealing

SEAL_IN_PAGE = """async ([jwk, text, bytes]) => {
  const { seal, sealJSON, importPublicKey } = await import('/static/js/seal.js');
  const key = await importPublicKey(jwk);
  return {
    json: await sealJSON({ v: 1, what_happened: text }, key),
    bytes: await seal(new Uint8Array(bytes), jwk),
  };
}"""


def test_envelopes_sealed_in_chromium_open_in_python(page, live_server, live_app):
    keyring = sealing.keyring(live_app)
    page.goto(live_server.url + "/")
    # Non-ASCII text and bytes that are not valid UTF-8, across a 0x8000-byte slice boundary.
    text = "He said he'd post them — £200 by Friday 🙁"
    data = bytes(range(256)) * 200
    sealed = page.evaluate(SEAL_IN_PAGE, [keyring.public_jwk(), text, list(data)])

    for envelope in sealed.values():
        assert envelope["kid"] == keyring.current_id
        assert envelope["alg"] == sealing.ALG
        assert text not in json.dumps(envelope)
    assert json.loads(sealing.unseal(sealed["json"], keyring)) == {"v": 1, "what_happened": text}
    assert sealing.unseal(json.dumps(sealed["bytes"]), keyring) == data
    # Each envelope has its own content key and IV.
    assert sealed["json"]["key"] != sealed["bytes"]["key"]
