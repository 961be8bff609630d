// Load generator for bench/server.mjs, run as a separate Node process (forked):
// many WebSocket connections speaking the flare-core protocol in its JSON format,
// driven by IPC commands from the orchestrator. Plain JavaScript, no codec
// imports, so that the load side stays cheap and independent of the server code.
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';

const enc = new TextEncoder();
const dec = new TextDecoder();
let counter = 0;

const bytes = (s) => `[${enc.encode(s).join(',')}]`;
const meta = (obj) => `{${Object.entries(obj).map(([k, v]) => `${JSON.stringify(k)}:${bytes(String(v))}`).join(',')}}`;
const id = () => `${Date.now()}-${(counter++).toString(16).padStart(16, '0')}`;
const frame = (command, reliability = 1) => `{"command":${command},"message_id":"${id()}","reliability":${reliability},"timestamp":${Date.now()},"metadata":{}}`;
const system = (type, m = {}) => `{"type":{"system":{"type":${type},"format":1,"message":"","metadata":${meta(m)},"data":[],"compression":"","encryption":""}}}`;
const custom = (name, m, data) => `{"type":{"custom":{"name":${JSON.stringify(name)},"data":${bytes(data)},"metadata":${meta(m)}}}}`;
const payload = (m, data) => `{"type":{"payload":{"type":1,"message_id":"","payload":${bytes(data)},"metadata":${meta(m)},"seq":0}}}`;
const metaText = (m, k) => (m && m[k] ? dec.decode(Uint8Array.from(m[k])) : undefined);

/** One client connection. `onFrame` sees every parsed frame after the handshake. */
class Client {
  constructor(url, userId) {
    this.url = url;
    this.userId = userId;
    this.onFrame = null;
    this.rpcWaiters = new Map();
    this.rpcId = 0;
  }

  open() {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(this.url, { perMessageDeflate: false });
      this.ws = ws;
      ws.binaryType = 'nodebuffer';
      let acked = false;
      ws.on('open', () => ws.send(enc.encode(frame(system(1, { format: 'json', user_id: this.userId, device_id: `${this.userId}-d`, platform: 'bench' })))));
      ws.on('message', (data) => {
        const f = JSON.parse(data.toString('utf8'));
        if (!acked) {
          const s = f.command?.type?.system;
          if (s?.type === 2) {
            acked = true;
            ws.send(enc.encode(frame(system(11))));
            resolve();
          } else reject(new Error(`handshake refused: ${s?.message}`));
          return;
        }
        const c = f.command?.type?.custom;
        if (c && c.name === 'flare.rpc.res') {
          const w = this.rpcWaiters.get(metaText(c.metadata, 'id'));
          if (w) {
            this.rpcWaiters.delete(metaText(c.metadata, 'id'));
            w(c);
          }
          return;
        }
        this.onFrame?.(f);
      });
      ws.on('error', (e) => (acked ? undefined : reject(e)));
      ws.on('close', (code) => {
        this.closed = true;
        closes.set(code, (closes.get(code) ?? 0) + 1);
      });
    });
  }

  send(text) {
    this.ws.send(enc.encode(text));
  }

  call(method, body) {
    const rid = `r${++this.rpcId}`;
    return new Promise((resolve) => {
      this.rpcWaiters.set(rid, resolve);
      this.send(frame(custom('flare.rpc.req', { id: rid, method }, JSON.stringify(body)), 0));
    });
  }
}

const clients = [];
/** Close codes seen, for the report (a healthy run has none until `close`). */
const closes = new Map();

// Keep-alive as flare-core clients do it: a PING every 30 s per connection, spread out
// (the server closes connections silent for 300 s).
const KEEPALIVE_MS = 30_000;
setInterval(() => {
  const slice = Math.ceil(clients.length / 30);
  const start = (Math.floor(performance.now() / 1000) % 30) * slice;
  const ping = frame(system(4), 0);
  for (const c of clients.slice(start, start + slice)) if (!c.closed) c.send(ping);
}, KEEPALIVE_MS / 30).unref();

async function connect({ url, count, concurrency }) {
  const t0 = performance.now();
  let next = clients.length;
  const target = clients.length + count;
  let failures = 0;
  const worker = async () => {
    while (next < target) {
      const i = next++;
      const c = new Client(url, `u${i}`);
      try {
        await c.open();
        clients.push(c);
      } catch {
        failures++;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { connected: clients.length, failures, seconds: (performance.now() - t0) / 1000 };
}

async function join({ room, count }) {
  const members = clients.slice(0, count);
  // Members do not take part in presence events: in a room of 1,000 every join would reach every member.
  for (let i = 0; i < members.length; i += 100) await Promise.all(members.slice(i, i + 100).map((c) => c.call('room.join', { room, presence_events: false })));
  return { joined: members.length };
}

const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

/**
 * Fan-out latency: the publisher (the last member) sends `messages` messages one
 * at a time, each after every member got the previous one (so a message never
 * queues behind the last); every other member records (receipt - send).
 */
async function fanout({ room, members, messages, gapMs }) {
  const group = clients.slice(0, members);
  const publisher = group[group.length - 1];
  const receivers = group.slice(0, -1);
  const latencies = [];
  const lastArrival = [];
  let received = 0;
  let got = 0;
  let wake = null;
  for (const c of receivers) {
    c.onFrame = (f) => {
      const p = f.command?.type?.payload;
      if (!p || p.type !== 1 || metaText(p.metadata, 'room') !== room) return;
      const sent = Number(dec.decode(Uint8Array.from(p.payload)).split(':')[1]);
      latencies.push(performance.now() - sent);
      received++;
      if (++got === receivers.length) wake?.();
    };
  }
  for (let n = 0; n < messages; n++) {
    got = 0;
    const all = new Promise((r) => (wake = r));
    const t0 = performance.now();
    publisher.send(frame(payload({ room }, `${n}:${t0}`), 1));
    await Promise.race([all, new Promise((r) => setTimeout(r, 5000))]);
    lastArrival.push(performance.now() - t0);
    await new Promise((r) => setTimeout(r, gapMs));
  }
  for (const c of receivers) c.onFrame = null;
  latencies.sort((a, b) => a - b);
  lastArrival.sort((a, b) => a - b);
  return {
    received,
    expected: receivers.length * messages,
    p50: quantile(latencies, 0.5),
    p99: quantile(latencies, 0.99),
    lastMemberP50: quantile(lastArrival, 0.5),
    lastMemberP99: quantile(lastArrival, 0.99),
  };
}

/** Fan-out throughput: `messages` published back to back; deliveries per second until the last arrives. */
async function burst({ room, members, messages }) {
  const group = clients.slice(0, members);
  const publisher = group[group.length - 1];
  const receivers = group.slice(0, -1);
  let received = 0;
  const expected = receivers.length * messages;
  let done;
  const finished = new Promise((r) => (done = r));
  for (const c of receivers) {
    c.onFrame = (f) => {
      const p = f.command?.type?.payload;
      if (p && p.type === 1 && ++received === expected) done();
    };
  }
  const t0 = performance.now();
  for (let n = 0; n < messages; n++) publisher.send(frame(payload({ room }, `b${n}`), 0));
  await Promise.race([finished, new Promise((r) => setTimeout(r, 60_000))]);
  const seconds = (performance.now() - t0) / 1000;
  for (const c of receivers) c.onFrame = null;
  return { received, expected, seconds, deliveriesPerSec: received / seconds };
}

/** Inbound frames: `senders` connections each pipeline `perSender` PINGs; PONGs per second. */
async function pings({ senders, perSender }) {
  const group = clients.slice(0, senders);
  let pongs = 0;
  const expected = group.length * perSender;
  let done;
  const finished = new Promise((r) => (done = r));
  for (const c of group) {
    c.onFrame = (f) => {
      if (f.command?.type?.system?.type === 5 && ++pongs === expected) done();
    };
  }
  const ping = frame(system(4), 0);
  const t0 = performance.now();
  for (let i = 0; i < perSender; i++) for (const c of group) c.send(ping);
  await Promise.race([finished, new Promise((r) => setTimeout(r, 60_000))]);
  const seconds = (performance.now() - t0) / 1000;
  for (const c of group) c.onFrame = null;
  return { pongs, expected, seconds, framesPerSec: pongs / seconds };
}

function status() {
  return { open: clients.filter((c) => !c.closed).length, closes: Object.fromEntries(closes) };
}

async function close() {
  for (const c of clients) c.ws.terminate();
  clients.length = 0;
  return {};
}

const ops = { connect, join, fanout, burst, pings, status, close };
process.on('message', async ({ op, args, seq }) => {
  try {
    process.send({ seq, ok: true, result: await ops[op](args) });
  } catch (e) {
    process.send({ seq, ok: false, error: String(e?.stack ?? e) });
  }
});
process.send({ ready: true });
