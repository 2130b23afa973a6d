// The GOV.UK error pattern on the device: the summary at the top (focused, its links focus
// their field without a history entry) and each message beside its field.

export function errorSummary(form) {
  const summary = form.querySelector('[data-error-summary]');
  const list = summary.querySelector('[data-error-summary-list]');

  function clear() {
    summary.hidden = true;
    list.replaceChildren();
    for (const p of form.querySelectorAll('[data-report-error]')) {
      p.hidden = true;
      p.querySelector('[data-report-error-text]').textContent = '';
      const name = p.dataset.reportError;
      form.querySelector(`[data-report-field="${name}"]`)?.classList.remove('form-group--error');
      const control = document.getElementById(name);
      if (control) {
        control.classList.remove('input--error');
        const ids = (control.getAttribute('aria-describedby') || '').split(' ').filter((id) => id && id !== `${name}-error`);
        if (ids.length) control.setAttribute('aria-describedby', ids.join(' '));
        else control.removeAttribute('aria-describedby');
      }
    }
  }

  // errors: [{field, message}]
  function show(errors) {
    clear();
    for (const { field, message } of errors) {
      const link = document.createElement('a');
      link.href = `#${field}`;
      link.dataset.errorFor = field;
      link.textContent = message;
      const item = document.createElement('li');
      item.append(link);
      list.append(item);
      const p = form.querySelector(`[data-report-error="${field}"]`);
      if (p) {
        p.hidden = false;
        p.querySelector('[data-report-error-text]').textContent = message;
      }
      form.querySelector(`[data-report-field="${field}"]`)?.classList.add('form-group--error');
      const control = document.getElementById(field);
      if (control && p) {
        if (/^(INPUT|TEXTAREA|SELECT)$/.test(control.tagName) && control.type !== 'radio' && control.type !== 'checkbox') {
          control.classList.add('input--error');
        }
        const target = control.closest('fieldset') && (control.type === 'radio' || control.type === 'checkbox')
          ? control.closest('fieldset') : control;
        const ids = (target.getAttribute('aria-describedby') || '').split(' ').filter(Boolean);
        if (!ids.includes(`${field}-error`)) target.setAttribute('aria-describedby', [...ids, `${field}-error`].join(' '));
      }
    }
    summary.hidden = false;
    summary.focus();
  }

  summary.addEventListener('click', (event) => {
    const link = event.target.closest('a[data-error-for]');
    if (!link) return;
    event.preventDefault();
    document.getElementById(link.dataset.errorFor)?.focus();
  });

  return { show, clear };
}
