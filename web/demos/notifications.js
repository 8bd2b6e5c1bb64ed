// @ts-check
import { connect } from './client/index.js';
import { byId, clockTime, connectionBadge, el, postJson, showError } from './common.js';

/** @typedef {{ text: string, from: string, via: 'user' | 'client' | 'everyone', sentAt: number }} Notice */

const TOPIC = 'notifications';
const badge = connectionBadge(byId('state'));
const signInForm = /** @type {HTMLFormElement} */ (byId('sign-in'));
const sendForm = /** @type {HTMLFormElement} */ (byId('send'));
/** @param {string} name */
const field = (name) => /** @type {HTMLInputElement} */ (sendForm.elements.namedItem(name));

/** @type {import('./client/index.js').SseClient<{ notify: Notice, connected: { clientId: string } }> | undefined} */
let stream;
let me = { name: '', token: '', clientId: '' };

/** @param {Notice} notice */
function toast(notice) {
  const via = { user: `to ${me.name}`, client: 'to this tab', everyone: 'to everyone' }[notice.via];
  const node = el(
    'div',
    { className: 'toast', testid: 'toast' },
    el('div', { className: 'title', text: notice.text }),
    el('div', {
      className: 'via',
      text: `from ${notice.from} · ${via} · ${clockTime(notice.sentAt)}`,
    }),
  );
  byId('toasts').append(node);
  setTimeout(() => node.remove(), 6000);
  byId('received').prepend(
    el('li', { text: `${clockTime(notice.sentAt)} ${notice.from} (${via}): ${notice.text}` }),
  );
}

/** @param {{ name: string, token: string }} identity */
function start(identity) {
  stream?.close();
  me = { ...identity, clientId: '' };
  sessionStorage.setItem('ssehub-notify', JSON.stringify(identity));
  badge.set('connecting');
  stream = connect(`/events?topic=${TOPIC}`, {
    // The demo sign-in names who this is, so `POST /users/{name}/events` reaches every tab of it.
    headers: () => ({ authorization: `Bearer ${me.token}` }),
    json: ['notify', 'connected'],
    onOpen: () => badge.set('open'),
    onError: (_error, retry) => badge.set(retry ? 'reconnecting' : 'closed'),
    onReset: () => badge.set('reset'),
    onClose: (error) => {
      badge.set('closed');
      // A hub restarted with a new sign-in secret no longer knows the token.
      if (error) showError(byId('sign-in-error'), `${error.message}: sign in again`);
    },
  });
  stream.on('connected', (event) => {
    me.clientId = event.data.clientId;
    byId('who').textContent = `Signed in as ${me.name}; this tab is client ${me.clientId}.`;
    if (field('target').value === '') field('target').value = me.name;
  });
  stream.on('notify', (event) => toast(event.data));
}

signInForm.addEventListener('submit', async (e) => {
  e.preventDefault();
  const error = byId('sign-in-error');
  try {
    const name = String(new FormData(signInForm).get('name')).trim();
    start(await postJson('/demos/sign-in', { name }));
    error.hidden = true;
  } catch (err) {
    showError(error, err);
  }
});

sendForm.addEventListener('submit', async (e) => {
  e.preventDefault();
  const error = byId('send-error');
  const data = new FormData(sendForm);
  const via = /** @type {Notice['via']} */ (String(data.get('to')));
  const target = String(data.get('target')).trim();
  /** @type {Notice} */
  const notice = {
    text: String(data.get('text')),
    from: me.name || 'someone',
    via,
    sentAt: Date.now(),
  };
  const path = {
    user: `/users/${encodeURIComponent(target)}/events`,
    client: `/clients/${encodeURIComponent(target)}/events`,
    everyone: '/publish',
  }[via];
  try {
    if (via !== 'everyone' && target === '') throw new Error(`Name the ${via} to send to.`);
    await postJson(path, {
      event: 'notify',
      data: notice,
      ...(via === 'everyone' ? { topic: TOPIC } : {}),
    });
    field('text').value = '';
    error.hidden = true;
  } catch (err) {
    showError(error, err);
  }
});

field('to').addEventListener('change', () => {
  const to = String(new FormData(sendForm).get('to'));
  field('target').disabled = to === 'everyone';
  field('target').value = to === 'client' ? me.clientId : to === 'user' ? me.name : '';
});

const saved = sessionStorage.getItem('ssehub-notify');
if (saved !== null) start(JSON.parse(saved));
