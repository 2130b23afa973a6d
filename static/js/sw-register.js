// Registers the service worker (/sw.js) and says when a new version is ready. The new
// version takes over when the person taps "Update now" (then the page reloads) or at their
// next navigation (the worker sees to that); never while a report is in progress.
const notice = document.querySelector('[data-update-notice]');
const REPORT_FLAG = 'data-report-in-progress';

const inReport = () => document.documentElement.hasAttribute(REPORT_FLAG)
  || (document.body && document.body.hasAttribute(REPORT_FLAG));

let updateRequested = false;

function showNotice(registration) {
  if (!notice || notice.childElementCount) return;
  const text = document.createElement('p');
  // The words come with the page, in its language (base.html).
  text.textContent = notice.dataset.text || 'A new version is ready.';
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'button button--secondary';
  button.textContent = notice.dataset.button || 'Update now';
  button.addEventListener('click', () => {
    updateRequested = true;
    button.disabled = true;
    if (registration.waiting) registration.waiting.postMessage({ type: 'SKIP_WAITING' });
    else window.location.reload(); // another tab already switched over
  });
  notice.append(text, button);
}

function offerUpdate(registration) {
  // Only an update: on the first visit there is no controller and nothing to replace.
  if (!registration.waiting || !navigator.serviceWorker.controller) return;
  if (!inReport()) {
    showNotice(registration);
    return;
  }
  // In a report: wait until the report page says it is finished.
  const observer = new MutationObserver(() => {
    if (!inReport()) {
      observer.disconnect();
      offerUpdate(registration);
    }
  });
  for (const node of [document.documentElement, document.body]) {
    if (node) observer.observe(node, { attributes: true, attributeFilter: [REPORT_FLAG] });
  }
}

// Keep this page's language offline too (the worker keeps English and each language read).
async function keepLanguage() {
  const lang = document.documentElement.dataset.lang;
  if (!lang) return;
  const registration = await navigator.serviceWorker.ready;
  if (registration.active) registration.active.postMessage({ type: 'LANGUAGE', lang });
}

async function register() {
  const registration = await navigator.serviceWorker.register('/sw.js', {
    scope: '/', updateViaCache: 'none',
  });
  offerUpdate(registration);
  keepLanguage();
  registration.addEventListener('updatefound', () => {
    const worker = registration.installing;
    if (!worker) return;
    worker.addEventListener('statechange', () => {
      if (worker.state === 'installed') offerUpdate(registration);
    });
  });
  // An installed app can stay open for days: look for a new version when it comes back.
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') registration.update().catch(() => {});
  });
}

if ('serviceWorker' in navigator) {
  navigator.serviceWorker.addEventListener('controllerchange', () => {
    if (updateRequested && !inReport()) window.location.reload();
    // Taken over at a navigation (or by another tab): the notice has nothing left to offer.
    else if (notice) notice.replaceChildren();
  });
  // Without a worker the site still works online; nothing to tell the person.
  register().catch(() => {});
}
