// "Remove this app's data from this phone" (staying-safe page). Before deleting, it counts
// what would be lost for good (reports not sent yet, saved answers) and says so; deleting
// needs a second, explicit press. Then it unregisters the service worker (first, so it
// cannot cache anything again), and deletes every cache, every IndexedDB database of this
// site, localStorage and sessionStorage. Names follow README "What the app keeps on the
// device".

const OUTBOX_DB = 'sx-outbox';
const MAILBOX_DB = 'sx-mailbox'; // private replies (static/js/mailbox/store.js)

const section = document.querySelector('[data-remove-data]');

// The page's words in its language (data-messages on the section, from the template);
// {n} and {names} are filled in here. English when a message is missing.
const MESSAGES = (() => {
  try {
    return JSON.parse((section && section.dataset.messages) || '{}');
  } catch {
    return {};
  }
})();
const say = (key, fallback, values = {}) => (MESSAGES[key] || fallback)
  .replace(/\{(\w+)\}/g, (whole, name) => (name in values ? values[name] : whole));

// Count the records in some stores of a database without creating it (or its stores) when
// it does not exist: a new database would be upgraded from version 0, and we abort that.
export function countRecords(dbName, storeNames) {
  const none = Object.fromEntries(storeNames.map((name) => [name, 0]));
  if (!('indexedDB' in self)) return Promise.resolve(none);
  return new Promise((resolve) => {
    let request;
    try {
      request = indexedDB.open(dbName);
    } catch {
      resolve(none);
      return;
    }
    request.onupgradeneeded = () => request.transaction.abort();
    request.onerror = () => resolve(none);
    request.onsuccess = () => {
      const db = request.result;
      const present = storeNames.filter((name) => db.objectStoreNames.contains(name));
      if (!present.length) {
        db.close();
        resolve(none);
        return;
      }
      const counts = { ...none };
      const tx = db.transaction(present, 'readonly');
      for (const name of present) {
        tx.objectStore(name).count().onsuccess = (e) => { counts[name] = e.target.result; };
      }
      tx.oncomplete = () => { db.close(); resolve(counts); };
      tx.onerror = tx.onabort = () => { db.close(); resolve(counts); };
    };
  });
}

export function warningText({ outbox, drafts, mailboxes }) {
  const parts = [];
  if (outbox === 1) {
    parts.push(say('outbox_one', '1 report has not been sent yet and will be deleted. It will not reach the police.'));
  } else if (outbox) {
    parts.push(say('outbox_other', '{n} reports have not been sent yet and will be deleted. They will not reach the police.', { n: outbox }));
  }
  if (drafts) parts.push(say('drafts', 'The answers you saved for a report you have not finished will be deleted.'));
  if (mailboxes) parts.push(say('mailboxes', 'Replies from the police in this app will be deleted, and they cannot be read anywhere else. To hear what is happening with your report, call 101 and give your reference.'));
  if (!parts.length) parts.push(say('nothing', 'There are no reports waiting to be sent on this phone.'));
  parts.push(say('final', 'This cannot be undone.'));
  return parts.join(' ');
}

function deleteDatabase(name) {
  return new Promise((resolve) => {
    const request = indexedDB.deleteDatabase(name);
    request.onsuccess = () => resolve(true);
    request.onerror = () => resolve(false);
    // Another tab of the app holds it open; it is deleted once that tab lets go.
    request.onblocked = () => setTimeout(() => resolve(false), 3000);
  });
}

async function databaseNames() {
  if (indexedDB.databases) {
    try {
      return (await indexedDB.databases()).map((db) => db.name).filter(Boolean);
    } catch {
      // fall through to the names we know
    }
  }
  return [OUTBOX_DB, MAILBOX_DB];
}

// Returns the list of things that could not be removed (empty when all went).
export async function removeEverything() {
  const failed = [];
  const attempt = async (what, job) => {
    try {
      if ((await job()) === false) failed.push(what);
    } catch {
      failed.push(what);
    }
  };
  if ('serviceWorker' in navigator) {
    await attempt('the offline helper (service worker)', async () => {
      const registrations = await navigator.serviceWorker.getRegistrations();
      const results = await Promise.all(registrations.map((r) => r.unregister()));
      return results.every(Boolean);
    });
  }
  if ('caches' in self) {
    await attempt('the saved pages', async () => {
      const names = await caches.keys();
      const results = await Promise.all(names.map((name) => caches.delete(name)));
      return results.every(Boolean);
    });
  }
  if ('indexedDB' in self) {
    await attempt('saved reports and answers', async () => {
      const results = await Promise.all((await databaseNames()).map(deleteDatabase));
      return results.every(Boolean);
    });
  }
  await attempt('settings', () => { localStorage.clear(); sessionStorage.clear(); });
  return failed;
}

function show(panel, on) {
  panel.hidden = !on;
}

if (section) {
  const q = (name) => section.querySelector(`[data-remove-data-${name}]`);
  const startPanel = q('start-panel');
  const startButton = q('start');
  const confirmPanel = q('confirm-panel');
  const confirmButton = q('confirm');
  const cancelButton = q('cancel');
  const warning = q('warning');
  const donePanel = q('done-panel');
  const result = q('result');
  const detail = q('detail');

  show(q('nojs'), false);
  show(startPanel, true);

  startButton.addEventListener('click', async () => {
    startButton.disabled = true;
    const counts = {
      ...await countRecords(OUTBOX_DB, ['outbox', 'drafts']),
      ...await countRecords(MAILBOX_DB, ['mailboxes']),
    };
    warning.textContent = warningText(counts);
    startButton.disabled = false;
    show(startPanel, false);
    show(confirmPanel, true);
    confirmPanel.querySelector('h3').focus();
  });

  cancelButton.addEventListener('click', () => {
    show(confirmPanel, false);
    show(startPanel, true);
    startButton.focus();
  });

  confirmButton.addEventListener('click', async () => {
    confirmButton.disabled = true;
    cancelButton.disabled = true;
    const failed = await removeEverything();
    show(confirmPanel, false);
    if (failed.length) {
      result.textContent = say('failed', 'Some of this app\u2019s data could not be removed');
      detail.textContent = say('failed_detail', 'Not removed: {names}. Close any other tabs of this site and try again, '
        + 'or delete this site\u2019s data in your browser\u2019s settings.', { names: failed.join(', ') });
      show(startPanel, true);
    } else {
      detail.textContent = say('done_detail', 'Your browsing history is not deleted by this. To clear it, follow the steps for your browser below.');
    }
    confirmButton.disabled = false;
    cancelButton.disabled = false;
    show(donePanel, true);
    result.focus();
  });
}
