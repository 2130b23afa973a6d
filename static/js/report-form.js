// Drives the report form on /report/ in the page, so it works offline: one step at a time,
// the same rules and messages as the server (/report/rules.json, report/rules.js), check your
// answers, then the report is sealed (seal.js) and handed to the outbox (outbox-core.js,
// through report/outbox.js). Answers live in memory only, unless the person ticks "Save my
// progress on this phone" (then in an encrypted draft). This module holds the report's state
// and the navigation; each other job is a module in report/.
import * as seal from './seal.js';
import { getJSON } from './report/dom.js';
import { outbox } from './report/outbox.js';
import { checkFiles, cleaned, validateStep } from './report/rules.js';
import { formFields } from './report/fields.js';
import { errorSummary } from './report/error-summary.js';
import { screenshots } from './report/screenshots.js';
import { renderCheck } from './report/check-answers.js';
import { renderStatus } from './report/status.js';
import { pageLanguage, t } from './report/messages.js';
import { create as createMailbox } from './mailbox/keys.js';

const root = document.querySelector('[data-report-form]');
if (root && outbox) start(root);

async function start(form) {
  // The rules in the page's language (/cy/report/rules.json for a Welsh page).
  const rules = await getJSON(form.dataset.rulesUrl || '/report/rules.json');
  const stepIds = rules.steps.map((s) => s.id);
  const byId = Object.fromEntries(rules.steps.map((s) => [s.id, s]));
  let keyPromise = getJSON('/api/report-key').catch(() => null); // early, while online
  const fresh = () => ({ key: crypto.randomUUID(), answers: {}, files: [], step: stepIds[0] });
  let state = fresh();
  let returnToCheck = false;
  const sentHere = new Map(); // idempotency key -> reference, for reports sent while open
  const saveBox = form.querySelector('#save-progress');

  const fields = formFields(form, byId, () => state.files);
  const errors = errorSummary(form);
  const shots = screenshots(form, {
    get: () => state.files,
    set: (files) => { state.files = files; },
    check: (files) => checkFiles(rules, files),
    errors,
    changed: () => saveDraft(),
  });
  const write = (id) => fields.write(id, state.answers, shots.render);
  const check = (id) => validateStep(rules, id, state.answers);

  document.querySelector('[data-report-intro]')?.setAttribute('hidden', '');
  form.hidden = false;
  form.querySelector('[data-report-save-progress]').hidden = false;

  // ---- showing steps ------------------------------------------------------------------
  function show(id) {
    state.step = id;
    for (const s of form.querySelectorAll('[data-report-step]')) s.hidden = s.dataset.reportStep !== id;
    const position = form.querySelector('[data-report-position]');
    const n = stepIds.indexOf(id);
    position.textContent = n >= 0 ? t('position', 'Question {n} of {total}', { n: n + 1, total: stepIds.length }) : '';
    const back = fields.section(id)?.querySelector('[data-report-back]');
    if (back) back.hidden = n === 0;
    form.querySelector('[data-report-save-progress]').hidden = id === 'sent';
    if (n >= 0) write(id);
    if (id === 'check') {
      renderCheck(form.querySelector('[data-report-check]'), rules, cleaned(rules, state.answers),
        state.answers, fields.read('evidence').attachments);
    }
    updateNotices();
    history.replaceState(null, '', location.pathname); // never a history entry, nothing in the URL
    fields.section(id)?.querySelector('[data-report-heading]')?.focus();
  }

  function updateNotices() {
    const a = { ...state.answers, ...(stepIds.includes(state.step) ? fields.read(state.step) : {}) };
    const danger = form.querySelector('[data-report-notice="danger"]');
    const young = form.querySelector('[data-report-notice="under-18"]');
    if (danger) danger.hidden = a.in_danger !== 'yes' || state.step === 'sent';
    if (young) young.hidden = !rules.under_18.includes(a.age_band) || state.step === 'sent';
  }

  form.querySelector('[data-report-check]').addEventListener('click', (event) => {
    const link = event.target.closest('[data-report-change]');
    if (!link) return;
    event.preventDefault();
    returnToCheck = true;
    show(link.dataset.reportChange);
  });

  // ---- progress on this phone (only with consent) --------------------------------------
  function saveDraft() {
    if (!saveBox.checked) return Promise.resolve();
    return outbox.drafts.save({ key: state.key, answers: state.answers, files: state.files, step: state.step })
      .catch(() => {});
  }
  saveBox.addEventListener('change', () => {
    if (saveBox.checked) saveDraft();
    else outbox.drafts.discard().catch(() => {});
  });

  // ---- navigation ---------------------------------------------------------------------
  form.addEventListener('input', () => document.documentElement.setAttribute('data-report-in-progress', ''));
  form.addEventListener('change', (event) => {
    if (event.target === saveBox || event.target === shots.input) return;
    if (stepIds.includes(state.step)) fields.toggleConditional(state.step);
    updateNotices();
  });

  form.addEventListener('click', (event) => {
    const add = event.target.closest('[data-report-add-row]');
    if (add) {
      event.preventDefault();
      const row = fields.addRow(add.dataset.reportAddRow);
      row?.querySelector('select').focus();
      return;
    }
    if (event.target.closest('[data-report-back]')) {
      event.preventDefault();
      state.answers = { ...state.answers, ...fields.read(state.step) };
      errors.clear();
      const n = stepIds.indexOf(state.step);
      show(state.step === 'check' ? stepIds[stepIds.length - 1] : stepIds[Math.max(0, n - 1)]);
    }
  });

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (!stepIds.includes(state.step)) return;
    state.answers = { ...state.answers, ...fields.read(state.step) };
    const problems = check(state.step);
    if (problems.length) {
      errors.show(problems);
      return;
    }
    errors.clear();
    const n = stepIds.indexOf(state.step);
    const next = returnToCheck || n === stepIds.length - 1 ? 'check' : stepIds[n + 1];
    if (next === 'check') returnToCheck = false;
    show(next);
    saveDraft();
  });

  // ---- sending ------------------------------------------------------------------------
  const sendButton = form.querySelector('[data-report-send]');
  sendButton.addEventListener('click', async () => {
    for (const id of stepIds) {
      const problems = check(id);
      if (problems.length) {
        show(id);
        errors.show(problems);
        return;
      }
    }
    sendButton.disabled = true;
    try {
      const jwk = (await keyPromise) || (keyPromise = getJSON('/api/report-key'), await keyPromise);
      const key = await seal.importPublicKey(jwk);
      const answers = cleaned(rules, state.answers);
      if (state.files.length) answers.attachments = fields.read('evidence').attachments;
      const report = await seal.sealJSON(answers, key);
      const attachments = [];
      for (const file of state.files) attachments.push(await seal.seal(file, key));
      // "Reply to me only inside this app": this phone's mailbox for the report (issue 17).
      const mailbox = answers.contact_method === 'app' ? await createMailbox(state.key) : undefined;
      state.sending = true;
      await outbox.enqueue({
        id: state.key, created_at: new Date().toISOString(), report, attachments, language: pageLanguage(), mailbox,
      });
      // The answers are sealed in the outbox: none stay in the page's fields (report-handoff.js
      // reads the two facts it needs as the reset starts).
      form.reset();
      show('sent');
      status();
    } catch (err) {
      errors.show([{ field: 'report-send', message: t('not_locked', 'Your report could not be locked on this phone. Please try again.') }]);
    } finally {
      sendButton.disabled = false;
    }
  });
  sendButton.id = 'report-send';

  // ---- status of reports on this phone --------------------------------------------------
  const status = () => renderStatus(form.querySelector('[data-report-status]'), sentHere, () => {
    state = fresh();
    sentHere.clear();
    form.reset();
    shots.render();
    show(stepIds[0]);
  });

  outbox.subscribe((message) => {
    if (message.type === 'sent') {
      sentHere.set(message.id, message.reference);
      if (message.id === state.key) {
        // Delivered: nothing of it stays in memory or on the device but its reference.
        state = { ...fresh(), step: 'sent' };
        document.documentElement.removeAttribute('data-report-in-progress');
      }
      if (state.step === 'sent') status();
    } else if (message.type === 'failed' && message.id === state.key && state.sending && message.error?.step) {
      // The server refused a field: back to that step, with its message, answers intact.
      state.sending = false;
      const { step, field } = message.error;
      returnToCheck = true;
      show(stepIds.includes(step) ? step : 'check');
      errors.show([{ field: field || 'report-send', message: message.error.message }]);
    } else if (['queued', 'removed', 'failed', 'retry'].includes(message.type) && state.step === 'sent') {
      status();
    }
  });

  // A draft kept with consent comes back; else a report waiting here is shown first. The
  // stores answer after the page is usable: someone already past question 1 stays put.
  const untouched = () => state.step === stepIds[0] && !Object.keys(state.answers).length;
  const draft = await outbox.drafts.load().catch(() => null);
  const waiting = !draft && ((await outbox.count().catch(() => 0)) > 0 ||
                             (await outbox.sent().catch(() => [])).length > 0);
  if (!untouched()) {
    // (A draft stays stored; the person is writing a new report here.)
  } else if (draft) {
    state = { key: draft.key, answers: draft.answers || {}, files: draft.files || [], step: draft.step || stepIds[0] };
    saveBox.checked = true;
    for (const id of stepIds) write(id);
    show(state.step);
  } else if (waiting) {
    show('sent');
    status();
  } else {
    show(stepIds[0]);
  }
  form.dataset.reportReady = ''; // every handler is attached (tests wait for this)
}
