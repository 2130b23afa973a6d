/* The report outbox: sealed reports waiting on this device until the server acknowledges them.
 *
 * A classic script (no import/export), because the service worker loads it with importScripts
 * (pwa/offline_app register_worker_script) and a classic worker cannot import modules. It
 * defines globalThis.sxOutbox. Pages run it with <script defer src="…?v=hash"> (base.html),
 * before any module script; page modules reach it through static/js/report/outbox.js, and
 * its page triggers are the module static/js/outbox-triggers.js. Its parts: the store
 * (IndexedDB), notifications to pages and the worker, scheduling (Background Sync and the
 * retry timer), delivery, the public face, the encrypted drafts, the worker's sync trigger.
 *
 * IndexedDB `sx-outbox`: `outbox` (sealed envelopes only, keyed by the report's idempotency
 * key), `sent` (reference and date only), `drafts` (answers in progress, only with consent,
 * encrypted) and `keys` (the drafts' non-extractable AES-GCM key).
 *
 * Drafts are never written in plain text: IndexedDB in Chromium is a LevelDB folder whose log
 * keeps deleted and overwritten values until compaction, so deleting a draft does not erase
 * it. Each draft is encrypted with a key made for it (WebCrypto, non-extractable) and kept
 * beside it; sending or discarding deletes the key with the draft (crypto-shredding), so the
 * ciphertext that lingers in the log can no longer be opened by the page.
 *
 * Delivery rules: a fresh CSRF token before each attempt (never stored); retry on network
 * errors, 5xx, 429, 409, 408 and 403 (a CSRF failure is first retried at once with a new
 * token) with capped exponential back-off (Retry-After honoured); any other 4xx
 * marks the entry for the person's attention; an entry is deleted only after a 200/201. A Web
 * Lock per entry keeps two tabs, or a page and the worker, from sending the same one at once
 * (and the server's idempotency key makes a lost response harmless). Triggers: Background Sync
 * (tag sx-outbox) where it exists, and in pages `online`, app start and `visibilitychange`,
 * since Safari, Firefox and some Chromium builds never fire sync.
 */
(function () {
  'use strict';

  var DB_NAME = 'sx-outbox';
  var DB_VERSION = 2;  // 2: drafts encrypted, `keys` store
  var SYNC_TAG = 'sx-outbox';
  var BASE_DELAY = 2000;
  // A request that never answers (a dropped mobile link, a captive portal) must not hold the
  // outbox forever: it is abandoned after this long and counts as a network failure. The
  // idempotency key makes the retry safe even if the server did receive it.
  var REQUEST_TIMEOUT = 20000;
  var MAX_DELAY = 5 * 60 * 1000;
  var inWorker = typeof ServiceWorkerGlobalScope !== 'undefined' &&
    self instanceof ServiceWorkerGlobalScope;

  // ---- IndexedDB -------------------------------------------------------------------------
  var dbPromise = null;

  function openDB() {
    if (dbPromise) return dbPromise;
    dbPromise = new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB_NAME, DB_VERSION);
      request.onupgradeneeded = function () {
        var db = request.result;
        if (!db.objectStoreNames.contains('outbox')) db.createObjectStore('outbox', { keyPath: 'id' });
        if (!db.objectStoreNames.contains('sent')) db.createObjectStore('sent', { keyPath: 'reference' });
        if (!db.objectStoreNames.contains('drafts')) db.createObjectStore('drafts', { keyPath: 'id' });
        // A version-1 draft was plain text: it goes (the person starts that report again).
        else request.transaction.objectStore('drafts').clear();
        if (!db.objectStoreNames.contains('keys')) db.createObjectStore('keys', { keyPath: 'id' });
      };
      request.onsuccess = function () {
        var db = request.result;
        // Let "remove this app's data" (deleteDatabase) or a newer version proceed.
        db.onversionchange = function () { db.close(); dbPromise = null; };
        db.onclose = function () { dbPromise = null; };
        resolve(db);
      };
      request.onerror = function () { dbPromise = null; reject(request.error); };
      request.onblocked = function () { /* another tab holds an old version; wait */ };
    });
    return dbPromise;
  }

  // Run fn(stores...) in one transaction; resolves with fn's request result when it commits.
  function withStores(names, mode, fn) {
    return openDB().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(names, mode);
        var result;
        var request = fn.apply(null, names.map(function (n) { return tx.objectStore(n); }));
        if (request && 'onsuccess' in request) {
          request.onsuccess = function () { result = request.result; };
        }
        tx.oncomplete = function () { resolve(result); };
        tx.onerror = tx.onabort = function () { reject(tx.error); };
      });
    });
  }

  function get(store, key) {
    return withStores([store], 'readonly', function (s) { return s.get(key); });
  }
  function getAll(store) {
    return withStores([store], 'readonly', function (s) { return s.getAll(); });
  }

  // ---- Notifications to every page and the worker ----------------------------------------
  var listeners = [];
  var channel = typeof BroadcastChannel !== 'undefined' ? new BroadcastChannel('sx-outbox') : null;
  function emitLocal(message) {
    listeners.slice().forEach(function (fn) {
      try { fn(message); } catch (err) { setTimeout(function () { throw err; }); }
    });
  }
  if (channel) channel.onmessage = function (event) { emitLocal(event.data); };
  function notify(message) {
    emitLocal(message);
    if (channel) channel.postMessage(message);
  }

  // ---- Scheduling: Background Sync and the retry timer ------------------------------------
  function registerSync() {
    try {
      if (inWorker) {
        if (self.registration && self.registration.sync) {
          return self.registration.sync.register(SYNC_TAG).catch(function () {});
        }
      } else if (typeof SyncManager !== 'undefined' && navigator.serviceWorker &&
                 navigator.serviceWorker.controller) {
        navigator.serviceWorker.ready.then(function (reg) {
          return reg.sync && reg.sync.register(SYNC_TAG);
        }).catch(function () {});
      }
    } catch (err) { /* Background Sync is only an extra trigger */ }
    return Promise.resolve();
  }

  function isOnline() {
    return typeof navigator === 'undefined' || navigator.onLine !== false;
  }

  var retryTimer = null;
  var retryAt = 0;
  // Pages keep one timer for the next retry; the worker relies on sync's own retries.
  function scheduleRetry(delay) {
    if (inWorker || typeof setTimeout === 'undefined') return;
    var at = Date.now() + delay;
    if (retryTimer && retryAt <= at) return;
    clearTimeout(retryTimer);
    retryAt = at;
    retryTimer = setTimeout(function () { retryTimer = null; deliverAll(); }, delay);
  }

  function backoff(attempts) {
    var delay = Math.min(MAX_DELAY, BASE_DELAY * Math.pow(2, Math.max(0, attempts - 1)));
    return Math.round(delay * (0.5 + Math.random() / 2));
  }

  function retryAfter(response) {
    var value = response.headers.get('Retry-After');
    if (!value) return 0;
    var seconds = Number(value);
    if (!isNaN(seconds)) return Math.max(0, seconds * 1000);
    var date = Date.parse(value);
    return isNaN(date) ? 0 : Math.max(0, date - Date.now());
  }

  // ---- Delivery ---------------------------------------------------------------------------
  function freshToken() {
    return fetchWithTimeout('/api/csrf', { credentials: 'same-origin', cache: 'no-store' })
      .then(function (response) {
        if (!response.ok) { var err = new Error('csrf ' + response.status); err.status = response.status; err.response = response; throw err; }
        return response.json();
      })
      .then(function (data) { return data.token; });
  }

  // Two kinds of entry: a report (POST /api/reports) and a victim's answer in a private-
  // replies mailbox (POST /api/mailbox/answers, static/js/mailbox/); both sealed, both
  // exactly once by their idempotency key, with the same retries.
  var isAnswer = function (entry) { return entry.kind === 'answer'; };

  function requestBody(entry) {
    if (isAnswer(entry)) {
      return {
        body: JSON.stringify({ secret: entry.secret, created_at: entry.created_at, message: entry.message }),
        headers: { 'Content-Type': 'application/json' },
      };
    }
    var meta = { created_at: entry.created_at, report: entry.report };
    if (entry.language) meta.language = entry.language; // the page's language, for officers
    if (entry.mailbox) meta.mailbox = entry.mailbox; // public key and secret hash, never the secret
    meta = JSON.stringify(meta);
    if (!entry.attachments || !entry.attachments.length) {
      return { body: meta, headers: { 'Content-Type': 'application/json' } };
    }
    var form = new FormData();
    form.append('meta', meta);
    entry.attachments.forEach(function (envelope, i) {
      form.append('attachment', new Blob([JSON.stringify(envelope)], { type: 'application/json' }),
                  'attachment-' + (i + 1) + '.json');
    });
    return { body: form, headers: {} };
  }

  function readJSON(response) {
    return response.json().catch(function () { return {}; });
  }

  function fetchWithTimeout(url, options) {
    if (typeof AbortController === 'undefined') return fetch(url, options);
    var controller = new AbortController();
    // Aborting after the response has been read is a no-op, so the timer is left to run out.
    setTimeout(function () { controller.abort(); }, REQUEST_TIMEOUT);
    options.signal = controller.signal;
    return fetch(url, options);
  }

  // One attempt: resolves with {outcome: 'sent'|'retry'|'final', ...}. Network errors are
  // 'retry' with no server-given delay.
  function attempt(entry, csrfRetries) {
    return freshToken().then(function (token) {
      var req = requestBody(entry);
      req.headers['Idempotency-Key'] = entry.id;
      req.headers['X-CSRFToken'] = token;
      // A refusal's message in the language the report was written in (pwa/i18n.py).
      if (entry.language) req.headers['Accept-Language'] = entry.language;
      return fetchWithTimeout(isAnswer(entry) ? '/api/mailbox/answers' : '/api/reports', {
        method: 'POST', credentials: 'same-origin', cache: 'no-store',
        headers: req.headers, body: req.body,
      });
    }).then(function (response) {
      return readJSON(response).then(function (data) {
        var error = (data && data.error) || {};
        var status = response.status;
        if (status === 200 || status === 201) return { outcome: 'sent', data: data };
        if (status === 403 && error.code === 'csrf_failed' && csrfRetries > 0) {
          return attempt(entry, csrfRetries - 1);
        }
        if (status >= 500 || status === 429 || status === 409 || status === 403 || status === 408) {
          return { outcome: 'retry', status: status, delay: retryAfter(response) };
        }
        return {
          outcome: 'final',
          error: {
            status: status, code: error.code || 'rejected', field: error.field || null,
            step: error.step || null,
            message: error.message || 'The report could not be sent (error ' + status + ').',
          },
        };
      });
    }, function (err) {
      // The CSRF endpoint answering an error status is the server's fault, not the network's.
      if (err && err.response) {
        return { outcome: 'retry', status: err.status, delay: retryAfter(err.response) };
      }
      return { outcome: 'retry', status: 0, delay: 0 };
    });
  }

  function markSent(entry, data) {
    if (isAnswer(entry)) {
      return withStores(['outbox'], 'readwrite', function (outbox) { outbox.delete(entry.id); })
        .then(function () {
          notify({ type: 'sent', kind: 'answer', id: entry.id, sent_at: data.received_at });
          return 'sent';
        });
    }
    var record = { reference: data.reference, sent_at: data.received_at || new Date().toISOString() };
    return withStores(['outbox', 'sent'], 'readwrite', function (outbox, sent) {
      outbox.delete(entry.id);
      sent.put(record);
    }).then(function () {
      notify({ type: 'sent', id: entry.id, reference: record.reference, sent_at: record.sent_at });
      return 'sent';
    });
  }

  // Keep the entry; note what happened (no content, just counters and the server's message).
  function update(id, changes) {
    return withStores(['outbox'], 'readwrite', function (outbox) {
      var request = outbox.get(id);
      request.onsuccess = function () {
        if (request.result) outbox.put(Object.assign(request.result, changes));
      };
    });
  }

  function withLock(name, fn) {
    var locks = typeof navigator !== 'undefined' && navigator.locks;
    if (!locks) return fn(true);
    // ifAvailable: if someone else is sending this entry, leave it to them.
    return locks.request(name, { ifAvailable: true }, function (lock) { return fn(!!lock); });
  }

  function deliverOne(id) {
    return withLock('sx-outbox:' + id, function (held) {
      if (!held) {
        // Another tab or the worker is sending it. If that attempt fails, nobody may be left
        // to retry (the worker only retries on the next sync), so look again later.
        scheduleRetry(BASE_DELAY);
        return 'busy';
      }
      // Read again under the lock: another tab or the worker may have sent it meanwhile.
      return get('outbox', id).then(function (entry) {
        if (!entry) return 'gone';
        if (entry.status === 'attention') return 'attention';
        var wait = (entry.not_before || 0) - Date.now();
        if (wait > 0) { scheduleRetry(wait); return 'waiting'; }
        notify({ type: 'sending', id: id });
        return attempt(entry, 1).then(function (result) {
          if (result.outcome === 'sent') return markSent(entry, result.data);
          var attempts = (entry.attempts || 0) + 1;
          if (result.outcome === 'final') {
            return update(id, { status: 'attention', error: result.error, attempts: attempts })
              .then(function () {
                notify({ type: 'failed', id: id, error: result.error });
                return 'failed';
              });
          }
          var delay = Math.max(result.delay, backoff(attempts));
          // A network failure waits for `online` (or the timer); a server answer sets a time
          // before which no context should try again.
          var changes = { attempts: attempts, not_before: result.status ? Date.now() + delay : 0 };
          return update(id, changes).then(function () {
            scheduleRetry(delay);
            notify({ type: 'retry', id: id, status: result.status, delay: delay });
            return 'retry';
          });
        });
      });
    });
  }

  var running = null;
  var again = false;
  // Try every entry once. Calls while a round runs are folded into one more round after it.
  function deliverAll() {
    if (running) { again = true; return running; }
    if (!isOnline()) return Promise.resolve({ pending: true });
    running = withStores(['outbox'], 'readonly', function (s) { return s.getAllKeys(); })
      .then(function (ids) {
        var results = {};
        return (ids || []).reduce(function (chain, id) {
          return chain.then(function () {
            return deliverOne(id).then(function (r) { results[id] = r; });
          });
        }, Promise.resolve()).then(function () { return results; });
      })
      .then(function (results) {
        running = null;
        if (again) { again = false; return deliverAll(); }
        return results;
      }, function (err) {
        running = null;
        again = false;
        throw err;
      });
    return running;
  }

  // ---- The outbox's public face -----------------------------------------------------------
  function requestPersistence() {
    try {
      if (!inWorker && navigator.storage && navigator.storage.persist) {
        return navigator.storage.persist().catch(function () { return false; });
      }
    } catch (err) { /* not available */ }
    return Promise.resolve(false);
  }

  // entry: {id (idempotency key), created_at, report: envelope, attachments: [envelope]}.
  // Only sealed envelopes may come here. The draft goes: the outbox now holds the report.
  // An answer: {id, kind: 'answer', created_at, message: envelope, secret}; it leaves the
  // report's draft alone.
  function enqueue(entry) {
    var sealed = entry && (isAnswer(entry) ? entry.message : entry.report);
    if (!entry || !entry.id || !sealed || !sealed.ct) {
      return Promise.reject(new Error('Only a sealed report can be queued.'));
    }
    var record = isAnswer(entry) ? {
      id: entry.id, kind: 'answer', created_at: entry.created_at, message: entry.message,
      secret: entry.secret, language: entry.language, status: 'queued', attempts: 0,
      not_before: 0, error: null,
    } : {
      id: entry.id, created_at: entry.created_at, report: entry.report, language: entry.language,
      attachments: entry.attachments || [], mailbox: entry.mailbox, status: 'queued',
      attempts: 0, not_before: 0, error: null,
    };
    return withStores(['outbox', 'drafts', 'keys'], 'readwrite', function (outbox, drafts, keys) {
      outbox.put(record);
      if (isAnswer(record)) return;
      drafts.clear();
      keys.delete(DRAFT_KEY_ID);
    }).then(function () {
      requestPersistence();
      registerSync();
      notify({ type: 'queued', id: record.id });
      deliverAll().catch(function () {});
      return record.id;
    });
  }

  // What a page may show: no envelopes, only the state of each report (answers are the
  // mailbox's to show).
  function list() {
    return getAll('outbox').then(function (entries) {
      return entries.filter(function (e) { return !isAnswer(e); }).map(function (e) {
        return { id: e.id, created_at: e.created_at, status: e.status, error: e.error, attempts: e.attempts };
      });
    });
  }

  function count() {
    return withStores(['outbox'], 'readonly', function (s) { return s.count(); });
  }

  function remove(id) {
    return withStores(['outbox'], 'readwrite', function (s) { s.delete(id); })
      .then(function () { notify({ type: 'removed', id: id }); });
  }

  function subscribe(fn) {
    listeners.push(fn);
    return function () { listeners = listeners.filter(function (f) { return f !== fn; }); };
  }

  // ---- Drafts, encrypted (answers in progress, only with consent) -----------------------
  var DRAFT_KEY_ID = 'drafts';

  // The drafts' key: made on the first save, non-extractable, deleted with the draft.
  function draftKey() {
    return get('keys', DRAFT_KEY_ID).then(function (found) {
      if (found) return found.key;
      return crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt'])
        .then(function (key) {
          // Two saves at once may both make one: the first stored wins.
          return withStores(['keys'], 'readwrite', function (s) {
            var request = s.get(DRAFT_KEY_ID);
            request.onsuccess = function () {
              if (!request.result) s.put({ id: DRAFT_KEY_ID, key: key });
            };
          }).then(function () { return get('keys', DRAFT_KEY_ID); })
            .then(function (stored) { return stored.key; });
        });
    });
  }

  function encrypt(key, bytes) {
    var iv = crypto.getRandomValues(new Uint8Array(12));
    return crypto.subtle.encrypt({ name: 'AES-GCM', iv: iv }, key, bytes)
      .then(function (ct) { return { iv: iv, ct: ct }; });
  }
  function decrypt(key, box) {
    return crypto.subtle.decrypt({ name: 'AES-GCM', iv: box.iv }, key, box.ct);
  }

  // draft: {key, answers, step, files: [File]}. Stored: {id, saved_at, meta: box, files: [box]}
  // where meta holds everything but the files' bytes (their names and types included).
  function saveDraft(draft) {
    var files = draft.files || [];
    var meta = {
      key: draft.key, answers: draft.answers, step: draft.step,
      files: files.map(function (f) { return { name: f.name, type: f.type, lastModified: f.lastModified }; }),
    };
    return draftKey().then(function (key) {
      return Promise.all([
        encrypt(key, new TextEncoder().encode(JSON.stringify(meta))),
        Promise.all(files.map(function (f) {
          return f.arrayBuffer().then(function (bytes) { return encrypt(key, bytes); });
        })),
      ]);
    }).then(function (boxes) {
      return withStores(['drafts'], 'readwrite', function (s) {
        s.put({ id: 'current', saved_at: new Date().toISOString(), meta: boxes[0], files: boxes[1] });
      });
    });
  }

  // The draft as saved, or undefined (none, or its key is gone: unreadable, so none).
  function loadDraft() {
    return Promise.all([get('drafts', 'current'), get('keys', DRAFT_KEY_ID)]).then(function (found) {
      var record = found[0];
      var stored = found[1];
      if (!record || !record.meta || !stored) return undefined;
      return Promise.all([
        decrypt(stored.key, record.meta),
        Promise.all((record.files || []).map(function (box) { return decrypt(stored.key, box); })),
      ]).then(function (plain) {
        var meta = JSON.parse(new TextDecoder().decode(plain[0]));
        var files = meta.files.map(function (f, i) {
          return new File([plain[1][i]], f.name, { type: f.type, lastModified: f.lastModified });
        });
        return { key: meta.key, answers: meta.answers, step: meta.step, files: files, saved_at: record.saved_at };
      });
    });
  }

  // The draft and its key go together: what lingers of the draft cannot be opened.
  function discardDraft() {
    return withStores(['drafts', 'keys'], 'readwrite', function (drafts, keys) {
      drafts.clear();
      keys.delete(DRAFT_KEY_ID);
    });
  }

  globalThis.sxOutbox = {
    SYNC_TAG: SYNC_TAG,
    enqueue: enqueue,
    deliverAll: deliverAll,
    count: count,
    list: list,
    remove: remove,
    sent: function () { return getAll('sent'); },
    subscribe: subscribe,
    registerSync: registerSync,
    drafts: { save: saveDraft, load: loadDraft, discard: discardDraft },
  };

  // A page's triggers (start, `online`, shown again) are static/js/outbox-triggers.js, a
  // module; the worker's trigger, Background Sync, is here, since only this file runs there.
  // In the service worker: deliver when Background Sync fires. A rejected promise asks the
  // browser to fire the sync again later, so reject while something retryable is left.
  if (inWorker) {
    self.addEventListener('sync', function (event) {
      if (event.tag !== SYNC_TAG) return;
      event.waitUntil(deliverAll().then(function (results) {
        var left = !results || results.pending || Object.keys(results).some(function (id) {
          return results[id] === 'retry' || results[id] === 'waiting';
        });
        if (left) throw new Error('outbox: some reports wait for a retry');
      }));
    });
  }
})();
