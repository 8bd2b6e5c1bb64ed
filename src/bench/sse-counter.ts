import { newHistogram, record } from './histogram.js';

/**
 * Reads one subscriber's raw HTTP response as cheaply as possible (the load generator shares
 * the machine with the server it measures): skips the head, undoes chunked framing, and picks
 * out `id:` and `data:` lines. Bench events carry `<seq>.<sent µs>` as their data.
 */
export class SseCounter {
  /** The id of the last event, for resuming. */
  lastId = '';
  received = 0;
  private head = true;
  private chunked = false;
  private chunkLeft = 0;
  private sizeLine = '';
  private line = '';
  private data: string | undefined;
  private id: string | undefined;
  /** Head bytes kept until the blank line is found. */
  private headText = '';

  constructor(private readonly sink: DeliverySink) {}

  /** Whether the response head has arrived (the subscription is in place). */
  get open(): boolean {
    return !this.head;
  }

  push(chunk: string): void {
    let text = chunk;
    if (this.head) {
      this.headText += text;
      const end = this.headText.indexOf('\r\n\r\n');
      if (end === -1) return;
      const head = this.headText.slice(0, end).toLowerCase();
      this.chunked = head.includes('transfer-encoding: chunked');
      this.head = false;
      if (!head.startsWith('http/1.1 200') && !head.startsWith('http/1.0 200')) {
        this.sink.failed(head.split('\r\n')[0] ?? 'bad response');
      }
      text = this.headText.slice(end + 4);
      this.headText = '';
    }
    if (!this.chunked) {
      this.body(text);
      return;
    }
    let at = 0;
    while (at < text.length) {
      if (this.chunkLeft > 0) {
        const take = Math.min(this.chunkLeft, text.length - at);
        this.body(text.slice(at, at + take));
        this.chunkLeft -= take;
        at += take;
        continue;
      }
      const nl = text.indexOf('\n', at);
      if (nl === -1) {
        this.sizeLine += text.slice(at);
        return;
      }
      const size = (this.sizeLine + text.slice(at, nl)).trim();
      this.sizeLine = '';
      at = nl + 1;
      // An empty line is the CRLF that ends each chunk's data.
      if (size !== '') this.chunkLeft = Number.parseInt(size, 16);
    }
  }

  private body(text: string): void {
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      const line = this.line + text.slice(start, nl);
      this.line = '';
      start = nl + 1;
      this.field(line.endsWith('\r') ? line.slice(0, -1) : line);
    }
    this.line += text.slice(start);
  }

  private field(line: string): void {
    if (line === '') {
      if (this.id !== undefined) this.lastId = this.id;
      // Only bench events count: not the hub's `connected` greeting, nor anything else.
      if (this.data !== undefined && this.sink.delivered(this.data)) this.received++;
      this.data = undefined;
      this.id = undefined;
    } else if (line.startsWith('data:')) {
      this.data = line.slice(line.charCodeAt(5) === 32 ? 6 : 5);
    } else if (line.startsWith('id:')) {
      this.id = line.slice(line.charCodeAt(3) === 32 ? 4 : 3);
    }
  }
}

export interface DeliverySink {
  /** Whether it was a bench event. */
  delivered(data: string): boolean;
  failed(why: string): void;
}

/**
 * Per bench event: deliveries, first and last arrival (µs); and every delivery's latency.
 * `report` hears the first few failures as they happen.
 */
export function createDeliveryLog(report?: (why: string) => void) {
  const events = new Map<number, [count: number, first: number, last: number]>();
  let latency = newHistogram();
  let other = 0;
  const failures: string[] = [];
  const BENCH_DATA = /^"?(\d+)\.(\d+)/;
  return {
    sink: {
      delivered(data: string) {
        const now = (performance.timeOrigin + performance.now()) * 1000;
        const m = BENCH_DATA.exec(data);
        if (m === null) {
          other++;
          return false;
        }
        const seq = Number(m[1]);
        record(latency, now - Number(m[2]));
        const e = events.get(seq);
        if (e === undefined) events.set(seq, [1, now, now]);
        else {
          e[0]++;
          e[2] = now;
        }
        return true;
      },
      failed(why: string) {
        // The first few reasons are enough to tell a limit from a bug.
        if (failures.length >= 5) return;
        failures.push(why);
        if (failures.length <= 3) report?.(why);
      },
    } satisfies DeliverySink,
    snapshot() {
      return { events: [...events.entries()], latency, other, failures };
    },
    reset() {
      events.clear();
      latency = newHistogram();
      other = 0;
    },
  };
}
