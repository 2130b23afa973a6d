// Loaded on every page: reports waiting on this phone are sent on app start, when the
// connection comes back and when the page is shown again (see outbox-core.js).
import './outbox-core.js';

globalThis.sxOutbox.start();
