// The outbox's triggers in a page (every page, from base.html): a report waiting on this
// phone is tried when the app starts, when the phone is back online and when the page is
// shown again, because Safari, Firefox and some Chromium builds never fire Background Sync.
// Store and delivery are outbox-core.js (also run by the service worker).
import { outbox } from './report/outbox.js';

const DB_NAME = 'sx-outbox';
const deliver = () => outbox.deliverAll().catch(() => {});

async function queuedOnStart() {
  // Don't create the database on a page view: someone who never reported leaves none.
  if (indexedDB.databases && !(await indexedDB.databases()).some((d) => d.name === DB_NAME)) return 0;
  return outbox.count();
}

if (outbox) {
  addEventListener('online', deliver);
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') deliver();
  });
  queuedOnStart().then((n) => {
    if (n) {
      outbox.registerSync();
      deliver();
    }
  }).catch(() => { /* storage unavailable (private mode): nothing queued */ });
}
