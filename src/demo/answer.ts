import { setTimeout as sleep } from 'node:timers/promises';

/** What the stand-in model has done, so the page (and tests) can see a stop reach upstream. */
export interface GenerationStats {
  started: number;
  active: number;
  completed: number;
  cancelled: number;
  tokens: number;
}

const TOPICS: readonly [RegExp, string][] = [
  [
    /resum|reconnect|last-event-id|lost/i,
    'When a connection drops, the browser reconnects on its own and sends the id of the last ' +
      'event it saw as Last-Event-ID. The hub replays every event after that id from its ' +
      'history, in order, so nothing is lost and nothing arrives twice. If the id is too old, ' +
      'the client gets an explicit reset event instead of a silent gap.',
  ],
  [
    /scale|redis|nats|cluster|worker/i,
    'One hub process holds tens of thousands of streams. Past that, run several workers on ' +
      'one machine, or several machines sharing Redis Streams or NATS JetStream: any node can ' +
      'resume any client, because history lives in the engine, not in one process.',
  ],
];
const DEFAULT =
  'Server-Sent Events are a plain HTTP response that never ends. The server writes one event ' +
  'after another, the browser reads them as they arrive, and EventSource reconnects by itself. ' +
  'For an AI answer that means each token can be shown the moment the model produces it, and a ' +
  'stop button only has to close the request: the server notices and stops generating.';

/**
 * A stand-in for an LLM: answers `prompt` word by word with a small, varying delay, and stops
 * as soon as `signal` aborts, mid-wait included. No model, no download.
 */
export function createModel(options: { readonly delayMs?: number | undefined } = {}) {
  const delayMs = options.delayMs ?? 45;
  const stats: GenerationStats = { started: 0, active: 0, completed: 0, cancelled: 0, tokens: 0 };

  async function* generate(prompt: string, signal: AbortSignal): AsyncGenerator<string> {
    const body = TOPICS.find(([pattern]) => pattern.test(prompt))?.[1] ?? DEFAULT;
    const words = `You asked: "${prompt}". ${body}`.split(' ');
    stats.started++;
    stats.active++;
    let finished = false;
    try {
      for (const [i, word] of words.entries()) {
        // Models stall now and then; a jittered delay makes the stream look like one.
        await sleep(delayMs * (0.5 + Math.random()), undefined, { signal });
        stats.tokens++;
        yield i === words.length - 1 ? word : `${word} `;
      }
      finished = true;
    } finally {
      stats.active--;
      if (finished) stats.completed++;
      else stats.cancelled++;
    }
  }

  return { generate, stats: (): GenerationStats => ({ ...stats }) };
}
