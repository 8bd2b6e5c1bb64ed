// @ts-check
import {
  byId,
  clockTime,
  connectionBadge,
  el,
  postJson,
  showError,
  watchEventSource,
} from './common.js';

/** @typedef {{ name: string, text: string, tab: string, sentAt: number }} ChatMessage */
/** @typedef {{ action: 'join' | 'leave', clientId: string, metadata?: { name?: string } }} Presence */

const badge = connectionBadge(byId('state'));
const messages = byId('messages');
const members = byId('members');
const joinForm = /** @type {HTMLFormElement} */ (byId('join'));
const sayForm = /** @type {HTMLFormElement} */ (byId('say'));
// Tells this tab's own messages from those of another tab under the same name.
const tab = crypto.randomUUID();

/** @type {EventSource | undefined} */
let source;
let me = { name: '', room: '' };
/** Who is in the room, by client id (a person in two tabs is there twice). */
const present = new Map();

/** @param {Node} node */
function append(node) {
  const atBottom = messages.scrollTop + messages.clientHeight >= messages.scrollHeight - 40;
  messages.append(node);
  if (atBottom) messages.scrollTop = messages.scrollHeight;
}

/** @param {string} text */
const system = (text) => append(el('div', { className: 'system', text }));

function renderMembers() {
  const names = [...present.values()].sort((a, b) => a.localeCompare(b));
  members.replaceChildren(...names.map((name) => el('li', { text: name })));
}

/** After every (re)connect: joins and leaves during a gap are not replayed as a list. */
async function loadMembers() {
  const res = await fetch(`/topics/${encodeURIComponent(`chat/${me.room}`)}/subscribers`);
  if (!res.ok) return;
  /** @type {{ subscribers: { clientId: string, metadata?: { name?: string } }[] }} */
  const body = await res.json();
  present.clear();
  for (const m of body.subscribers) present.set(m.clientId, m.metadata?.name ?? 'someone');
  renderMembers();
}

/**
 * @param {string} name
 * @param {string} room
 */
function join(name, room) {
  source?.close();
  me = { name, room };
  sessionStorage.setItem('ssehub-chat', JSON.stringify(me));
  history.replaceState(null, '', `?room=${encodeURIComponent(room)}`);
  messages.replaceChildren();
  present.clear();
  renderMembers();
  system(`You joined #${room} as ${name}.`);
  const query = new URLSearchParams({ topic: `chat/${room}`, meta: JSON.stringify({ name }) });
  const es = new EventSource(`/events?${query}`);
  source = es;
  watchEventSource(es, badge, {
    onReset: () =>
      system(
        'The hub could not replay what you missed (it restarted without shared history); some messages may be gone.',
      ),
  });
  es.addEventListener('open', () => void loadMembers());
  es.addEventListener('chat', (e) => {
    /** @type {ChatMessage} */
    const message = JSON.parse(e.data);
    const mine = message.tab === tab;
    append(
      el(
        'div',
        {
          className: mine ? 'message mine' : 'message',
          testid: 'message',
          title: `event id ${e.lastEventId}`,
        },
        el('span', { className: 'who', text: message.name }),
        message.text,
        el('span', { className: 'when', text: clockTime(message.sentAt) }),
      ),
    );
  });
  es.addEventListener('presence', (e) => {
    /** @type {Presence} */
    const p = JSON.parse(e.data);
    const who = p.metadata?.name ?? 'someone';
    if (p.action === 'join') present.set(p.clientId, who);
    else present.delete(p.clientId);
    renderMembers();
    system(`${who} ${p.action === 'join' ? 'joined' : 'left'}.`);
  });
}

joinForm.addEventListener('submit', (e) => {
  e.preventDefault();
  const data = new FormData(joinForm);
  byId('join-error').hidden = true;
  join(String(data.get('name')).trim(), String(data.get('room')).trim());
  /** @type {HTMLInputElement} */ (sayForm.elements.namedItem('text')).focus();
});

sayForm.addEventListener('submit', async (e) => {
  e.preventDefault();
  const input = /** @type {HTMLInputElement} */ (sayForm.elements.namedItem('text'));
  const error = byId('say-error');
  if (!me.room) return showError(error, 'Join a room first.');
  /** @type {ChatMessage} */
  const message = { name: me.name, text: input.value, tab, sentAt: Date.now() };
  try {
    await postJson('/publish', { topic: `chat/${me.room}`, event: 'chat', data: message });
    input.value = '';
    error.hidden = true;
  } catch (err) {
    showError(error, err);
  }
});

// A name from this tab's last visit, a room from the link: a shared link lands in the room.
const saved = JSON.parse(sessionStorage.getItem('ssehub-chat') ?? '{}');
const params = new URLSearchParams(location.search);
const room = params.get('room') ?? saved.room ?? 'lobby';
const name = params.get('name') ?? saved.name;
/** @type {HTMLInputElement} */ (joinForm.elements.namedItem('room')).value = room;
if (name) {
  /** @type {HTMLInputElement} */ (joinForm.elements.namedItem('name')).value = name;
  join(name, room);
}
