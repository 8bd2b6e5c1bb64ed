// @ts-check
// What every demo page shares: the connection badge, small DOM helpers and the publish call.

/** @typedef {'connecting' | 'open' | 'reconnecting' | 'reset' | 'closed'} ConnectionState */

/**
 * @param {string} id
 * @returns {HTMLElement}
 */
export function byId(id) {
  const found = document.getElementById(id);
  if (found === null) throw new Error(`the page has no #${id}`);
  return found;
}

/**
 * An element with text or children; never HTML from a string, so nothing an event carries can
 * become markup.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {{ className?: string, text?: string, title?: string, testid?: string }} [props]
 * @param {(Node | string)[]} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  if (props.className) node.className = props.className;
  if (props.text !== undefined) node.textContent = props.text;
  if (props.title) node.title = props.title;
  if (props.testid) node.dataset.testid = props.testid;
  node.append(...children);
  return node;
}

const LABELS = {
  connecting: 'connecting…',
  open: 'open',
  reconnecting: 'reconnecting…',
  reset: 'reset: events were missed',
  closed: 'closed',
};

/**
 * The badge every page shows. `reset` stays until the next state change, so a reader sees that
 * the hub could not fill a gap (its history was lost or too short) and the page reloaded state.
 * @param {HTMLElement} badge
 */
export function connectionBadge(badge) {
  /** @type {ConnectionState} */
  let state = 'closed';
  /** @param {ConnectionState} next */
  const set = (next) => {
    state = next;
    badge.dataset.state = next;
    badge.textContent = LABELS[next];
  };
  set('closed');
  return { set, get: () => state };
}

/**
 * Drives a badge from the browser's own EventSource, which tells open from error but not a
 * first connect from a reconnect; the page knows that from whether it was ever open.
 * @param {EventSource} source
 * @param {ReturnType<typeof connectionBadge>} badge
 * @param {{ onReset?: (reason: string) => void }} [hooks]
 */
export function watchEventSource(source, badge, hooks = {}) {
  let wasOpen = false;
  badge.set('connecting');
  source.addEventListener('open', () => {
    wasOpen = true;
    badge.set('open');
  });
  source.addEventListener('error', () => {
    if (source.readyState === EventSource.CLOSED) badge.set('closed');
    else badge.set(wasOpen ? 'reconnecting' : 'connecting');
  });
  source.addEventListener('reset', (e) => {
    badge.set('reset');
    hooks.onReset?.(reasonOf(/** @type {MessageEvent} */ (e).data));
  });
}

/** @param {string} data */
export function reasonOf(data) {
  try {
    return String(JSON.parse(data).reason ?? 'unknown');
  } catch {
    return 'unknown';
  }
}

/**
 * POSTs JSON and returns the reply; a refusal throws with the hub's own message.
 * @param {string} path
 * @param {unknown} body
 * @param {Record<string, string>} [headers]
 * @returns {Promise<any>}
 */
export async function postJson(path, body, headers = {}) {
  const res = await fetch(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const reply = await res.json().catch(() => ({}));
  if (!res.ok) {
    throw new Error(reply?.error?.message ?? `${res.status} ${res.statusText}`);
  }
  return reply;
}

/**
 * Shows an error under a form until the next success.
 * @param {HTMLElement} target
 * @param {unknown} error
 */
export function showError(target, error) {
  target.textContent = error instanceof Error ? error.message : String(error);
  target.hidden = false;
}

/** @param {number} ms */
export function clockTime(ms) {
  return new Date(ms).toLocaleTimeString([], {
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
}
