// @ts-check
import { byId, clockTime, connectionBadge, el, watchEventSource } from './common.js';

const MAX_LINES = 5000;
const badge = connectionBadge(byId('state'));
const log = byId('log');
const pauseButton = /** @type {HTMLButtonElement} */ (byId('pause'));
const filter = /** @type {HTMLInputElement} */ (byId('filter'));
const follow = /** @type {HTMLInputElement} */ (byId('follow'));
const topic = new URLSearchParams(location.search).get('topic') ?? 'logs';
byId('topic-name').textContent = topic;

/** @type {EventSource | undefined} */
let source;
/** The last event shown: where a resume starts. */
let lastEventId = '';
let lines = 0;

/** @param {HTMLElement} line */
function matches(line) {
  const text = filter.value.trim().toLowerCase();
  return text === '' || (line.textContent ?? '').toLowerCase().includes(text);
}

/** @param {HTMLElement} line */
function add(line) {
  line.hidden = !matches(line);
  log.append(line);
  // The oldest lines go first, so a tail left open all day stays light.
  while (log.childElementCount > MAX_LINES) log.firstElementChild?.remove();
  if (follow.checked) log.scrollTop = log.scrollHeight;
}

/** @param {string} text */
const note = (text) => add(el('div', { className: 'note', text: `— ${text} —` }));

/** @param {MessageEvent} e */
function onLine(e) {
  lastEventId = e.lastEventId;
  lines++;
  byId('count').textContent = `${lines} lines`;
  const level = /\b(ERROR|WARN)\b/.exec(e.data)?.[1] ?? '';
  const line = el('div', { className: level, text: e.data, testid: 'line' });
  line.dataset.id = e.lastEventId;
  add(line);
}

function open() {
  // A new EventSource cannot be given a Last-Event-ID header; the hub takes it in the query.
  const query = new URLSearchParams({ topic });
  if (lastEventId !== '') query.set('lastEventId', lastEventId);
  const es = new EventSource(`/events?${query}`);
  source = es;
  watchEventSource(es, badge, {
    onReset: () =>
      note('the hub could not replay everything since the pause; lines may be missing'),
  });
  // `ssehub publish` and `ssehub tail` send plain messages; the demo feed names them `log`.
  es.addEventListener('message', onLine);
  es.addEventListener('log', onLine);
}

pauseButton.addEventListener('click', () => {
  if (source !== undefined) {
    source.close();
    source = undefined;
    badge.set('closed');
    note(`paused at ${clockTime(Date.now())}`);
    pauseButton.textContent = 'Resume';
  } else {
    note(`resumed from event ${lastEventId || '(none)'}`);
    pauseButton.textContent = 'Pause';
    open();
  }
});

filter.addEventListener('input', () => {
  for (const line of /** @type {HTMLCollectionOf<HTMLElement>} */ (log.children)) {
    line.hidden = !matches(line);
  }
});

open();
