// First visit: explain the quick exit once. The explanation is in every page, hidden; it is
// shown unless this device has dismissed it. Pages are cached whole, so the state lives in
// localStorage, never on the server.

const KEY = 'sx:exit-intro-dismissed';
const intro = document.querySelector('[data-exit-intro]');

function dismissed() {
  try {
    return localStorage.getItem(KEY) !== null;
  } catch {
    return false; // storage blocked: show it; dismissing then hides it for this page only
  }
}

function remember() {
  try {
    localStorage.setItem(KEY, new Date().toISOString().slice(0, 10));
  } catch {
    // nothing to do: it will be shown again on the next page
  }
}

if (intro && !dismissed()) {
  intro.hidden = false;
  const button = intro.querySelector('[data-exit-intro-dismiss]');
  button.addEventListener('click', () => {
    remember();
    intro.hidden = true;
    // The button is gone: give focus to the start of the page's content, not to <body>,
    // without scrolling the page away from where the reader is.
    const main = document.getElementById('main');
    if (main) main.focus({preventScroll: true});
  });
}
