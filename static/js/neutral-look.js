// The neutral look: a plain name, icon and page titles, chosen on this device before
// installing ("Install with a plain name and icon", templates/partials/install.html).
//
// The choice is kept in localStorage under "sx:neutral-look" (so "Remove this app's data"
// removes it with everything else). In that look every page links the neutral manifest
// (same id and start_url: one app), the plain icons and the neutral title; base.html names
// each replacement in a data-neutral-* attribute, so nothing here knows the force's words.
// With the force's `plain_first_screen` on, the installed app opens on a plain page (/notes)
// with a quiet way in.

export const KEY = 'sx:neutral-look';
const LAUNCHED = 'sx:launched';
const PLAIN_SCREEN = '/notes';

const root = document.documentElement;

function stored() {
  try {
    return localStorage.getItem(KEY) === 'on';
  } catch {
    return false; // storage blocked: the ordinary look
  }
}

function standalone() {
  return ['standalone', 'fullscreen', 'minimal-ui'].some(
    (mode) => window.matchMedia(`(display-mode: ${mode})`).matches) || navigator.standalone === true;
}

// Swap each marked attribute between the page's own value and the neutral one.
function swap(selector, attribute, neutral) {
  const data = `neutral${attribute[0].toUpperCase()}${attribute.slice(1)}`; // neutralHref
  const own = `own${attribute[0].toUpperCase()}${attribute.slice(1)}`;
  for (const el of document.querySelectorAll(selector)) {
    if (!(own in el.dataset)) el.dataset[own] = el.getAttribute(attribute);
    el.setAttribute(attribute, neutral ? el.dataset[data] : el.dataset[own]);
  }
}

let ownTitle = null;

export function apply(neutral) {
  swap('[data-neutral-href]', 'href', neutral);
  swap('[data-neutral-content]', 'content', neutral);
  const title = document.querySelector('title[data-neutral-title]');
  if (title) {
    if (ownTitle === null) ownTitle = document.title;
    // A form page with errors keeps saying so first (screen readers read the title).
    const prefix = ownTitle.startsWith('Error: ') ? 'Error: ' : '';
    document.title = neutral ? prefix + title.dataset.neutralTitle : ownTitle;
  }
  root.toggleAttribute('data-neutral-look', neutral);
}

export function choose(neutral) {
  try {
    if (neutral) localStorage.setItem(KEY, 'on');
    else localStorage.removeItem(KEY);
  } catch { /* storage blocked: the choice lasts for this page only */ }
  apply(neutral);
}

function start() {
  const neutral = stored();
  if (neutral) apply(true);

  // The plain first screen: once per launch of the installed app, on its start page.
  if (neutral && standalone() && root.hasAttribute('data-plain-first-screen')) {
    let first = false;
    try {
      first = !sessionStorage.getItem(LAUNCHED);
      sessionStorage.setItem(LAUNCHED, '1');
    } catch { /* no session storage: never redirect, the ordinary start page is safe */ }
    if (first && location.pathname === '/') {
      root.classList.add('sx-exiting'); // show nothing of this page on the way
      location.replace(PLAIN_SCREEN);
      return;
    }
  }

  const box = document.querySelector('[data-neutral-look-choice]');
  if (box) {
    box.checked = neutral;
    box.addEventListener('change', () => choose(box.checked));
  }
}

start();
