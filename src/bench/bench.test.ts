import { describe, expect, it } from 'vitest';
import { formatTables, runBench } from './run.js';
import { fanout } from './scenarios.js';

// A smoke run, seconds long, so `ssehub bench` keeps working; the figures mean nothing at this
// size and are not checked. Benchmarks proper are `npm run bench`.
describe('ssehub bench (smoke)', () => {
  it('runs a tiny fan-out and reconnect storm against ssehub and the bare hub', async () => {
    const lines: string[] = [];
    const result = await runBench({
      targets: ['ssehub', 'bare-node'],
      scenarios: [
        {
          name: 'fanout-smoke',
          description: 'smoke',
          run: (c) => fanout(c, { subscribers: 20, events: 5, rate: 100, size: 64, storm: 3 }),
        },
      ],
      workers: 2,
      progress: (line) => lines.push(line),
    });
    expect(result.results.map((r) => [r.target, r.error])).toEqual([
      ['ssehub', undefined],
      ['bare-node', undefined],
    ]);
    const [ssehub, bare] = result.results.map((r) => r.figures!);
    expect(ssehub).toMatchObject({ subscribers: 20, deliveries: 100, missing: 0 });
    expect(ssehub!.stormResumedExactlyOnce).toBe(true);
    expect(bare).toMatchObject({ deliveries: 100, missing: 0, storm: 'n/a (no resume)' });
    expect(formatTables(result)).toContain('| ssehub |');
    expect(lines.some((l) => l.endsWith('done'))).toBe(true);
  }, 60_000);
});
