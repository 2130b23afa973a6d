// The install box (templates/partials/install.html): an "Install app" button where the
// browser offers installing, Add-to-Home-Screen steps on iOS Safari, nothing once installed.
const box = document.querySelector('[data-install]');

const installed = () => window.matchMedia('(display-mode: standalone)').matches
  || navigator.standalone === true;

function isIosSafari() {
  const ua = navigator.userAgent;
  const ios = /iPhone|iPad|iPod/.test(ua)
    || (navigator.platform === 'MacIntel' && navigator.maxTouchPoints > 1); // iPadOS
  return ios && /Safari/.test(ua) && !/CriOS|FxiOS|EdgiOS|OPiOS/.test(ua);
}

// Ask the browser not to evict what the app keeps (the offline pages and queued reports).
function protectStorage() {
  if (navigator.storage && navigator.storage.persist) navigator.storage.persist().catch(() => {});
}

function start() {
  if (!box || installed()) return;
  const prompt = box.querySelector('[data-install-prompt]');
  const ios = box.querySelector('[data-install-ios]');
  let offer = null;

  window.addEventListener('beforeinstallprompt', (event) => {
    event.preventDefault(); // our button instead of the browser's own banner
    offer = event;
    box.hidden = false;
    prompt.hidden = false;
  });
  box.querySelector('[data-install-button]').addEventListener('click', async () => {
    if (!offer) return;
    const event = offer;
    offer = null;
    prompt.hidden = true;
    box.hidden = ios.hidden; // the browser fires beforeinstallprompt again if it can re-offer
    await event.prompt();
  });
  window.addEventListener('appinstalled', () => {
    box.hidden = true;
    protectStorage();
  });
  if (isIosSafari()) {
    box.hidden = false;
    ios.hidden = false;
  }
}

start();
