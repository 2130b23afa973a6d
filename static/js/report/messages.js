// The form's own words in the page's language, delivered with the page (data-messages on the
// form, from templates/report/start.html): no build step and no extra request, so they work
// offline too. {name} placeholders are filled in here; English if a message is missing.
const form = document.querySelector('[data-report-form]');

const table = (() => {
  try {
    return JSON.parse((form && form.dataset.messages) || '{}');
  } catch {
    return {};
  }
})();

export function t(key, fallback, values = {}) {
  return (table[key] || fallback)
    .replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));
}

// The page's language: its code (sent with the report) and its tag (for dates).
export const pageLanguage = () => document.documentElement.dataset.lang || 'en';
export const pageLocale = () => document.documentElement.lang || 'en-GB';
