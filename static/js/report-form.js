// Drives the report form on /report/ in the page, so it works offline: one step at a time,
// the same rules and messages as the server (/report/rules.json), check your answers, then
// the report is sealed (seal.js) and handed to the outbox (outbox-core.js). Answers live in
// memory only, unless the person ticks "Save my progress on this phone".
// Needs globalThis.sxSeal and globalThis.sxOutbox, loaded before this module.

const QUEUED = 'Saved on this phone — it will be sent when you are online';
const root = document.querySelector('[data-report-form]');
if (root && globalThis.sxOutbox && globalThis.sxSeal) start(root);

// JSON from the network, or (offline) from the worker's kept copy. The worker does not
// answer /api/ requests itself, so its copy of the public key is read here directly.
async function getJSON(url) {
  try {
    const response = await fetch(url, { credentials: 'same-origin' });
    if (response.ok) return await response.json();
  } catch (err) { /* offline */ }
  if (globalThis.caches) {
    const kept = await caches.match(url, { ignoreSearch: true });
    if (kept) return kept.json();
  }
  throw new Error(`Cannot load ${url}`);
}

const el = (tag, attrs = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  node.append(...children);
  return node;
};

const blank = (v) => v == null || v === '' || (Array.isArray(v) && !v.length) ||
  (typeof v === 'string' && !v.trim());

function holds(cond, answers) {
  if (!cond) return true;
  const value = answers[cond.field];
  if ('contains' in cond) return Array.isArray(value) && value.includes(cond.contains);
  return [].concat(cond.equals).includes(value);
}

// pwa/report/steps.py _check_field, same order and messages.
function checkField(f, value, answers) {
  const msg = f.messages || {};
  const required = f.required || (f.required_if && holds(f.required_if, answers));
  if (blank(value)) return required ? ['required', msg.required] : null;
  if (f.type === 'multi') return value.every((v) => f.values.includes(v)) ? null : ['invalid', msg.invalid];
  if (f.type === 'choice') return f.values.includes(value) ? null : ['invalid', msg.invalid];
  if (f.max_length != null && value.length > f.max_length) return ['too_long', msg.too_long];
  if (f.pattern && !new RegExp(f.pattern).test(value.trim())) return ['pattern', msg.pattern];
  return null;
}

async function start(form) {
  const rules = await getJSON('/report/rules.json');
  const stepIds = rules.steps.map((s) => s.id);
  const byId = Object.fromEntries(rules.steps.map((s) => [s.id, s]));
  const limits = rules.attachments;
  let keyPromise = getJSON('/api/report-key').catch(() => null); // early, while online
  const fresh = () => ({ key: crypto.randomUUID(), answers: {}, files: [], step: stepIds[0] });
  let state = fresh();
  let returnToCheck = false;
  const sentHere = new Map(); // idempotency key -> reference, for reports sent while open
  const saveBox = form.querySelector('#save-progress');
  const section = (id) => form.querySelector(`[data-report-step="${id}"]`);

  document.querySelector('[data-report-intro]')?.setAttribute('hidden', '');
  form.hidden = false;
  form.querySelector('[data-report-save-progress]').hidden = false;

  // ---- reading and writing a step's fields ---------------------------------------------
  function read(stepId) {
    const out = {};
    for (const f of byId[stepId].fields) {
      if (f.type === 'multi') {
        out[f.name] = [...form.querySelectorAll(`input[name="${f.name}"]:checked`)].map((i) => i.value);
      } else if (f.type === 'choice') {
        out[f.name] = form.querySelector(`input[name="${f.name}"]:checked`)?.value || '';
      } else if (f.type === 'list') {
        out[f.name] = [...form.querySelectorAll(`[data-report-rows="${f.name}"] [data-report-row]`)]
          .map((row) => ({ kind: row.querySelector('select').value, value: row.querySelector('input').value }))
          .filter((r) => r.value.trim() !== '');
      } else if (f.type === 'files') {
        out[f.name] = state.files.map((file) => ({ name: file.name, type: file.type, size: file.size }));
      } else {
        out[f.name] = form.elements[f.name]?.value ?? '';
      }
    }
    return out;
  }

  function write(stepId) {
    for (const f of byId[stepId].fields) {
      const value = state.answers[f.name];
      if (f.type === 'multi' || f.type === 'choice') {
        for (const input of form.querySelectorAll(`input[name="${f.name}"]`)) {
          input.checked = [].concat(value ?? []).includes(input.value);
        }
      } else if (f.type === 'list') {
        const rows = value || [];
        while (rowsOf(f.name).length < rows.length && addRow(f.name));
        rowsOf(f.name).forEach((row, i) => {
          row.querySelector('select').value = rows[i]?.kind || row.querySelector('option').value;
          row.querySelector('input').value = rows[i]?.value || '';
        });
      } else if (f.type === 'files') {
        renderFiles();
      } else if (form.elements[f.name]) {
        form.elements[f.name].value = value ?? '';
      }
    }
    toggleConditional(stepId);
  }

  function validateStep(stepId, answers) {
    const errors = [];
    for (const f of byId[stepId].fields) {
      const value = answers[f.name];
      if (f.type === 'list') {
        if ((value || []).length > f.max_items) errors.push({ field: f.name, message: f.messages.too_many });
        (value || []).forEach((row, i) => {
          for (const item of f.item_fields) {
            const e = checkField(item, row[item.name], row);
            if (e) errors.push({ field: `${f.name}-${i}-${item.name}`, message: e[1] });
          }
        });
      } else if (f.type === 'files') {
        const e = checkFiles(state.files);
        if (e) errors.push({ field: f.name, message: e });
      } else if (!f.shown_if || holds(f.shown_if, answers)) {
        const e = checkField(f, value, answers);
        if (e) errors.push({ field: f.name, message: e[1] });
      }
    }
    return errors;
  }

  function checkFiles(files) {
    const msg = byId.evidence.fields.find((f) => f.type === 'files').messages;
    if (files.length > limits.max_count) return msg.too_many;
    if (files.some((f) => !limits.types.includes(f.type))) return msg.invalid;
    if (files.some((f) => f.size > limits.max_bytes)) return msg.too_large;
    return null;
  }

  // The answers as sealed: pwa/report/steps.py clean() (trimmed, nothing from a branch not taken).
  function cleaned() {
    const out = { v: 1 };
    for (const s of rules.steps) {
      for (const f of s.fields) {
        let value = state.answers[f.name];
        if (f.shown_if && !holds(f.shown_if, state.answers)) continue;
        if (typeof value === 'string') value = value.trim();
        if (f.type === 'list' && Array.isArray(value)) value = value.map((r) => ({ kind: r.kind, value: r.value.trim() }));
        if (!blank(value)) out[f.name] = value;
      }
    }
    return out;
  }

  // ---- errors (GOV.UK pattern) -------------------------------------------------------
  const summary = form.querySelector('[data-error-summary]');
  function clearErrors() {
    summary.hidden = true;
    summary.querySelector('[data-error-summary-list]').replaceChildren();
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

  function showErrors(errors) {
    clearErrors();
    const list = summary.querySelector('[data-error-summary-list]');
    for (const { field, message } of errors) {
      list.append(el('li', {}, el('a', { href: `#${field}`, 'data-error-for': field }, message)));
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

  // Summary links focus their field without adding a history entry.
  summary.addEventListener('click', (event) => {
    const link = event.target.closest('a[data-error-for]');
    if (!link) return;
    event.preventDefault();
    document.getElementById(link.dataset.errorFor)?.focus();
  });

  // ---- showing steps ------------------------------------------------------------------
  function show(id) {
    state.step = id;
    for (const s of form.querySelectorAll('[data-report-step]')) s.hidden = s.dataset.reportStep !== id;
    const position = form.querySelector('[data-report-position]');
    const n = stepIds.indexOf(id);
    position.textContent = n >= 0 ? `Question ${n + 1} of ${stepIds.length}` : '';
    const back = section(id)?.querySelector('[data-report-back]');
    if (back) back.hidden = n === 0;
    form.querySelector('[data-report-save-progress]').hidden = id === 'sent';
    if (n >= 0) write(id);
    if (id === 'check') renderCheck();
    updateNotices();
    history.replaceState(null, '', location.pathname); // never a history entry, nothing in the URL
    section(id)?.querySelector('[data-report-heading]')?.focus();
  }

  function toggleConditional(stepId) {
    const answers = read(stepId);
    for (const node of section(stepId).querySelectorAll('[data-report-shown-if]')) {
      node.hidden = !holds(JSON.parse(node.dataset.reportShownIf), answers);
    }
  }

  function updateNotices() {
    const a = { ...state.answers, ...(stepIds.includes(state.step) ? read(state.step) : {}) };
    const danger = form.querySelector('[data-report-notice="danger"]');
    const young = form.querySelector('[data-report-notice="under-18"]');
    if (danger) danger.hidden = a.in_danger !== 'yes' || state.step === 'sent';
    if (young) young.hidden = !rules.under_18.includes(a.age_band) || state.step === 'sent';
  }

  // ---- contacts rows ------------------------------------------------------------------
  const rowsOf = (name) => [...form.querySelectorAll(`[data-report-rows="${name}"] [data-report-row]`)];
  function addRow(name) {
    const rows = rowsOf(name);
    const container = form.querySelector(`[data-report-rows="${name}"]`);
    const max = Number(container.dataset.reportMaxRows);
    if (rows.length >= max) return null;
    const i = rows.length;
    const row = rows[i - 1].cloneNode(true);
    row.dataset.reportRow = String(i);
    row.querySelector('legend').textContent = `Detail ${i + 1}`;
    for (const node of row.querySelectorAll('[id], [for], [name], [data-report-field], [data-report-error]')) {
      for (const attr of ['id', 'for', 'name', 'data-report-field', 'data-report-error']) {
        if (node.hasAttribute(attr)) node.setAttribute(attr, node.getAttribute(attr).replace(`${name}-${i - 1}-`, `${name}-${i}-`));
      }
    }
    row.querySelector('input').value = '';
    row.querySelector('select').selectedIndex = 0;
    for (const p of row.querySelectorAll('[data-report-error]')) p.hidden = true;
    rows[i - 1].after(row);
    const count = container.querySelector(`input[name="${name}-rows"]`);
    if (count) count.value = String(i + 1);
    container.querySelector('[data-report-add-row]').hidden = i + 1 >= max;
    return row;
  }

  // ---- screenshots --------------------------------------------------------------------
  const fileInput = form.querySelector('input[type="file"]');
  const fileList = form.querySelector('[data-report-files]');
  let previews = [];
  function renderFiles() {
    previews.forEach((url) => URL.revokeObjectURL(url));
    previews = state.files.map((file) => URL.createObjectURL(file));
    fileList.replaceChildren(...state.files.map((file, i) => el('li', { class: 'report-file' },
      el('img', { src: previews[i], alt: '', class: 'report-file__preview' }),
      `${file.name} (${Math.ceil(file.size / 1024)} KB) `,
      el('button', { type: 'button', class: 'button button--secondary button--small', 'data-remove-file': String(i) },
        'Remove', el('span', { class: 'visually-hidden' }, ` ${file.name}`)))));
    fileList.hidden = !state.files.length;
  }
  fileInput?.addEventListener('change', () => {
    const chosen = [...fileInput.files];
    fileInput.value = '';
    const all = [...state.files, ...chosen];
    const error = checkFiles(all);
    if (error) {
      showErrors([{ field: fileInput.name, message: error }]);
      return;
    }
    clearErrors();
    state.files = all;
    renderFiles();
    saveDraft();
  });
  fileList?.addEventListener('click', (event) => {
    const button = event.target.closest('[data-remove-file]');
    if (!button) return;
    state.files.splice(Number(button.dataset.removeFile), 1);
    renderFiles();
    fileInput.focus();
    saveDraft();
  });

  // ---- check your answers -------------------------------------------------------------
  function answerText(f, value) {
    const label = (v) => f.choices?.find((c) => c.value === v)?.label ?? v;
    if (f.type === 'files') return value.map((a) => a.name).join('\n');
    if (f.type === 'list') {
      const kinds = f.item_fields[0];
      return value.map((r) => `${kinds.choices.find((c) => c.value === r.kind)?.label ?? r.kind}: ${r.value}`).join('\n');
    }
    return [].concat(value).map(label).join('\n');
  }

  function renderCheck() {
    const answers = cleaned();
    const list = el('dl', { class: 'summary-list' });
    for (const s of rules.steps) {
      for (const f of s.fields) {
        if (f.shown_if && !holds(f.shown_if, state.answers)) continue;
        const value = f.type === 'files' ? read('evidence').attachments : answers[f.name];
        const text = blank(value) ? 'Not given' : answerText(f, value);
        list.append(el('div', { class: 'summary-list__row' },
          el('dt', { class: 'summary-list__key' }, f.label),
          el('dd', { class: 'summary-list__value' }, text),
          el('dd', { class: 'summary-list__actions' },
            el('a', { href: `#${f.name}`, 'data-report-change': s.id },
              'Change', el('span', { class: 'visually-hidden' }, ` ${f.label.toLowerCase()}`)))));
      }
    }
    form.querySelector('[data-report-check]').replaceChildren(list);
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
    return sxOutbox.drafts.save({ key: state.key, answers: state.answers, files: state.files, step: state.step })
      .catch(() => {});
  }
  saveBox.addEventListener('change', () => {
    if (saveBox.checked) saveDraft();
    else sxOutbox.drafts.discard().catch(() => {});
  });

  // ---- navigation ---------------------------------------------------------------------
  form.addEventListener('input', () => document.documentElement.setAttribute('data-report-in-progress', ''));
  form.addEventListener('change', (event) => {
    if (event.target === saveBox || event.target === fileInput) return;
    if (stepIds.includes(state.step)) toggleConditional(state.step);
    updateNotices();
  });

  form.addEventListener('click', (event) => {
    const add = event.target.closest('[data-report-add-row]');
    if (add) {
      event.preventDefault();
      const row = addRow(add.dataset.reportAddRow);
      row?.querySelector('select').focus();
      return;
    }
    if (event.target.closest('[data-report-back]')) {
      event.preventDefault();
      state.answers = { ...state.answers, ...read(state.step) };
      clearErrors();
      const n = stepIds.indexOf(state.step);
      show(state.step === 'check' ? stepIds[stepIds.length - 1] : stepIds[Math.max(0, n - 1)]);
    }
  });

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (!stepIds.includes(state.step)) return;
    const answers = read(state.step);
    state.answers = { ...state.answers, ...answers };
    const errors = validateStep(state.step, state.answers);
    if (errors.length) {
      showErrors(errors);
      return;
    }
    clearErrors();
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
      const errors = validateStep(id, state.answers);
      if (errors.length) {
        show(id);
        showErrors(errors);
        return;
      }
    }
    sendButton.disabled = true;
    try {
      const jwk = (await keyPromise) || (keyPromise = getJSON('/api/report-key'), await keyPromise);
      const key = await sxSeal.importPublicKey(jwk);
      const answers = cleaned();
      if (state.files.length) answers.attachments = read('evidence').attachments;
      const report = await sxSeal.sealJSON(answers, key);
      const attachments = [];
      for (const file of state.files) attachments.push(await sxSeal.seal(file, key));
      state.sending = true;
      await sxOutbox.enqueue({ id: state.key, created_at: new Date().toISOString(), report, attachments });
      form.reset(); // the answers are sealed in the outbox; none stay in the page's fields
      show('sent');
      renderStatus();
    } catch (err) {
      showErrors([{ field: 'report-send', message: 'Your report could not be locked on this phone. Please try again.' }]);
    } finally {
      sendButton.disabled = false;
    }
  });
  sendButton.id = 'report-send';

  // ---- status of reports on this phone --------------------------------------------------
  const status = form.querySelector('[data-report-status]');
  async function renderStatus() {
    const queued = await sxOutbox.list();
    const items = [];
    for (const [id, reference] of sentHere) {
      items.push(el('div', { class: 'panel-confirmation' },
        el('p', { class: 'heading' }, 'Sent — your reference is ', el('strong', { class: 'reference' }, reference)),
        el('p', {}, 'Write the reference down somewhere safe. The report has been deleted from this phone.')));
    }
    for (const entry of queued) {
      if (entry.status === 'attention') {
        // Refused for good and its answers are no longer in memory: say so, let it go.
        const remove = el('button', { type: 'button', class: 'button button--secondary' }, 'Delete it from this phone');
        remove.addEventListener('click', () => sxOutbox.remove(entry.id).then(renderStatus));
        items.push(el('div', { class: 'callout callout--urgent' },
          el('p', {}, `A report on this phone could not be sent: ${entry.error?.message || 'it was refused'}`),
          remove));
      } else {
        items.push(el('p', { class: 'callout', 'data-report-queued': '' }, QUEUED));
      }
    }
    // Sent while this page was closed (by another tab or the worker): the reference is all
    // that is left of them on the phone, and the person needs it.
    const shown = new Set(sentHere.values());
    const earlier = (await sxOutbox.sent()).filter((r) => !shown.has(r.reference));
    if (earlier.length) {
      items.push(el('h2', {}, 'Reports sent from this phone'), el('ul', { class: 'report-sent-list' },
        ...earlier.map((r) => el('li', {}, 'Reference ', el('strong', {}, r.reference),
          `, sent ${new Date(r.sent_at).toLocaleString('en-GB', { dateStyle: 'long', timeStyle: 'short' })}`))));
    }
    const again = el('button', { type: 'button', class: 'button button--secondary', 'data-report-new': '' }, 'Start a new report');
    again.addEventListener('click', () => {
      state = fresh();
      sentHere.clear();
      form.reset();
      state.files = [];
      renderFiles();
      show(stepIds[0]);
    });
    status.replaceChildren(...items, el('p', {}, again));
  }

  sxOutbox.subscribe((message) => {
    if (message.type === 'sent') {
      sentHere.set(message.id, message.reference);
      if (message.id === state.key) {
        // Delivered: nothing of it stays in memory or on the device but its reference.
        state = { ...fresh(), step: 'sent' };
        document.documentElement.removeAttribute('data-report-in-progress');
      }
      if (state.step === 'sent') renderStatus();
    } else if (message.type === 'failed' && message.id === state.key && state.sending && message.error?.step) {
      // The server refused a field: back to that step, with its message, answers intact.
      state.sending = false;
      const { step, field } = message.error;
      returnToCheck = true;
      show(stepIds.includes(step) ? step : 'check');
      showErrors([{ field: field || 'report-send', message: message.error.message }]);
    } else if (['queued', 'removed', 'failed', 'retry'].includes(message.type) && state.step === 'sent') {
      renderStatus();
    }
  });

  // A draft kept with consent comes back; else a report waiting here is shown first.
  const draft = await sxOutbox.drafts.load().catch(() => null);
  if (draft) {
    state = { key: draft.key, answers: draft.answers || {}, files: draft.files || [], step: draft.step || stepIds[0] };
    saveBox.checked = true;
    for (const id of stepIds) write(id);
    show(state.step);
  } else if ((await sxOutbox.count().catch(() => 0)) > 0 ||
             (await sxOutbox.sent().catch(() => [])).length > 0) {
    show('sent');
    renderStatus();
  } else {
    show(stepIds[0]);
  }
}
