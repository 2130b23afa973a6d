// The report's rules on the device, mirroring pwa/report/steps.py (validate_step, clean) in
// the same order and with the same messages, from /report/rules.json. Pure functions: no page,
// so tests/browser/test_report_rules_parity.py runs them against the Python cases.
// An error is {field, rule, message}, as steps.FieldError.

export const blank = (v) => v == null || v === '' || (Array.isArray(v) && !v.length) ||
  (typeof v === 'string' && !v.trim());

// steps._condition_holds
export function holds(cond, answers) {
  if (!cond) return true;
  const value = answers[cond.field];
  if ('contains' in cond) return Array.isArray(value) && value.includes(cond.contains);
  return [].concat(cond.equals).includes(value);
}

const error = (field, rule, messages) => ({ field, rule, message: messages[rule] });
const length = (text) => [...text].length; // code points, as Python's len()

// steps._check_field
export function checkField(f, value, answers, name = f.name) {
  const msg = f.messages || {};
  const required = f.required || (f.required_if && holds(f.required_if, answers));
  if (blank(value)) return required ? [error(name, 'required', msg)] : [];
  if (f.type === 'multi') {
    const ok = Array.isArray(value) && value.every((v) => typeof v === 'string' && f.values.includes(v));
    return ok ? [] : [error(name, 'invalid', msg)];
  }
  if (typeof value !== 'string') {
    return [{ field: name, rule: 'invalid', message: msg.invalid || msg.pattern || msg.required || 'Enter text' }];
  }
  if (f.type === 'choice') return f.values.includes(value) ? [] : [error(name, 'invalid', msg)];
  if (f.max_length != null && length(value) > f.max_length) return [error(name, 'too_long', msg)];
  if (f.pattern && !new RegExp(f.pattern).test(value.trim())) return [error(name, 'pattern', msg)];
  return [];
}

// steps._check_list
function checkList(f, value) {
  if (value == null || value === '') return [];
  if (!Array.isArray(value) || !value.every((v) => v && typeof v === 'object')) return [error(f.name, 'invalid', f.messages)];
  if (value.length > f.max_items) return [error(f.name, 'too_many', f.messages)];
  return value.flatMap((row, i) => f.item_fields.flatMap(
    (item) => checkField(item, row[item.name], row, `${f.name}-${i}-${item.name}`)));
}

// steps._check_files: the screenshots' descriptions {name, type, size} (or the File objects).
export function checkFiles(rules, files) {
  const f = rules.steps.flatMap((s) => s.fields).find((x) => x.type === 'files');
  const limits = rules.attachments;
  if (files == null || files === '') return [];
  if (!Array.isArray(files)) return [error(f.name, 'invalid', f.messages)];
  if (files.length > f.max_items) return [error(f.name, 'too_many', f.messages)];
  for (const item of files) {
    if (!item || typeof item !== 'object' || typeof (item.name ?? '') !== 'string') return [error(f.name, 'invalid', f.messages)];
    if (!limits.types.includes(item.type)) return [error(f.name, 'invalid', f.messages)];
    if (!Number.isInteger(item.size) || item.size < 0) return [error(f.name, 'invalid', f.messages)];
    if (item.size > limits.max_bytes) return [error(f.name, 'too_large', f.messages)];
  }
  return [];
}

// steps.validate_step: errors for one step's answers, in field order.
export function validateStep(rules, stepId, answers) {
  const step = rules.steps.find((s) => s.id === stepId);
  return step.fields.flatMap((f) => {
    const value = answers[f.name];
    if (f.type === 'list') return checkList(f, value);
    if (f.type === 'files') return checkFiles(rules, value);
    return checkField(f, value, answers);
  });
}

// steps.clean: the answers as sealed (trimmed, nothing from a branch not taken).
export function cleaned(rules, answers) {
  const out = { v: 1 };
  for (const s of rules.steps) {
    for (const f of s.fields) {
      let value = answers[f.name];
      if (f.shown_if && !holds(f.shown_if, answers)) continue;
      if (typeof value === 'string') value = value.trim();
      if (f.type === 'list' && Array.isArray(value)) value = value.map((r) => ({ kind: r.kind, value: (r.value || '').trim() }));
      if (!blank(value)) out[f.name] = value;
    }
  }
  return out;
}
