// Reading and writing one step's fields in the page, by their rules (rules.json): radios,
// checkboxes, the repeated contact rows, text; the screenshots come from `files()`.
import { holds } from './rules.js';

export function formFields(form, byId, files) {
  const rowsOf = (name) => [...form.querySelectorAll(`[data-report-rows="${name}"] [data-report-row]`)];
  const section = (id) => form.querySelector(`[data-report-step="${id}"]`);

  function read(stepId) {
    const out = {};
    for (const f of byId[stepId].fields) {
      if (f.type === 'multi') {
        out[f.name] = [...form.querySelectorAll(`input[name="${f.name}"]:checked`)].map((i) => i.value);
      } else if (f.type === 'choice') {
        out[f.name] = form.querySelector(`input[name="${f.name}"]:checked`)?.value || '';
      } else if (f.type === 'list') {
        out[f.name] = rowsOf(f.name)
          .map((row) => ({ kind: row.querySelector('select').value, value: row.querySelector('input').value }))
          .filter((r) => r.value.trim() !== '');
      } else if (f.type === 'files') {
        out[f.name] = files().map((file) => ({ name: file.name, type: file.type, size: file.size }));
      } else {
        out[f.name] = form.elements[f.name]?.value ?? '';
      }
    }
    return out;
  }

  // Fill a step from answers; `renderFiles` draws the screenshots' list.
  function write(stepId, answers, renderFiles) {
    for (const f of byId[stepId].fields) {
      const value = answers[f.name];
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

  // Questions shown only for some answers (data-report-shown-if).
  function toggleConditional(stepId) {
    const answers = read(stepId);
    for (const node of section(stepId).querySelectorAll('[data-report-shown-if]')) {
      node.hidden = !holds(JSON.parse(node.dataset.reportShownIf), answers);
    }
  }

  // One more contact row, copied from the last one with its names and ids renumbered.
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

  return { read, write, toggleConditional, addRow, section };
}
