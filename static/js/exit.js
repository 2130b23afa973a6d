// Quick exit: hide everything at once, then swap this page for a neutral site.
//
// Started from the `[data-quick-exit]` link in base.html. Triggers: a tap or click, Escape
// (unless the force turned it off: data-exit-escape="off") and Shift pressed three times
// within a few seconds, as on GOV.UK's "Exit this page" (5 s; data-exit-shift-window="ms" on
// the link changes it). On a trigger, in the same task and
// before any navigation, <html> gets the class that app.css turns into a blank cover and the
// tab title becomes neutral; then location.replace() leaves without adding a history entry.
// No referrer is sent (Referrer-Policy: same-origin). Nothing stored is deleted: a report
// waiting in the outbox survives an exit.
//
// In the installed app (display mode standalone) a navigation to the neutral site would stay
// in the app's own window, under a thin browser bar (Android) or an in-app browser sheet that
// survives a relaunch (iOS), with the app still named in the app switcher. So there the exit
// covers and then closes the app window (Chrome on Android closes an installed app's window
// whose history has one entry, which nav.js keeps so); where closing is refused it still
// goes to the neutral site. Relaunching from the home screen then starts at the start page.
// And whenever the page is hidden (app switcher, another tab) the cover goes up first, so a
// thumbnail taken then shows nothing; it comes down when the page is shown again.

export const COVER_CLASS = 'sx-exiting';
const NEUTRAL_TITLE = 'Loading…'; // the page gives it in its language (data-exit-loading)
const SHIFT_PRESSES = 3;
const SHIFT_WINDOW_MS = 5000;
// How long the app window gets to close before the exit goes to the neutral site instead.
const CLOSE_WAIT_MS = 150;

const root = document.documentElement;
const link = document.querySelector('[data-quick-exit]');
const status = document.querySelector('[data-quick-exit-status]');
let ownTitle = document.title; // read again at each cover: the neutral look may change it

export function cover() {
  if (!root.classList.contains(COVER_CLASS)) ownTitle = document.title;
  root.classList.add(COVER_CLASS);
  document.title = (link && link.dataset.exitLoading) || NEUTRAL_TITLE;
}

function uncover() {
  root.classList.remove(COVER_CLASS);
  document.title = ownTitle;
}

export function inAppWindow() {
  return ['standalone', 'fullscreen', 'minimal-ui'].some(
    (mode) => window.matchMedia(`(display-mode: ${mode})`).matches) || navigator.standalone === true;
}

let leaving = false;

export function quickExit() {
  cover();
  if (leaving) return;
  leaving = true;
  const away = () => location.replace(link ? link.href : 'about:blank');
  if (inAppWindow()) {
    window.close();
    setTimeout(away, CLOSE_WAIT_MS); // still here: closing was refused
    return;
  }
  away();
}

function say(message) {
  if (status) status.textContent = message;
}

// Shift three times: count a press only when Shift goes down on its own (not auto-repeat);
// any other key in between (Shift+Tab, typing a capital) starts the count again.
let presses = 0;
let timer = 0;

function resetShift(message = '') {
  presses = 0;
  clearTimeout(timer);
  say(message);
}

function shiftWindow() {
  const ms = Number(link && link.dataset.exitShiftWindow);
  return ms > 0 ? ms : SHIFT_WINDOW_MS;
}

function onKeydown(event) {
  if (event.isComposing) return;
  if (event.key === 'Shift') {
    if (event.repeat) return;
    presses += 1;
    if (presses >= SHIFT_PRESSES) {
      resetShift();
      quickExit();
      return;
    }
    if (presses === 1) timer = setTimeout(() => resetShift(), shiftWindow());
    const left = SHIFT_PRESSES - presses;
    // The words come with the page, in its language (base.html: data-exit-left-one/-two).
    const words = link && link.dataset[left === 1 ? 'exitLeftOne' : 'exitLeftTwo'];
    say(words || `Press Shift ${left} more ${left === 1 ? 'time' : 'times'} to leave this site`);
    return;
  }
  if (presses) resetShift();
  if (event.key === 'Escape' || event.key === 'Esc') {
    // A dialog or widget that used Escape to close itself keeps it.
    if (event.defaultPrevented || document.querySelector('dialog[open]')) return;
    if (link && link.dataset.exitEscape === 'off') return;
    quickExit();
  }
}

function onClick(event) {
  event.preventDefault();
  quickExit();
}

// Going into the back/forward cache: put the cover up first, so a page the browser brings
// back shows nothing of ours. A restored page then leaves as if the exit had been used,
// because we cannot tell who pressed Back. (Spec: pagehide and pageshow come in pairs and
// persisted is true only for that cache, so switching apps or tabs does not trigger this.)
let inBfcache = false;

function onPagehide(event) {
  if (event.persisted) {
    inBfcache = true;
    cover();
  }
}

function onPageshow(event) {
  if (event.persisted) quickExit();
  else if (!leaving && root.classList.contains(COVER_CLASS)) uncover();
}

// Hidden (app switcher, home screen, another tab): cover first; shown again: uncover. A page
// coming back from the back/forward cache is shown before its pageshow: it stays covered.
function onVisibilitychange() {
  if (document.visibilityState === 'hidden') cover();
  else if (!leaving && !inBfcache) uncover();
}

if (link) {
  link.addEventListener('click', onClick);
  document.addEventListener('keydown', onKeydown);
  window.addEventListener('pagehide', onPagehide);
  window.addEventListener('pageshow', onPageshow);
  document.addEventListener('visibilitychange', onVisibilitychange);
}
