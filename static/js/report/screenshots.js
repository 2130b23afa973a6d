// The screenshots chosen on the evidence step: a preview list with a Remove button each.
// The files stay in memory (and in the encrypted draft only with consent).
import { el } from './dom.js';
import { t } from './messages.js';

export function screenshots(form, { get, set, check, errors, changed }) {
  const input = form.querySelector('input[type="file"]');
  const list = form.querySelector('[data-report-files]');
  let previews = [];

  function render() {
    previews.forEach((url) => URL.revokeObjectURL(url));
    const files = get();
    previews = files.map((file) => URL.createObjectURL(file));
    list.replaceChildren(...files.map((file, i) => el('li', { class: 'report-file' },
      el('img', { src: previews[i], alt: '', class: 'report-file__preview' }),
      `${file.name} (${Math.ceil(file.size / 1024)} KB) `,
      el('button', { type: 'button', class: 'button button--secondary button--small', 'data-remove-file': String(i) },
        t('remove', 'Remove'), el('span', { class: 'visually-hidden' }, ` ${file.name}`)))));
    list.hidden = !files.length;
  }

  input?.addEventListener('change', () => {
    const chosen = [...input.files];
    input.value = '';
    const all = [...get(), ...chosen];
    const problems = check(all);
    if (problems.length) {
      errors.show(problems);
      return;
    }
    errors.clear();
    set(all);
    render();
    changed();
  });
  list?.addEventListener('click', (event) => {
    const button = event.target.closest('[data-remove-file]');
    if (!button) return;
    set(get().filter((_, i) => i !== Number(button.dataset.removeFile)));
    render();
    input.focus();
    changed();
  });

  return { render, input };
}
