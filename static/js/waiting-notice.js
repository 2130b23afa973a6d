// "A report is waiting on this phone": shown on every page while the outbox holds a report
// and this is a browser tab, not the installed app. Safari deletes what a site keeps after
// 7 days without a visit (apps added to the Home Screen are exempt), the outbox included; so
// the page says how to get it sent, and asks the browser to keep this site's storage.
// It reads the outbox's documented store (README, "What the app keeps on the device") and
// hears its changes on the 'sx-outbox' channel, so it needs nothing from the outbox's code.
const notice = document.querySelector('[data-waiting-notice]');
const DB_NAME = 'sx-outbox';
const STORE = 'outbox';

const installed = () => window.matchMedia('(display-mode: standalone)').matches
  || window.matchMedia('(display-mode: fullscreen)').matches
  || window.matchMedia('(display-mode: minimal-ui)').matches
  || navigator.standalone === true;

const request = (r) => new Promise((resolve, reject) => {
  r.onsuccess = () => resolve(r.result);
  r.onerror = () => reject(r.error);
});

async function waitingCount() {
  // Never create the database by looking: someone who never reported leaves none.
  if (!indexedDB.databases) return 0;
  if (!(await indexedDB.databases()).some((d) => d.name === DB_NAME)) return 0;
  const db = await request(indexedDB.open(DB_NAME));
  try {
    if (!db.objectStoreNames.contains(STORE)) return 0;
    return await request(db.transaction(STORE).objectStore(STORE).count());
  } finally {
    db.close();
  }
}

async function update() {
  const waiting = await waitingCount().catch(() => 0);
  const show = waiting > 0 && !installed();
  notice.hidden = !show;
  notice.dataset.checked = String(waiting); // the outbox has been looked at (tests wait for it)
  if (show && navigator.storage && navigator.storage.persist) {
    navigator.storage.persist().catch(() => {});
  }
}

if (notice) {
  update();
  if (typeof BroadcastChannel !== 'undefined') {
    new BroadcastChannel(DB_NAME).addEventListener('message', update);
  }
  window.addEventListener('online', update);
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') update();
  });
  window.matchMedia('(display-mode: standalone)').addEventListener?.('change', update);
}
