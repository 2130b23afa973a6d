// The "sent" step of the device's report form offers next steps for what the person said:
// under 18 → Report Remove and Take It Down; paid → what to ask the bank. It reads the
// answers still on the form when the step is shown (the form keeps them until "Start a new
// report"), so it needs nothing from the form's own module and stores nothing.
const form = document.querySelector('[data-report-form]');
const sent = form?.querySelector('[data-report-step="sent"]');

// The form is reset as soon as the report is sealed (nothing typed stays in its fields), so
// the two facts this step needs are read when the reset starts: a `reset` event fires before
// the fields are cleared. Only these two booleans are kept, in memory.
let captured = null;

function facts() {
  const youngValues = JSON.parse(sent.querySelector('[data-report-under-18]')?.getAttribute('data-report-under-18') || '[]');
  const value = (name) => (form.elements[name] ? form.elements[name].value : '');
  return { young: youngValues.includes(value('age_band')), paid: value('paid') === 'yes' };
}

function update() {
  const now = captured || facts();
  const show = {
    'under-18': !sent.hidden && now.young,
    paid: !sent.hidden && now.paid,
  };
  for (const block of sent.querySelectorAll('[data-report-handoff]')) {
    block.hidden = !show[block.dataset.reportHandoff];
  }
}

if (sent) {
  new MutationObserver(update).observe(sent, { attributes: true, attributeFilter: ['hidden'] });
  // Sending resets the form (the facts are kept for the sent step); "Start a new report"
  // resets it too, and hides the sent step, so the next steps go with it.
  form.addEventListener('reset', () => { captured = facts(); queueMicrotask(update); });
  update();
}
