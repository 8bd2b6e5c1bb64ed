// @ts-check
import { byId, connectionBadge, el, postJson, showError, watchEventSource } from './common.js';

const badge = connectionBadge(byId('state'));
const subscribeForm = /** @type {HTMLFormElement} */ (byId('subscribe'));
const publishForm = /** @type {HTMLFormElement} */ (byId('publish'));
for (const code of document.querySelectorAll('code.host')) {
  code.textContent = (code.textContent ?? '').replace('HOST', location.host);
}

/** @type {EventSource | undefined} */
let source;
let topic = 'demo';
// EventSource has no catch-all listener: custom types are listened to once they are used.
const types = new Set(['message']);

/**
 * @param {string} kind
 * @param {string} text
 * @param {string} [id]
 */
function show(kind, text, id) {
  const meta = el('span', { className: 'muted', text: id ? `${kind} #${id} ` : `${kind} ` });
  byId('events').prepend(el('li', {}, meta, text));
}

/** @param {string} type */
function listenTo(type) {
  types.add(type);
  source?.addEventListener(type, (e) => show(type, e.data, e.lastEventId));
}

function subscribe() {
  source?.close();
  source = new EventSource(`/events?topic=${encodeURIComponent(topic)}`);
  watchEventSource(source, badge, { onReset: (reason) => show('reset', reason) });
  source.addEventListener('connected', (e) => show('connected', JSON.parse(e.data).clientId));
  for (const type of types) {
    source.addEventListener(type, (e) =>
      show(type, /** @type {MessageEvent} */ (e).data, /** @type {MessageEvent} */ (e).lastEventId),
    );
  }
}

subscribeForm.addEventListener('submit', (e) => {
  e.preventDefault();
  topic = String(new FormData(subscribeForm).get('topic'));
  subscribe();
});

publishForm.addEventListener('submit', async (e) => {
  e.preventDefault();
  const data = new FormData(publishForm);
  const type = String(data.get('event') ?? '').trim();
  if (type !== '' && !types.has(type)) listenTo(type);
  try {
    await postJson('/publish', {
      topic,
      data: String(data.get('data')),
      ...(type ? { event: type } : {}),
    });
    /** @type {HTMLInputElement} */ (publishForm.elements.namedItem('data')).value = '';
    byId('error').hidden = true;
  } catch (error) {
    showError(byId('error'), error);
  }
});

subscribe();
