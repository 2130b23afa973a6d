// Sealing on the device: the envelope format of pwa/sealing.py, made with WebCrypto.
// A fresh AES-256-GCM key per envelope encrypts the content; that key is wrapped with the
// force's RSA-OAEP (SHA-256) public key, so only the server's private key can open it.
//   {"v": 1, "kid", "alg": "RSA-OAEP-256+A256GCM", "key", "iv", "ct"}  (standard base64)

export const ALG = 'RSA-OAEP-256+A256GCM';

// The public key as a CryptoKey, remembering its key id (the JWK's `kid`).
export async function importPublicKey(jwk) {
  if (!jwk || jwk.kty !== 'RSA' || !jwk.kid) throw new Error('The report key is missing or not an RSA key.');
  const key = await crypto.subtle.importKey(
    'jwk', { kty: 'RSA', n: jwk.n, e: jwk.e, alg: 'RSA-OAEP-256', ext: true },
    { name: 'RSA-OAEP', hash: 'SHA-256' }, false, ['wrapKey']);
  return { key, kid: jwk.kid };
}

// btoa takes a "binary string"; build it in slices so large screenshots don't blow the stack.
export function toBase64(bytes) {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let text = '';
  for (let i = 0; i < view.length; i += 0x8000) {
    text += String.fromCharCode.apply(null, view.subarray(i, i + 0x8000));
  }
  return btoa(text);
}

// Seal bytes (ArrayBuffer, typed array, Blob or string) to a public key from importPublicKey
// (or a JWK). Returns the envelope as a plain object.
export async function seal(content, publicKey) {
  const pub = publicKey.key ? publicKey : await importPublicKey(publicKey);
  let bytes = content;
  if (typeof content === 'string') bytes = new TextEncoder().encode(content);
  else if (content instanceof Blob) bytes = await content.arrayBuffer();
  const aes = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, true, ['encrypt']);
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const [wrapped, ct] = await Promise.all([
    crypto.subtle.wrapKey('raw', aes, pub.key, { name: 'RSA-OAEP' }),
    crypto.subtle.encrypt({ name: 'AES-GCM', iv }, aes, bytes),
  ]);
  return { v: 1, kid: pub.kid, alg: ALG, key: toBase64(wrapped), iv: toBase64(iv), ct: toBase64(ct) };
}

// A value sealed as the UTF-8 JSON of it (a report's answers).
export function sealJSON(value, publicKey) {
  return seal(JSON.stringify(value), publicKey);
}
