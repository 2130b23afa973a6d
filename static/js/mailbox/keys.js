// Private replies (issue 17): a mailbox's keys, and opening what is sealed to it.
//
// A mailbox is made when a report asking for "Reply to me only inside this app" is sent: an
// RSA-OAEP key pair (the private key non-extractable: the page can use it, nobody can read
// it out) and a random 256-bit secret. The report carries the public key and the SHA-256 of
// the secret (never the secret); the server finds the mailbox by the secret's hash.
import { putMailbox } from './store.js';

const base64url = (bytes) => btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const hex = (buffer) => [...new Uint8Array(buffer)].map((b) => b.toString(16).padStart(2, '0')).join('');

// A new mailbox for the report with this idempotency key: kept here, and what the report
// carries for it (`meta.mailbox`).
export async function create(reportKey) {
  const pair = await crypto.subtle.generateKey(
    { name: 'RSA-OAEP', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
    false, ['encrypt', 'decrypt', 'wrapKey', 'unwrapKey']);
  const jwk = await crypto.subtle.exportKey('jwk', pair.publicKey);
  const secret = base64url(crypto.getRandomValues(new Uint8Array(32)));
  const secretHash = hex(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(secret)));
  await putMailbox({
    id: reportKey, secret, privateKey: pair.privateKey, publicKey: pair.publicKey,
    reference: null, created_at: new Date().toISOString(),
  });
  return { key: { kty: 'RSA', n: jwk.n, e: jwk.e }, secret_hash: secretHash };
}

const fromBase64 = (text) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

// Open a message (sealed to this mailbox's key) for display only; returns its text.
export async function openText(box, envelope) {
  const raw = await crypto.subtle.decrypt({ name: 'RSA-OAEP' }, box.privateKey, fromBase64(envelope.key));
  const aes = await crypto.subtle.importKey('raw', raw, 'AES-GCM', false, ['decrypt']);
  const plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: fromBase64(envelope.iv) }, aes, fromBase64(envelope.ct));
  const data = JSON.parse(new TextDecoder().decode(plain));
  return typeof data.text === 'string' ? data.text : '';
}
