// "Check your answers": each question with its answer (as sealed) and a Change link.
import { el } from './dom.js';
import { blank, holds } from './rules.js';
import { t } from './messages.js';

function answerText(f, value) {
  const label = (v) => f.choices?.find((c) => c.value === v)?.label ?? v;
  if (f.type === 'files') return value.map((a) => a.name).join('\n');
  if (f.type === 'list') {
    const kinds = f.item_fields[0];
    return value.map((r) => `${kinds.choices.find((c) => c.value === r.kind)?.label ?? r.kind}: ${r.value}`).join('\n');
  }
  return [].concat(value).map(label).join('\n');
}

// answers: the cleaned answers; raw: as typed (for which branches were taken);
// attachments: the screenshots' descriptions.
export function renderCheck(container, rules, answers, raw, attachments) {
  const list = el('dl', { class: 'summary-list' });
  for (const s of rules.steps) {
    for (const f of s.fields) {
      if (f.shown_if && !holds(f.shown_if, raw)) continue;
      const value = f.type === 'files' ? attachments : answers[f.name];
      const text = blank(value) ? t('not_given', 'Not given') : answerText(f, value);
      list.append(el('div', { class: 'summary-list__row' },
        el('dt', { class: 'summary-list__key' }, f.label),
        el('dd', { class: 'summary-list__value' }, text),
        el('dd', { class: 'summary-list__actions' },
          el('a', { href: `#${f.name}`, 'data-report-change': s.id },
            t('change', 'Change'), el('span', { class: 'visually-hidden' }, ` ${f.label.toLowerCase()}`)))));
    }
  }
  container.replaceChildren(list);
}
