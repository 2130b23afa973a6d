// The "sent" step of the device's report form offers next steps for what the person said:
// under 18 → Report Remove and Take It Down; paid → what to ask the bank. It reads the
// answers still on the form when the step is shown (the form keeps them until "Start a new
// report"), so it needs nothing from the form's own module and stores nothing.
const form = document.querySelector('[data-report-form]');
const sent = form?.querySelector('[data-report-step="sent"]');

function update() {
  const youngValues = JSON.parse(sent.querySelector('[data-report-under-18]')?.getAttribute('data-report-under-18') || '[]');
  const value = (name) => (form.elements[name] ? form.elements[name].value : '');
  const show = {
    'under-18': !sent.hidden && youngValues.includes(value('age_band')),
    paid: !sent.hidden && value('paid') === 'yes',
  };
  for (const block of sent.querySelectorAll('[data-report-handoff]')) {
    block.hidden = !show[block.dataset.reportHandoff];
  }
}

if (sent) {
  new MutationObserver(update).observe(sent, { attributes: true, attributeFilter: ['hidden'] });
  // "Start a new report" clears the form: the next steps go with it.
  form.addEventListener('reset', () => queueMicrotask(update));
  update();
}
