// Load generator for bench/server.mjs, run as a separate Node process (forked):
// many WebSocket connections speaking the flare-core protocol, driven by IPC
// commands from the orchestrator. Frames are built here with protobufjs (the
// protobuf format, as flare-core clients default to) or as JSON text
// (FLARE_LOAD_FORMAT=json), independently of the server's own codec.
import { performance } from 'node:perf_hooks';
import protobuf from 'protobufjs';
import WebSocket from 'ws';
import { io } from 'socket.io-client';

const FORMAT = process.env.FLARE_LOAD_FORMAT === 'json' ? 'json' : 'protobuf';
const enc = new TextEncoder();
const dec = new TextDecoder();
let counter = 0;

// flare-core's proto/frame.proto and proto/commands.proto (the fields used here).
const meta5 = { keyType: 'string', type: 'bytes' };
const root = protobuf.Root.fromJSON({
  nested: {
    Frame: { fields: { command: { type: 'Command', id: 1 }, message_id: { type: 'string', id: 2 }, reliability: { type: 'int32', id: 3 }, timestamp: { type: 'uint64', id: 4 }, metadata: { ...meta5, id: 5 } } },
    Command: {
      oneofs: { type: { oneof: ['system', 'payload', 'notification', 'custom'] } },
      fields: { system: { type: 'SystemCommand', id: 1 }, payload: { type: 'PayloadCommand', id: 2 }, notification: { type: 'NotificationCommand', id: 3 }, custom: { type: 'CustomCommand', id: 4 } },
    },
    SystemCommand: { fields: { type: { type: 'int32', id: 1 }, format: { type: 'int32', id: 2 }, message: { type: 'string', id: 3 }, metadata: { ...meta5, id: 4 }, data: { type: 'bytes', id: 5 }, compression: { type: 'string', id: 6 }, encryption: { type: 'string', id: 7 } } },
    PayloadCommand: { fields: { type: { type: 'int32', id: 1 }, message_id: { type: 'string', id: 2 }, payload: { type: 'bytes', id: 3 }, metadata: { ...meta5, id: 4 }, seq: { type: 'uint64', id: 5 } } },
    NotificationCommand: { fields: { type: { type: 'int32', id: 1 }, title: { type: 'string', id: 2 }, content: { type: 'bytes', id: 3 }, metadata: { ...meta5, id: 4 } } },
    CustomCommand: { fields: { name: { type: 'string', id: 1 }, data: { type: 'bytes', id: 2 }, metadata: { ...meta5, id: 3 } } },
  },
});
const PbFrame = root.lookupType('Frame');

// Commands in a neutral shape: { system | payload | custom: {...} } with text metadata.
const system = (type, m = {}) => ({ system: { type, format: 1, metadata: m } });
const custom = (name, m, data) => ({ custom: { name, data, metadata: m } });
const payload = (m, data) => ({ payload: { type: 1, payload: data, metadata: m } });
const id = () => `${Date.now()}-${(counter++).toString(16).padStart(16, '0')}`;

const jsonBytes = (s) => `[${enc.encode(s).join(',')}]`;
const jsonMeta = (obj) => `{${Object.entries(obj).map(([k, v]) => `${JSON.stringify(k)}:${jsonBytes(String(v))}`).join(',')}}`;
function jsonCommand(c) {
  if (c.system) return `{"type":{"system":{"type":${c.system.type},"format":1,"message":"","metadata":${jsonMeta(c.system.metadata)},"data":[],"compression":"","encryption":""}}}`;
  if (c.custom) return `{"type":{"custom":{"name":${JSON.stringify(c.custom.name)},"data":${jsonBytes(c.custom.data)},"metadata":${jsonMeta(c.custom.metadata)}}}}`;
  return `{"type":{"payload":{"type":1,"message_id":"","payload":${jsonBytes(c.payload.payload)},"metadata":${jsonMeta(c.payload.metadata)},"seq":0}}}`;
}
const jsonFrame = (command, reliability) => enc.encode(`{"command":${jsonCommand(command)},"message_id":"${id()}","reliability":${reliability},"timestamp":${Date.now()},"metadata":{}}`);
const pbMeta = (m) => Object.fromEntries(Object.entries(m).map(([k, v]) => [k, enc.encode(String(v))]));
function pbFrame(command, reliability) {
  const c = {};
  if (command.system) c.system = { ...command.system, metadata: pbMeta(command.system.metadata) };
  if (command.custom) c.custom = { name: command.custom.name, data: enc.encode(command.custom.data), metadata: pbMeta(command.custom.metadata) };
  if (command.payload) c.payload = { type: 1, payload: enc.encode(command.payload.payload), metadata: pbMeta(command.payload.metadata) };
  return PbFrame.encode(PbFrame.create({ command: c, message_id: id(), reliability, timestamp: Date.now() })).finish();
}
/** A frame's bytes: CONNECT and NEGOTIATION_READY always JSON (the handshake), the rest in FORMAT. */
const frame = (command, reliability = 1, format = FORMAT) => (format === 'json' ? jsonFrame(command, reliability) : pbFrame(command, reliability));

/** Received frames, normalised to { system | payload | custom | notification } with byte-valued metadata. */
function decodeFrame(data, format) {
  if (format === 'protobuf') return PbFrame.decode(data).command ?? {};
  return JSON.parse(data.toString('utf8')).command?.type ?? {};
}
const metaText = (m, k) => (m && m[k] ? dec.decode(Uint8Array.from(m[k])) : undefined);
const bytesText = (b) => dec.decode(Uint8Array.from(b));

/** One client connection. `onFrame` sees every decoded command after the handshake. */
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
      ws.on('open', () => ws.send(frame(system(1, { format: FORMAT, user_id: this.userId, device_id: `${this.userId}-d`, platform: 'bench' }), 1, 'json')));
      ws.on('message', (data) => {
        if (!acked) {
          const s = decodeFrame(data, 'json').system;
          if (s?.type === 2) {
            acked = true;
            ws.send(frame(system(11), 1, 'json'));
            resolve();
          } else reject(new Error(`handshake refused: ${s?.message}`));
          return;
        }
        const f = decodeFrame(data, FORMAT);
        const c = f.custom;
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

  send(bytes) {
    this.ws.send(bytes);
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

const quantile = (sorted, q) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : NaN);

/**
 * Closed-loop fan-out latency: `publish(text)` sends one message at a time, the
 * next only after every receiver got the previous one (so a message never
 * queues behind the last); `listen(i, fn)` delivers receiver i's message texts.
 */
async function measureFanout(receiverCount, listen, publish, messages, gapMs) {
  const latencies = [];
  const lastArrival = [];
  let received = 0;
  let got = 0;
  let wake = null;
  for (let i = 0; i < receiverCount; i++) {
    listen(i, (text) => {
      if (text === null) return;
      latencies.push(performance.now() - Number(text.split(':')[1]));
      received++;
      if (++got === receiverCount) wake?.();
    });
  }
  for (let n = 0; n < messages; n++) {
    got = 0;
    const all = new Promise((r) => (wake = r));
    const t0 = performance.now();
    publish(`${n}:${t0}`);
    await Promise.race([all, new Promise((r) => setTimeout(r, 5000))]);
    lastArrival.push(performance.now() - t0);
    await new Promise((r) => setTimeout(r, gapMs));
  }
  for (let i = 0; i < receiverCount; i++) listen(i, null);
  latencies.sort((a, b) => a - b);
  lastArrival.sort((a, b) => a - b);
  return {
    received,
    expected: receiverCount * messages,
    p50: quantile(latencies, 0.5),
    p99: quantile(latencies, 0.99),
    lastMemberP50: quantile(lastArrival, 0.5),
    lastMemberP99: quantile(lastArrival, 0.99),
  };
}

/** Fan-out latency on the Flare server: the last member publishes, the others receive. */
function fanout({ room, members, messages, gapMs }) {
  const group = clients.slice(0, members);
  const publisher = group[group.length - 1];
  const receivers = group.slice(0, -1);
  return measureFanout(
    receivers.length,
    (i, fn) => {
      receivers[i].onFrame = fn
        ? (f) => {
            const p = f.payload;
            if (p && p.type === 1 && metaText(p.metadata, 'room') === room) fn(bytesText(p.payload));
          }
        : null;
    },
    (text) => publisher.send(frame(payload({ room }, text), 1)),
    messages,
    gapMs,
  );
}

// --- anchors: the same fan-out on a bare `ws` relay and on socket.io (bench/load/anchor-server.mjs)
const anchors = new Map();

async function anchorConnect({ kind, url, count, room }) {
  const list = [];
  for (let i = 0; i < count; i += 100) {
    const batch = [];
    for (let j = i; j < Math.min(count, i + 100); j++) {
      if (kind === 'raw-websocket') {
        batch.push(
          new Promise((resolve, reject) => {
            const ws = new WebSocket(url, { perMessageDeflate: false });
            const c = { fn: null, send: (t) => ws.send(`pub:${room}:${t}`), close: () => ws.terminate() };
            ws.on('open', () => ws.send(`join:${room}`));
            ws.on('message', (d) => {
              const t = d.toString();
              if (t === 'joined') resolve(c);
              else c.fn?.(t);
            });
            ws.on('error', reject);
          }),
        );
      } else {
        batch.push(
          new Promise((resolve, reject) => {
            const sock = io(url, { transports: ['websocket'], forceNew: true, reconnection: false });
            const c = { fn: null, send: (t) => sock.emit('pub', room, t), close: () => sock.close() };
            sock.on('msg', (t) => c.fn?.(t));
            sock.on('connect', () => sock.emit('join', room, () => resolve(c)));
            sock.on('connect_error', reject);
          }),
        );
      }
    }
    list.push(...(await Promise.all(batch)));
  }
  anchors.set(kind, list);
  return { connected: list.length };
}

function anchorFanout({ kind, messages, gapMs }) {
  const group = anchors.get(kind);
  const publisher = group[group.length - 1];
  const receivers = group.slice(0, -1);
  return measureFanout(receivers.length, (i, fn) => (receivers[i].fn = fn), (text) => publisher.send(text), messages, gapMs);
}

function anchorClose() {
  for (const list of anchors.values()) for (const c of list) c.close();
  anchors.clear();
  return {};
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
      const p = f.payload;
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
      if (f.system?.type === 5 && ++pongs === expected) done();
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

const ops = { connect, join, fanout, burst, pings, status, close, anchorConnect, anchorFanout, anchorClose };
process.on('message', async ({ op, args, seq }) => {
  try {
    process.send({ seq, ok: true, result: await ops[op](args) });
  } catch (e) {
    process.send({ seq, ok: false, error: String(e?.stack ?? e) });
  }
});
process.send({ ready: true });
