// @ts-check
import { byId, clockTime, connectionBadge, postJson, watchEventSource } from './common.js';

/**
 * @typedef {{ at: number, node: string, connections: number, publishesPerSecond: number,
 *   deliveriesPerSecond: number, bytesOutPerSecond: number, cpuPercent: number, rssBytes: number,
 *   eventLoopDelayMs: number }} Stats
 */

const WINDOW = 120; // samples (seconds) on the charts
const badge = connectionBadge(byId('state'));
const number = new Intl.NumberFormat('en');

/** @type {[number[], number[], number[]]} */
const throughput = [[], [], []];
/** @type {[number[], number[]]} */
const streams = [[], []];

/**
 * @param {string} target
 * @param {{ label: string, stroke: string }[]} lines
 * @param {AlignedData} data
 */
function chart(target, lines, data) {
  const host = byId(target);
  return new uPlot(
    {
      width: Math.max(300, host.clientWidth - 32),
      height: 200,
      series: [{}, ...lines.map((l) => ({ ...l, width: 2 }))],
      axes: [{}, { size: 60 }],
      scales: { x: { time: true } },
    },
    data,
    host,
  );
}
const throughputChart = chart(
  'throughput',
  [
    { label: 'delivered / s', stroke: '#2f6fed' },
    { label: 'published / s', stroke: '#1f9d55' },
  ],
  throughput,
);
const streamsChart = chart('streams', [{ label: 'open streams', stroke: '#c98a00' }], streams);

/**
 * @param {number[][]} series
 * @param {number[]} values
 */
function push(series, values) {
  values.forEach((v, i) => {
    series[i]?.push(v);
    if ((series[i]?.length ?? 0) > WINDOW) series[i]?.shift();
  });
}

/** @param {Stats} s */
function show(s) {
  byId('connections').textContent = number.format(s.connections);
  byId('deliveries').textContent = number.format(s.deliveriesPerSecond);
  byId('publishes').textContent = number.format(s.publishesPerSecond);
  byId('cpu').textContent = `${s.cpuPercent} %`;
  byId('rss').textContent = `${(s.rssBytes / 2 ** 20).toFixed(0)} MiB`;
  byId('lag').textContent = `${s.eventLoopDelayMs} ms`;
  byId('updated').textContent = `last sample ${clockTime(s.at)} from ${s.node}`;
  push(throughput, [s.at / 1000, s.deliveriesPerSecond, s.publishesPerSecond]);
  push(streams, [s.at / 1000, s.connections]);
  throughputChart.setData(throughput);
  streamsChart.setData(streams);
}

const source = new EventSource('/events?topic=demo/stats&topic=demo/burst');
watchEventSource(source, badge);
source.addEventListener('stats', (e) => show(JSON.parse(e.data)));

byId('burst').addEventListener('click', async () => {
  const button = /** @type {HTMLButtonElement} */ (byId('burst'));
  button.disabled = true;
  try {
    // Ten at a time: enough to move the chart, not enough to trip the publish rate limit.
    for (let i = 0; i < 500; i += 10) {
      await Promise.all(
        Array.from({ length: 10 }, (_, j) =>
          postJson('/publish', { topic: 'demo/burst', data: String(i + j) }),
        ),
      );
    }
  } finally {
    button.disabled = false;
  }
});

addEventListener('resize', () => {
  for (const [plot, id] of /** @type {const} */ ([
    [throughputChart, 'throughput'],
    [streamsChart, 'streams'],
  ])) {
    plot.setSize({ width: Math.max(300, byId(id).clientWidth - 32), height: 200 });
  }
});
