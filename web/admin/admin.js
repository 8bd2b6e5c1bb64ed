// The admin page: everything it shows arrives over the hub's own SSE stream (/admin/stream),
// read with ssehub/client so the admin token can go in a header.
import { connect } from '/admin/assets/client/index.js';

const $ = (id) => document.getElementById(id);
const TOKEN_KEY = 'ssehub-admin-token';
const WINDOW = 300; // seconds of history in the charts

const series = { t: [], publishes: [], deliveries: [], p50: [], p99: [] };
let token = sessionStorage.getItem(TOKEN_KEY) ?? '';
let stream;

const number = new Intl.NumberFormat('en');
const bytes = (n) =>
  n >= 1 << 30
    ? `${(n / (1 << 30)).toFixed(1)} GiB`
    : n >= 1 << 20
      ? `${(n / (1 << 20)).toFixed(1)} MiB`
      : `${Math.round(n / 1024)} KiB`;
const ago = (ms) => {
  const s = Math.max(0, Math.round((Date.now() - ms) / 1000));
  return s < 60 ? `${s}s` : s < 3600 ? `${Math.round(s / 60)}m` : `${Math.round(s / 3600)}h`;
};

function chart(target, labels, colors) {
  const width = () => Math.max(280, $(target).clientWidth);
  const plot = new uPlot(
    {
      width: width(),
      height: 200,
      scales: { x: { time: true } },
      axes: [{ stroke: '#8a94a6' }, { stroke: '#8a94a6', grid: { stroke: '#8a94a61f' } }],
      series: [
        {},
        ...labels.map((label, i) => ({
          label,
          stroke: colors[i],
          width: 2,
          fill: `${colors[i]}22`,
        })),
      ],
      legend: { live: false },
    },
    [[], ...labels.map(() => [])],
    $(target),
  );
  addEventListener('resize', () => plot.setSize({ width: width(), height: 200 }));
  return plot;
}
const rateChart = chart('rate-chart', ['publishes/s', 'deliveries/s'], ['#7c5cff', '#19b37d']);
const latencyChart = chart('latency-chart', ['p50', 'p99'], ['#3d8bfd', '#f0883e']);

function setState(text, kind) {
  $('state').textContent = text;
  $('state').className = `pill ${kind}`;
}

function cell(row, text, className) {
  const td = row.insertCell();
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

function onStats({ data }) {
  $('connections').textContent = number.format(data.connections);
  $('topics').textContent = number.format(data.topics);
  $('publishes').textContent = number.format(data.publishesPerSecond);
  $('deliveries').textContent = number.format(data.deliveriesPerSecond);
  $('lag').textContent = data.latency ? `${data.latency.lagP99Ms.toFixed(1)} ms` : '–';
  $('memory').textContent = bytes(data.rssBytes);
  setState(data.health.draining ? 'draining' : 'live', data.health.draining ? 'warn' : 'ok');
  series.t.push(data.at / 1000);
  series.publishes.push(data.publishesPerSecond);
  series.deliveries.push(data.deliveriesPerSecond);
  series.p50.push(data.latency?.lagP50Ms ?? 0);
  series.p99.push(data.latency?.lagP99Ms ?? 0);
  for (const values of Object.values(series)) if (values.length > WINDOW) values.shift();
  rateChart.setData([series.t, series.publishes, series.deliveries]);
  latencyChart.setData([series.t, series.p50, series.p99]);
}

function onClients({ data }) {
  const body = $('clients');
  body.replaceChildren();
  for (const client of data) {
    const row = body.insertRow();
    cell(row, client.id.slice(0, 8), 'mono').title = client.id;
    cell(row, client.subject ?? '—');
    cell(row, client.topics.join(', '), 'mono');
    cell(row, client.remoteAddress, 'mono');
    cell(row, ago(Date.parse(client.connectedAt)));
    cell(row, number.format(client.eventsSent), 'num');
    cell(row, client.eventsPerSecond.toFixed(2), 'num');
    cell(row, bytes(client.queuedBytes), 'num');
    const button = document.createElement('button');
    button.textContent = 'Disconnect';
    button.className = 'danger';
    button.addEventListener('click', async () => {
      button.disabled = true;
      await fetch(`/clients/${encodeURIComponent(client.id)}`, {
        method: 'DELETE',
        headers: authHeaders(),
      });
    });
    row.insertCell().append(button);
  }
}

function onTopics({ data }) {
  const body = $('topic-list');
  body.replaceChildren();
  for (const { topic, subscribers } of data
    .sort((a, b) => b.subscribers - a.subscribers)
    .slice(0, 50)) {
    const row = body.insertRow();
    cell(row, topic, 'mono');
    cell(row, number.format(subscribers), 'num');
  }
}

function onRecent({ data }) {
  const body = $('recent');
  body.replaceChildren();
  for (const event of data.slice(0, 20)) {
    const row = body.insertRow();
    cell(row, event.topic, 'mono');
    cell(row, event.event, 'mono');
    cell(row, event.data, 'mono data');
    cell(row, ago(event.at));
  }
}

const authHeaders = () => (token ? { authorization: `Bearer ${token}` } : {});

function start() {
  stream?.close();
  setState('connecting', '');
  stream = connect('/admin/stream', {
    headers: authHeaders,
    json: true,
    watchdogMs: 45_000,
    onOpen: () => {
      $('login').hidden = true;
      setState('live', 'ok');
    },
    onError: (error, retry) => setState(retry ? 'reconnecting' : error.message, 'warn'),
    onClose: (error) => {
      if (error?.status === 401 || error?.status === 403) {
        $('login').hidden = false;
        setState(token ? 'token refused' : 'sign in', 'warn');
      }
    },
  });
  stream.on('stats', onStats);
  stream.on('clients', onClients);
  stream.on('topics', onTopics);
  stream.on('recent', onRecent);
}

$('login').addEventListener('submit', (e) => {
  e.preventDefault();
  token = $('token').value.trim();
  sessionStorage.setItem(TOKEN_KEY, token);
  start();
});

start();
