// A page that opens with an error summary (a failed officer sign-in, a no-JS report step
// after a mistake) moves focus to it, as the device's report form does: a screen reader
// reads the problem first and the keyboard starts from its links. Started from a data
// attribute, like every component here.
const summary = document.querySelector('[data-error-summary-focus]');
if (summary && !summary.hidden) summary.focus();
