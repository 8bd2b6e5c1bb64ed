// @ts-check
import { connect } from './client/index.js';
import { byId, connectionBadge, showError } from './common.js';

/** @typedef {{ started: number, active: number, completed: number, cancelled: number, tokens: number }} GenerationStats */

const badge = connectionBadge(byId('state'));
const form = /** @type {HTMLFormElement} */ (byId('ask'));
const send = /** @type {HTMLButtonElement} */ (byId('send'));
const stop = /** @type {HTMLButtonElement} */ (byId('stop'));
const answer = byId('answer');
const meta = byId('meta');

/** @type {import('./client/index.js').SseClient<{ token: string, done: string, error: { message: string } }> | undefined} */
let stream;

/** What the server's generator did: shows that a stop reached it, not just this page. */
async function showServerSide() {
  const res = await fetch('/demos/ai/stats');
  /** @type {GenerationStats} */
  const s = await res.json();
  byId('server').textContent =
    `Server side: ${s.active} generating now, ${s.completed} answers finished, ` +
    `${s.cancelled} stopped early, ${s.tokens} tokens generated in all.`;
}

/** @param {string} state */
function finish(state) {
  stream?.close();
  stream = undefined;
  answer.classList.remove('streaming');
  send.disabled = false;
  stop.disabled = true;
  badge.set('closed');
  meta.textContent = state;
  // The generator notices the closed request within a word; ask after that.
  setTimeout(() => void showServerSide(), 300);
}

form.addEventListener('submit', (e) => {
  e.preventDefault();
  const prompt = String(new FormData(form).get('prompt')).trim();
  if (prompt === '') return;
  byId('error').hidden = true;
  answer.textContent = '';
  answer.classList.add('streaming');
  send.disabled = true;
  stop.disabled = false;
  let tokens = 0;
  const started = performance.now();
  badge.set('connecting');
  meta.textContent = '';
  stream = connect('/demos/ai', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ prompt }),
    json: ['error'],
    // A dropped answer is not resumed: posting again would start a new one.
    reconnect: { maxRetries: 0 },
    onOpen: () => badge.set('open'),
    onClose: (error) => {
      if (error && stream !== undefined) {
        showError(byId('error'), error);
        finish('failed');
      }
    },
  });
  stream.on('token', (event) => {
    tokens++;
    answer.textContent += event.data;
    meta.textContent = `${tokens} tokens · ${Math.round(performance.now() - started)} ms`;
  });
  stream.on('done', () =>
    finish(`done: ${tokens} tokens in ${Math.round(performance.now() - started)} ms`),
  );
  stream.on('error', (event) => {
    showError(byId('error'), event.data.message);
    finish('failed');
  });
});

stop.addEventListener('click', () => finish('stopped'));
void showServerSide();
