// `npm run bench:server`: load on the reference server from a separate process.
// A forked load generator (bench/load/server-load.mjs, `ws`) opens many WebSocket
// connections with the flare-core handshake; the server's RSS comes from /health.
// Reported: connections held, memory per connection, handshakes/s, fan-out latency
// (p50/p99) and deliveries/s for a room of 1,000 members, inbound frames/s.
// Arguments: `connections=N` (default 10000; 1000 under BENCH_QUICK=1), `members=N`.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startServer } from '../scripts/server-process.mjs';

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const spread = (xs) => (median(xs) ? (Math.max(...xs) - Math.min(...xs)) / median(xs) : 0);
const row = (kase, metric, unit, samples, better, extra) => ({
  case: kase,
  contender: 'flare-server',
  metric,
  unit,
  value: median(samples),
  better,
  runs: samples.length,
  spread: spread(samples),
  ...(extra ? { extra } : {}),
});

function loadProcess() {
  const child = fork(fileURLToPath(new URL('./load/server-load.mjs', import.meta.url)), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let seq = 0;
  const waiting = new Map();
  const ready = new Promise((resolve) => {
    child.on('message', (m) => {
      if (m.ready) return resolve();
      const w = waiting.get(m.seq);
      waiting.delete(m.seq);
      if (m.ok) w.resolve(m.result);
      else w.reject(new Error(m.error));
    });
  });
  return {
    ready,
    call: (op, args = {}) =>
      new Promise((resolve, reject) => {
        waiting.set(++seq, { resolve, reject });
        child.send({ op, args, seq });
      }),
    kill: () => child.kill('SIGKILL'),
  };
}

async function health(url) {
  return await (await fetch(`${url}/health`)).json();
}

export default async function (ctx) {
  const args = Object.fromEntries(ctx.args.map((a) => a.split('=')));
  const target = Number(args.connections ?? (ctx.quick ? 1000 : 10_000));
  const members = Number(args.members ?? 1000);
  const server = await startServer({ args: ['--log-level', 'warn'] });
  const load = loadProcess();
  const rows = [];
  try {
    await load.ready;
    const wsUrl = `${server.url.replace(/^http/, 'ws')}/ws`;
    await new Promise((r) => setTimeout(r, 500));
    const before = await health(server.url);

    const conn = await load.call('connect', { url: wsUrl, count: target, concurrency: 128 });
    await new Promise((r) => setTimeout(r, 1000));
    const after = await health(server.url);
    const held = after.connections.total;
    const perConn = (after.memory.rss_bytes - before.memory.rss_bytes) / Math.max(1, held) / 1024;
    console.log(`  connections: ${held} held of ${target} (${conn.failures} failed) in ${conn.seconds.toFixed(1)} s; server RSS ${(before.memory.rss_bytes / 2 ** 20).toFixed(0)} -> ${(after.memory.rss_bytes / 2 ** 20).toFixed(0)} MiB`);
    rows.push(row('connections.held', 'connections', 'connections', [held], 'higher', { target, failures: conn.failures }));
    rows.push(row('connections.memory', 'memory', 'KiB/connection', [perConn], 'lower', { rssBeforeMiB: before.memory.rss_bytes / 2 ** 20, rssAfterMiB: after.memory.rss_bytes / 2 ** 20 }));
    rows.push(row('connections.handshake-rate', 'throughput', 'handshakes/s', [conn.connected / conn.seconds], 'higher'));

    const room = 'bench-fanout';
    await load.call('join', { room, count: Math.min(members + 1, held) });
    const rounds = ctx.quick ? 3 : 7;
    const p50s = [];
    const p99s = [];
    const lastP50 = [];
    const lastP99 = [];
    for (let r = 0; r < rounds; r++) {
      const f = await load.call('fanout', { room, members: Math.min(members + 1, held), messages: 20, gapMs: 20 });
      if (f.received !== f.expected) console.log(`  fan-out round ${r}: ${f.received}/${f.expected} delivered`);
      p50s.push(f.p50);
      p99s.push(f.p99);
      lastP50.push(f.lastMemberP50);
      lastP99.push(f.lastMemberP99);
    }
    const fanCase = `fanout.room-${members}`;
    rows.push(row(`${fanCase}.latency`, 'p50', 'ms', p50s, 'lower', { connectionsOpen: held }));
    rows.push(row(`${fanCase}.latency`, 'p99', 'ms', p99s, 'lower', { connectionsOpen: held }));
    rows.push(row(`${fanCase}.last-member`, 'p50', 'ms', lastP50, 'lower'));
    rows.push(row(`${fanCase}.last-member`, 'p99', 'ms', lastP99, 'lower'));

    const bursts = [];
    for (let r = 0; r < (ctx.quick ? 2 : 5); r++) {
      const b = await load.call('burst', { room, members: Math.min(members + 1, held), messages: 100 });
      if (b.received !== b.expected) console.log(`  burst round ${r}: ${b.received}/${b.expected} delivered`);
      bursts.push(b.deliveriesPerSec);
    }
    rows.push(row(`${fanCase}.throughput`, 'throughput', 'deliveries/s', bursts, 'higher'));

    const pingRates = [];
    for (let r = 0; r < (ctx.quick ? 2 : 5); r++) {
      const p = await load.call('pings', { senders: Math.min(1000, held), perSender: 20 });
      pingRates.push(p.framesPerSec);
    }
    rows.push(row('inbound.ping-pong', 'throughput', 'frames/s', pingRates, 'higher', { senders: Math.min(1000, held), note: 'PINGs in and PONGs out per second' }));
    const st = await load.call('status');
    console.log(`  open at the end: ${st.open}; closes seen: ${JSON.stringify(st.closes)}`);
    await load.call('close');
  } finally {
    load.kill();
    await server.stop();
  }
  return rows;
}
