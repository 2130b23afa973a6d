// Checking this device's mailboxes for replies (issue 17): on every page, at start, when
// the page is shown again and when the phone comes back online (the outbox's triggers). New
// replies are kept as they came, sealed; a quiet "You have a reply" shows inside the app
// only ([data-mailbox-notice], base.html): no notification, nothing outside the app.
import * as store from './store.js';

let running = null;
const channel = typeof BroadcastChannel !== 'undefined' ? new BroadcastChannel(store.CHANNEL) : null;

async function fetchReplies(box) {
  const response = await fetch('/api/mailbox/messages', {
    method: 'POST', credentials: 'same-origin', cache: 'no-store',
    headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ secret: box.secret }),
  });
  if (response.status !== 200) return 0; // 404: not arrived yet, closed or gone; 429: later
  let added = 0;
  for (const m of (await response.json()).messages || []) {
    const id = `${box.id}:r${m.id}`;
    if (await store.getMessage(id)) continue;
    await store.putMessage({ id, mailbox: box.id, direction: 'to_victim', at: m.sent_at, envelope: m.message, seen: false });
    added += 1;
  }
  return added;
}

export function check() {
  if (running) return running;
  running = (async () => {
    if (!(await store.exists())) return 0;
    let added = 0;
    if (navigator.onLine !== false) {
      for (const box of await store.mailboxes()) {
        added += await fetchReplies(box).catch(() => 0);
      }
    }
    if (added && channel) channel.postMessage({ type: 'replies' });
    await showNotice();
    return added;
  })().finally(() => { running = null; });
  return running;
}

export async function showNotice() {
  const notice = document.querySelector('[data-mailbox-notice]');
  if (!notice) return;
  const count = await store.unread().catch(() => 0);
  // Not on the replies page itself: it shows them.
  notice.hidden = !count || !!document.querySelector('[data-mailbox-page]');
  notice.dataset.checked = String(count);
}

// The reference, once the outbox has delivered the report this mailbox belongs to.
function heard(message) {
  if (message && message.type === 'sent' && message.reference) {
    store.exists().then((yes) => yes && store.getMailbox(message.id)).then((box) => {
      if (box && !box.reference) return store.putMailbox({ ...box, reference: message.reference });
      return null;
    }).catch(() => {});
  }
}

if (typeof document !== 'undefined') {
  check().catch(() => {});
  addEventListener('online', () => check().catch(() => {}));
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') check().catch(() => {});
  });
  if (channel) channel.addEventListener('message', () => showNotice().catch(() => {}));
  globalThis.sxOutbox?.subscribe(heard);
}
