/* The service worker: every advice page, the helplines and the report form, offline.
 *
 * Plain JavaScript, no build step. pwa/offline_app serves it at /sw.js (root scope) and
 * replaces the CONFIG line with the version, the precache list (built from the app: pages,
 * manifest, static files, each versioned by a hash of its content) and the scripts other
 * features run in the worker. Any content change changes these bytes, so the browser
 * installs a new version. README: "Offline and install".
 */
'use strict';

const CONFIG = {"version": "dev", "precache": [], "scripts": [], "languages": ["en"]};

// Other features' classic scripts (the report outbox and its `sync` listener). They must
// be imported at top level, during the worker's first evaluation.
if (CONFIG.scripts.length) importScripts(...CONFIG.scripts);

const PREFIX = 'sx-precache-';
const CACHE = PREFIX + CONFIG.version;
const NETWORK_TIMEOUT_MS = 3000; // then a cached page wins: a weak signal is not a wait
const OFFLINE_PAGE = '/offline';
const REPORT_PAGE = '/report/';
const NEVER_CACHED = ['/api/', '/officers/']; // not intercepted at all
// Languages: English pages are at /…, the others under /<code>/… (pwa/i18n.py). The worker
// keeps English and every language this device has read a page in (the pages say which;
// kept in the cache under LANGUAGES_KEY, so a new version keeps them too).
const DEFAULT_LANGUAGE = CONFIG.languages[0] || 'en';
const LANGUAGES_KEY = new URL('/__sx/languages', self.location.origin).href;

const absolute = (path) => new URL(path, self.location.origin).href;

// The cache key of each listed URL. A static file's URL already carries its content hash;
// a page's key adds its revision, so an unchanged page is copied from the previous
// version's cache at install instead of being downloaded again.
function cacheKey(entry) {
  const url = new URL(entry.url, self.location.origin);
  if (entry.revision) url.searchParams.set('__sx', entry.revision);
  return url.href;
}
const KEYS = new Map(CONFIG.precache.map((entry) => [absolute(entry.url), cacheKey(entry)]));
// A static file by its path alone: what ES modules import (`import './report/rules.js'` from
// a versioned module URL drops the `?v=`). Offline it is this version's kept copy.
const STATIC_BY_PATH = new Map(CONFIG.precache
  .filter((entry) => entry.url.startsWith('/static/') && entry.url.includes('?v='))
  .map((entry) => [absolute(entry.url.split('?')[0]), cacheKey(entry)]));

// The language of a path: its first segment when that is an offered language's code.
function languageOf(pathname) {
  const first = pathname.split('/')[1];
  return first !== DEFAULT_LANGUAGE && CONFIG.languages.includes(first) ? first : DEFAULT_LANGUAGE;
}
const inLanguage = (lang, path) => (lang === DEFAULT_LANGUAGE ? path : `/${lang}${path}`);
const withoutLanguage = (pathname) => {
  const lang = languageOf(pathname);
  return lang === DEFAULT_LANGUAGE ? pathname : pathname.slice(lang.length + 1) || '/';
};

async function keptLanguages(cache) {
  const response = (await cache.match(LANGUAGES_KEY)) || (await caches.match(LANGUAGES_KEY));
  const kept = response ? await response.json().catch(() => []) : [];
  return [DEFAULT_LANGUAGE, ...kept.filter((lang) => CONFIG.languages.includes(lang))];
}

const noStore = (response) => /no-store/.test(response.headers.get('Cache-Control') || '');

// A redirected response cannot answer a navigation; keep only its body and headers.
const clean = (response) => (response.redirected ? new Response(response.body, response) : response);

// Keep every listed entry of these languages (and what all languages share).
async function precache(extra = []) {
  const cache = await caches.open(CACHE);
  const languages = [...new Set([...(await keptLanguages(cache)), ...extra])];
  const wanted = CONFIG.precache.filter((entry) => !entry.lang || languages.includes(entry.lang));
  await Promise.all(wanted.map(async (entry) => {
    const key = cacheKey(entry);
    if (await cache.match(key)) return;
    const previous = await caches.match(key); // the same revision, kept by an older version
    if (previous) return cache.put(key, previous);
    // Pages bypass the HTTP cache; a hashed file in it is the right content by definition.
    const response = await fetch(entry.url, {
      cache: entry.revision ? 'reload' : 'default', credentials: 'same-origin',
    });
    if (!response.ok) throw new Error(`precache: ${entry.url} answered ${response.status}`);
    return cache.put(key, clean(response));
  }));
  await cache.put(LANGUAGES_KEY, new Response(JSON.stringify(languages.slice(1)), {
    headers: { 'Content-Type': 'application/json' },
  }));
}

// A page in another language was opened (sw-register.js says so): keep that language too.
let adding = Promise.resolve();
function addLanguage(lang) {
  if (!CONFIG.languages.includes(lang) || lang === DEFAULT_LANGUAGE) return adding;
  adding = adding.then(async () => {
    const cache = await caches.open(CACHE);
    if ((await keptLanguages(cache)).includes(lang)) return;
    await precache([lang]);
  }).catch(() => {}); // offline now: the next page opened online asks again
  return adding;
}

async function removeOldVersions() {
  for (const name of await caches.keys()) {
    if (name.startsWith(PREFIX) && name !== CACHE) await caches.delete(name);
  }
  const cache = await caches.open(CACHE);
  const listed = new Set([...KEYS.values(), LANGUAGES_KEY]);
  for (const request of await cache.keys()) {
    if (!listed.has(request.url)) await cache.delete(request);
  }
}

self.addEventListener('install', (event) => {
  event.waitUntil(precache());
});

self.addEventListener('activate', (event) => {
  // Claim: the first visit's page works offline without a reload. An update only gets
  // here when the person tapped "Update now", at a navigation, or with every tab closed.
  event.waitUntil(removeOldVersions().then(() => self.clients.claim()));
});

self.addEventListener('message', (event) => {
  if (event.data && event.data.type === 'SKIP_WAITING') self.skipWaiting();
  if (event.data && event.data.type === 'LANGUAGE') event.waitUntil(addLanguage(event.data.lang));
});

async function cached(key) {
  if (!key) return undefined;
  const cache = await caches.open(CACHE);
  return cache.match(key);
}

// Keep a fresh copy of a listed URL, unless it is per-visitor (no-store: a CSRF token).
async function store(key, response) {
  if (!key || !response.ok || response.redirected || noStore(response)) return;
  const cache = await caches.open(CACHE);
  await cache.put(key, response);
}

// The offline page (or report form) in the page's language, else in English.
async function keptIn(lang, path) {
  return (await cached(KEYS.get(absolute(inLanguage(lang, path)))))
    || cached(KEYS.get(absolute(path)));
}

async function offlineFallback(url) {
  const lang = languageOf(url.pathname);
  if (withoutLanguage(url.pathname).startsWith(REPORT_PAGE)) {
    const report = await keptIn(lang, REPORT_PAGE);
    if (report) return report;
  }
  return (await keptIn(lang, OFFLINE_PAGE)) || Response.error();
}

// A waiting version takes over at a navigation, unless a tab is in the report form:
// never in the middle of a report. The page being opened comes from the network either way.
async function promoteWaitingVersion() {
  const waiting = self.registration.waiting;
  if (!waiting) return;
  const windows = await self.clients.matchAll({ type: 'window' });
  const inReport = (client) => withoutLanguage(new URL(client.url).pathname).startsWith(REPORT_PAGE);
  if (windows.some(inReport)) return;
  waiting.postMessage({ type: 'SKIP_WAITING' });
}

const timeout = (ms) => new Promise((resolve) => setTimeout(resolve, ms, 'timeout'));

// Network first with a short timeout: fresh online, the cached copy when the network is
// slow or absent, the offline page (with the helplines) for anything not kept.
async function navigate(event, url) {
  const exactKey = KEYS.get(url.href);
  const page = new URL(url.href);
  page.search = '';
  const key = exactKey || KEYS.get(page.href); // ?anything still finds the page offline
  const network = fetch(event.request);
  // Registered first, so it clones the response before the page reads it; it also keeps
  // the worker alive to finish the download when the cached copy answered first.
  event.waitUntil(network
    .then((response) => store(exactKey, response.clone()))
    .catch(() => null)
    .then(() => (withoutLanguage(url.pathname).startsWith(REPORT_PAGE)
      ? null : promoteWaitingVersion())));
  const copy = cached(key);
  try {
    const first = await Promise.race([network, timeout(NETWORK_TIMEOUT_MS)]);
    if (first === 'timeout') return (await copy) || (await network);
    if (first.status >= 500) return (await copy) || first;
    return first;
  } catch (err) {
    return (await copy) || offlineFallback(url);
  }
}

// Hashed static files never change under a URL: the cache answers, the network fills gaps.
async function cacheFirst(request, key) {
  const hit = await cached(key);
  if (hit) return hit;
  const response = await fetch(request);
  await store(key, response.clone());
  return response;
}

// Other listed files (the manifest): fresh when possible, the kept copy offline.
async function networkFirst(request, key) {
  try {
    const response = await fetch(request);
    await store(key, response.clone());
    return response;
  } catch (err) {
    return (await cached(key)) || Response.error();
  }
}

// A module imported by path: the server's current file online (it revalidates, `no-cache`),
// this version's kept copy offline. Never stored: the kept copy is the versioned one.
async function networkElseKept(request, key) {
  try {
    return await fetch(request);
  } catch (err) {
    return (await cached(key)) || Response.error();
  }
}

// A form sent with no connection (the no-JavaScript report form): the offline page, with
// the helplines, instead of the browser's error; Back still has what was typed.
async function sendForm(request) {
  try {
    return await fetch(request);
  } catch (err) {
    return (await keptIn(languageOf(new URL(request.url).pathname), OFFLINE_PAGE))
      || Response.error();
  }
}

self.addEventListener('fetch', (event) => {
  const { request } = event;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (NEVER_CACHED.some((prefix) => url.pathname.startsWith(prefix))) return;
  if (request.method !== 'GET') {
    if (request.mode === 'navigate') event.respondWith(sendForm(request));
    return;
  }
  if (request.mode === 'navigate') {
    event.respondWith(navigate(event, url));
    return;
  }
  if (url.pathname.startsWith('/static/') && !url.search && STATIC_BY_PATH.has(url.href)) {
    event.respondWith(networkElseKept(request, STATIC_BY_PATH.get(url.href)));
    return;
  }
  const key = KEYS.get(url.href);
  if (!key) return; // not ours to keep: the browser fetches it as usual
  if (url.pathname.startsWith('/static/') && url.searchParams.has('v')) {
    event.respondWith(cacheFirst(request, key));
  } else {
    event.respondWith(networkFirst(request, key));
  }
});
