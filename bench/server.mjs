// `npm run bench:server`: load on the reference server from a separate process.
// A forked load generator (bench/load/server-load.mjs, `ws`) opens many WebSocket
// connections with the flare-core handshake; the server's RSS comes from /health.
// Reported: connections held, memory per connection, handshakes/s, fan-out latency
// (p50/p99) and deliveries/s for a room of 1,000 members, inbound frames/s. The fan-out latency
// is measured interleaved with two anchors on the same machine: a bare `ws` relay and socket.io.
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
const row = (kase, metric, unit, samples, better, extra, contender = 'flare-server') => ({
  case: kase,
  contender,
  metric,
  unit,
  value: median(samples),
  better,
  runs: samples.length,
  spread: spread(samples),
  ...(extra ? { extra } : {}),
});

/** Starts an anchor server (bench/load/anchor-server.mjs) in its own process; resolves to its port. */
function anchorServer(kind) {
  const child = fork(fileURLToPath(new URL('./load/anchor-server.mjs', import.meta.url)), [kind], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('message', (m) => resolve({ port: m.port, kill: () => child.kill('SIGKILL') }));
    child.once('exit', (code) => reject(new Error(`anchor ${kind} exited with ${code}`)));
  });
}

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
  const anchorsUp = [];
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
    const group = Math.min(members + 1, held);
    await load.call('join', { room, count: group });
    // Anchors: the same room of `members` receivers on a bare ws relay and on socket.io, measured
    // interleaved with ours so that the ratios hold on a busy machine.
    const anchorKinds = ['raw-websocket', 'socket.io'];
    for (const kind of anchorKinds) {
      const a = await anchorServer(kind);
      anchorsUp.push(a);
      await load.call('anchorConnect', { kind, url: kind === 'socket.io' ? `http://127.0.0.1:${a.port}` : `ws://127.0.0.1:${a.port}`, count: group, room });
    }
    const rounds = ctx.quick ? 3 : 7;
    const samples = new Map();
    const add = (contender, f) => {
      if (f.received !== f.expected) console.log(`  ${contender} fan-out: ${f.received}/${f.expected} delivered`);
      if (!samples.has(contender)) samples.set(contender, { p50: [], p99: [], last50: [], last99: [] });
      const x = samples.get(contender);
      x.p50.push(f.p50);
      x.p99.push(f.p99);
      x.last50.push(f.lastMemberP50);
      x.last99.push(f.lastMemberP99);
    };
    for (let r = 0; r < rounds; r++) {
      add('flare-server', await load.call('fanout', { room, members: group, messages: 20, gapMs: 20 }));
      for (const kind of anchorKinds) add(kind, await load.call('anchorFanout', { kind, messages: 20, gapMs: 20 }));
    }
    await load.call('anchorClose');
    const fanCase = `fanout.room-${members}`;
    for (const [contender, x] of samples) {
      const extra = contender === 'flare-server' ? { connectionsOpen: held, format: 'json' } : { connectionsOpen: group };
      rows.push(row(`${fanCase}.latency`, 'p50', 'ms', x.p50, 'lower', extra, contender));
      rows.push(row(`${fanCase}.latency`, 'p99', 'ms', x.p99, 'lower', extra, contender));
      rows.push(row(`${fanCase}.last-member`, 'p50', 'ms', x.last50, 'lower', extra, contender));
      rows.push(row(`${fanCase}.last-member`, 'p99', 'ms', x.last99, 'lower', extra, contender));
    }

    const bursts = [];
    for (let r = 0; r < (ctx.quick ? 2 : 5); r++) {
      const b = await load.call('burst', { room, members: group, messages: 100 });
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
    for (const a of anchorsUp) a.kill();
    load.kill();
    await server.stop();
  }
  return rows;
}
