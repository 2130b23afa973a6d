// The replies page (/report/replies, templates/report/replies.html): this device's
// mailboxes, their threads opened only for display, an answer form, and "I don't need
// replies any more". The answer is sealed to the force's key and goes through the outbox
// (exactly once, offline too); a copy sealed to the mailbox's own key is kept to show here.
import * as seal from './seal.js';
import * as store from './mailbox/store.js';
import { openText } from './mailbox/keys.js';
import { check, showNotice } from './mailbox/check.js';
import { getJSON } from './report/dom.js';
import { outbox } from './report/outbox.js';

const page = document.querySelector('[data-mailbox-page]');
const words = (() => {
  try { return JSON.parse(page?.dataset.messages || '{}'); } catch { return {}; }
})();
const say = (key, values = {}) => (words[key] || key).replace(/\{(\w+)\}/g, (w, n) => (n in values ? values[n] : w));
const MAX = Number(page?.dataset.maxAnswer || 2000);

const when = (iso) => {
  try {
    return new Date(iso).toLocaleString(document.documentElement.lang || 'en-GB', { dateStyle: 'medium', timeStyle: 'short' });
  } catch { return iso; }
};

let rendering = Promise.resolve();
// One render at a time (replies, sends and other tabs can all ask at once).
const render = () => (rendering = rendering.then(draw, draw));

async function draw() {
  const boxes = (await store.exists()) ? await store.mailboxes() : [];
  const list = page.querySelector('[data-mailbox-list]');
  page.querySelector('[data-mailbox-empty]').hidden = boxes.length > 0;
  const focused = document.activeElement?.id;
  const typed = new Map([...list.querySelectorAll('textarea')].map((t) => [t.id, t.value]));
  list.replaceChildren();
  for (const box of boxes) list.append(await section(box, typed));
  if (focused) document.getElementById(focused)?.focus();
  page.dataset.rendered = String(Date.now());
}

async function section(box, typed) {
  const node = page.querySelector('[data-mailbox-template]').content.firstElementChild.cloneNode(true);
  const n = box.id;
  node.querySelector('[data-mailbox-heading]').textContent = box.reference
    ? say('about', { reference: box.reference }) : say('about_unsent');
  const thread = node.querySelector('[data-mailbox-thread]');
  const items = await store.messages(box.id);
  for (const m of items) {
    const li = document.createElement('li');
    li.className = `mailbox-message mailbox-message--${m.direction === 'to_victim' ? 'in' : 'out'}`;
    const who = document.createElement('p');
    who.className = 'muted';
    who.textContent = `${m.direction === 'to_victim' ? say('from_police') : say('from_you')}, ${when(m.at)}`
      + (m.pending ? ` ${say('waiting')}` : '');
    const text = document.createElement('p');
    text.className = 'mailbox-message__text';
    try {
      text.textContent = await openText(box, m.envelope); // opened for display only
    } catch {
      text.textContent = say('unreadable');
    }
    li.append(who, text);
    thread.append(li);
    if (!m.seen) await store.putMessage({ ...m, seen: true });
  }
  node.querySelector('[data-mailbox-none]').hidden = items.length > 0;
  const area = node.querySelector('textarea');
  area.id = `answer-${n}`;
  area.value = typed.get(area.id) || '';
  node.querySelector('label[data-mailbox-answer-label]').htmlFor = area.id;
  const error = node.querySelector('[data-mailbox-error]');
  error.id = `answer-${n}-error`;
  const status = page.querySelector('[data-mailbox-status]');
  node.querySelector('[data-mailbox-send]').addEventListener('click', () => answer(box, area, error, status));
  node.querySelector('[data-mailbox-close]').addEventListener('click', (e) => close(box, e.target, status));
  return node;
}

function showError(area, error, message) {
  error.hidden = !message;
  error.querySelector('span:last-child').textContent = message || '';
  if (message) {
    area.setAttribute('aria-invalid', 'true');
    area.setAttribute('aria-describedby', error.id);
    area.focus();
  } else {
    area.removeAttribute('aria-invalid');
    area.removeAttribute('aria-describedby');
  }
}

async function answer(box, area, error, status) {
  const text = area.value.trim();
  if (!text) return showError(area, error, say('required'));
  if (text.length > MAX) return showError(area, error, say('too_long', { n: MAX }));
  showError(area, error, '');
  try {
    // The person's own copy is sealed to this mailbox's key (kept only to show the thread).
    const forceKey = await seal.importPublicKey(await getJSON('/api/report-key'));
    const message = await seal.sealJSON({ v: 1, text }, forceKey);
    const id = crypto.randomUUID();
    const at = new Date().toISOString();
    await store.putMessage({ id: `${box.id}:a${id}`, mailbox: box.id, direction: 'from_victim', at,
                             envelope: await seal.sealJSON({ v: 1, text }, { key: box.publicKey, kid: 'mailbox' }), seen: true, pending: true, answer: id });
    await outbox.enqueue({ id, kind: 'answer', created_at: at, message, secret: box.secret,
                           language: document.documentElement.dataset.lang || 'en' });
    area.value = ''; // sealed now: nothing of it stays in the page's field
    status.textContent = navigator.onLine === false ? say('queued') : say('sending');
  } catch {
    showError(area, error, say('not_locked'));
    return;
  }
  await render();
}

async function close(box, button, status) {
  button.disabled = true;
  try {
    const response = await fetch('/api/mailbox/close', {
      method: 'POST', credentials: 'same-origin', cache: 'no-store',
      headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ secret: box.secret }),
    });
    // 404: already closed or gone; either way there is nothing more to come.
    if (response.status !== 200 && response.status !== 404) throw new Error(String(response.status));
  } catch {
    status.textContent = say('close_offline');
    button.disabled = false;
    return;
  }
  await store.forget(box.id);
  await render();
  const done = page.querySelector('[data-mailbox-closed]');
  done.hidden = false;
  done.focus();
}

if (page && outbox) {
  page.hidden = false;
  page.querySelector('[data-mailbox-nojs]')?.setAttribute('hidden', '');
  render().then(showNotice).catch(() => {});
  check().catch(() => {});
  if (typeof BroadcastChannel !== 'undefined') {
    new BroadcastChannel(store.CHANNEL).addEventListener('message', () => render().catch(() => {}));
  }
  outbox.subscribe(async (message) => {
    if (message.type === 'sent' && message.kind === 'answer') {
      for (const box of await store.mailboxes()) {
        const m = await store.getMessage(`${box.id}:a${message.id}`);
        if (m) await store.putMessage({ ...m, pending: false, at: message.sent_at || m.at });
      }
      await render();
      page.querySelector('[data-mailbox-status]')?.replaceChildren(say('sent'));
    }
  });
}
