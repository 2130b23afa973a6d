// The outbox for page modules. Its code is the classic script outbox-core.js (store,
// delivery, triggers), because the service worker loads it with importScripts and a worker
// script cannot be an ES module there; base.html runs it (defer) before any module, and it
// defines globalThis.sxOutbox. Page modules import it from here instead of the global.
export const outbox = globalThis.sxOutbox;
