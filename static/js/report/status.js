// The reports on this phone, shown after sending: sent here (with the reference), waiting,
// refused (with a way to delete), and those sent earlier by another tab or the worker.
import { el } from './dom.js';
import { outbox } from './outbox.js';
import { pageLocale, t } from './messages.js';

const queuedText = () => t('queued', 'Saved on this phone — it will be sent when you are online');

// sentHere: Map of idempotency key -> reference for reports sent while the page was open.
export async function renderStatus(container, sentHere, startAgain) {
  const queued = await outbox.list();
  const items = [];
  for (const [, reference] of sentHere) {
    items.push(el('div', { class: 'panel-confirmation' },
      el('p', { class: 'heading' }, t('sent', 'Sent — your reference is'), ' ', el('strong', { class: 'reference', dir: 'ltr' }, reference)),
      el('p', {}, t('sent_detail', 'Write the reference down somewhere safe. The report has been deleted from this phone.'))));
  }
  for (const entry of queued) {
    if (entry.status === 'attention') {
      // Refused for good and its answers are no longer in memory: say so, let it go.
      const remove = el('button', { type: 'button', class: 'button button--secondary' }, t('delete_it', 'Delete it from this phone'));
      remove.addEventListener('click', () => outbox.remove(entry.id)
        .then(() => renderStatus(container, sentHere, startAgain)));
      items.push(el('div', { class: 'callout callout--urgent' },
        el('p', {}, t('refused', 'A report on this phone could not be sent: {reason}', { reason: entry.error?.message || t('refused_reason', 'it was refused') })),
        remove));
    } else {
      items.push(el('p', { class: 'callout', 'data-report-queued': '' }, queuedText()));
    }
  }
  // Sent while this page was closed (by another tab or the worker): the reference is all
  // that is left of them on the phone, and the person needs it.
  const shown = new Set(sentHere.values());
  const earlier = (await outbox.sent()).filter((r) => !shown.has(r.reference));
  if (earlier.length) {
    items.push(el('h2', {}, t('earlier', 'Reports sent from this phone')), el('ul', { class: 'report-sent-list' },
      ...earlier.map((r) => el('li', {}, t('reference', 'Reference'), ' ', el('strong', { dir: 'ltr' }, r.reference),
        t('sent_at', ', sent {date}', { date: new Date(r.sent_at).toLocaleString(pageLocale(), { dateStyle: 'long', timeStyle: 'short' }) })))));
  }
  const again = el('button', { type: 'button', class: 'button button--secondary', 'data-report-new': '' }, t('start_again', 'Start a new report'));
  again.addEventListener('click', startAgain);
  container.replaceChildren(...items, el('p', {}, again));
}
