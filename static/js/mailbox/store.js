// Private replies (issue 17): this device's mailboxes and their messages, in IndexedDB
// `sx-mailbox` (the keys and opening are keys.js). Messages are kept sealed: officers'
// replies as they came (sealed to the mailbox's key), the person's own answers sealed to it
// too. Removing a mailbox deletes its key, so what lingers in IndexedDB's log can no longer
// be opened (as the outbox's drafts).
//
// Stores: `mailboxes` {id (the report's idempotency key), secret, privateKey, publicKey,
// reference, created_at}; `messages` {id, mailbox, direction (to_victim | from_victim), at,
// envelope, seen, pending}.
const DB_NAME = 'sx-mailbox';
const DB_VERSION = 1;
export const CHANNEL = 'sx-mailbox';

const request = (r) => new Promise((resolve, reject) => {
  r.onsuccess = () => resolve(r.result);
  r.onerror = () => reject(r.error);
});

let dbPromise = null;
function open() {
  if (!dbPromise) {
    dbPromise = new Promise((resolve, reject) => {
      const r = indexedDB.open(DB_NAME, DB_VERSION);
      r.onupgradeneeded = () => {
        r.result.createObjectStore('mailboxes', { keyPath: 'id' });
        r.result.createObjectStore('messages', { keyPath: 'id' }).createIndex('mailbox', 'mailbox');
      };
      r.onsuccess = () => {
        const db = r.result;
        // Let "Remove this app's data" (deleteDatabase) proceed.
        db.onversionchange = () => { db.close(); dbPromise = null; };
        resolve(db);
      };
      r.onerror = () => { dbPromise = null; reject(r.error); };
    });
  }
  return dbPromise;
}

// Whether this device has any mailbox, without creating the database by looking: someone
// who never asked for replies leaves none.
export async function exists() {
  if (!('indexedDB' in self)) return false;
  if (!indexedDB.databases) return true;
  return (await indexedDB.databases()).some((d) => d.name === DB_NAME);
}

async function tx(stores, mode, fn) {
  const db = await open();
  return new Promise((resolve, reject) => {
    const t = db.transaction(stores, mode);
    let result;
    Promise.resolve(fn(...stores.map((s) => t.objectStore(s)))).then((r) => { result = r; });
    t.oncomplete = () => resolve(result);
    t.onerror = t.onabort = () => reject(t.error);
  });
}

export const mailboxes = () => tx(['mailboxes'], 'readonly', (s) => request(s.getAll()));
export const getMailbox = (id) => tx(['mailboxes'], 'readonly', (s) => request(s.get(id)));
export const putMailbox = (box) => tx(['mailboxes'], 'readwrite', (s) => { s.put(box); });
export const messages = (id) => tx(['messages'], 'readonly',
  (s) => request(s.index('mailbox').getAll(id))).then((list) => list.sort((a, b) => (a.at < b.at ? -1 : 1)));
export const getMessage = (id) => tx(['messages'], 'readonly', (s) => request(s.get(id)));
export const putMessage = (m) => tx(['messages'], 'readwrite', (s) => { s.put(m); });
export const unread = async () => {
  if (!(await exists())) return 0;
  const all = await tx(['messages'], 'readonly', (s) => request(s.getAll()));
  return all.filter((m) => m.direction === 'to_victim' && !m.seen).length;
};

// Delete a mailbox with its key and messages (after closing it, or when it is gone).
export function forget(id) {
  return tx(['mailboxes', 'messages'], 'readwrite', async (boxes, msgs) => {
    boxes.delete(id);
    for (const key of await request(msgs.index('mailbox').getAllKeys(id))) msgs.delete(key);
  });
}
