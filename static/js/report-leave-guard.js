// Leaving the report form with answers not yet saved anywhere asks first. In the installed
// app Back leaves the app at once (its history has one entry, which nav.js keeps so), and a
// report being written would be gone without a word. Never asked: when the quick exit is
// leaving (it must not be slowed by a question), when the answers are saved on this phone
// ("Save my progress", a draft), or once the report is sent or waiting in the outbox.
const form = document.querySelector('[data-report-form]');

function unsavedAnswers() {
  const root = document.documentElement;
  if (root.classList.contains('sx-exiting')) return false;
  if (!root.hasAttribute('data-report-in-progress')) return false;
  if (form.querySelector('#save-progress')?.checked) return false;
  const sent = form.querySelector('[data-report-step="sent"]');
  return !sent || sent.hidden;
}

if (form) {
  window.addEventListener('beforeunload', (event) => {
    if (!unsavedAnswers()) return;
    event.preventDefault();
    event.returnValue = ''; // older browsers need a value to ask
  });
}
