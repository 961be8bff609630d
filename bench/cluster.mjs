// `npm run bench:cluster`: fan-out of one room whose members are split across
// two server processes sharing a Redis, against the same room on one process
// (in-memory broker, and Redis broker for the cost of Redis alone).
// Rows (shared/BENCH-RESULTS.md): fan-out latency p50 / p99 (publish -> each
// member, one message at a time), throughput (a burst of messages: room
// messages per second through the room, and deliveries per second), and the
// server CPU time a burst costs per 1,000 deliveries (the contender's Deno
// processes, from /proc: on a machine shared with other work this is steadier
// than wall-clock rates, which depend on who else had the cores).
// Every client runs in this Node process (one clock for send and receive).
// The contenders' order rotates every round, so load from elsewhere does not
// always fall on the same one. Two cases: one frame per WebSocket message (as
// flare-core clients speak), and batched (several length-prefixed frames per
// message, negotiated in CONNECT: what the Flare Web SDK asks for by default).
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { loadavg } from 'node:os';
import WebSocket from 'ws';
import { createFrameCodec, customFrame, payloadFrame, systemFrame, PayloadType, Reliability, SystemType, metaText } from '../dist/esm/codec/index.js';
import { freePort, startServer } from '../scripts/server-process.mjs';

const enc = new TextEncoder();
const dec = new TextDecoder();
const json = createFrameCodec({ format: 'json' });
const pb = createFrameCodec({ format: 'protobuf' });

function findRedisServer() {
  for (const p of [process.env.REDIS_SERVER, '/usr/bin/redis-server', '/usr/local/bin/redis-server', '/usr/sbin/redis-server']) if (p && existsSync(p)) return p;
  return null;
}

async function startRedis() {
  const bin = findRedisServer();
  if (!bin) throw new Error('bench cluster: no redis-server (Debian: apt-get install redis-server, or set REDIS_SERVER)');
  const port = await freePort();
  const child = spawn(bin, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--loglevel', 'warning'], { stdio: 'ignore' });
  const deadline = Date.now() + 10_000;
  for (;;) {
    const ok = await new Promise((res) => {
      const s = createConnection({ port, host: '127.0.0.1' }, () => {
        s.end();
        res(true);
      });
      s.on('error', () => res(false));
    });
    if (ok) break;
    if (Date.now() > deadline) throw new Error('redis-server did not start');
    await new Promise((r) => setTimeout(r, 50));
  }
  return { url: `redis://127.0.0.1:${port}`, pid: child.pid, stop: () => new Promise((r) => (child.exitCode !== null ? r() : (child.on('exit', r), child.kill('SIGKILL')))) };
}

/** CPU time (user + system, ms) a process has used so far; null where /proc is not available. */
function cpuMs(pid) {
  try {
    // Fields after the command name: utime and stime are the 12th and 13th, in clock ticks (100 per second on Linux).
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12])) * 10;
  } catch {
    return null;
  }
}
const sumCpu = (pids) => pids.reduce((t, p) => (t === null || cpuMs(p) === null ? null : t + cpuMs(p)), 0);

/** Prefixes a frame with its 4-byte big-endian length (a batched WebSocket message of one frame). */
function framed(bytes) {
  const out = new Uint8Array(4 + bytes.length);
  new DataView(out.buffer).setUint32(0, bytes.length);
  out.set(bytes, 4);
  return out;
}

/** A protocol client: protobuf after the JSON handshake, one frame per WebSocket message unless `batch`. */
class Client {
  #ws;
  #batch = false;
  #rpc = new Map();
  #rpcId = 0;
  onFrame = () => {};

  static async connect(baseUrl, user, batch = false) {
    const c = new Client();
    c.#batch = batch;
    const ws = (c.#ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/ws`));
    ws.binaryType = 'nodebuffer';
    await new Promise((res, rej) => {
      ws.once('open', res);
      ws.once('error', rej);
    });
    const acked = new Promise((res, rej) => {
      ws.once('message', (data) => {
        const f = json.decode(new Uint8Array(data));
        if (f.command?.case === 'system' && f.command.value.type === SystemType.CONNECT_ACK) res(f);
        else rej(new Error(`handshake refused: ${JSON.stringify(f)}`));
      });
    });
    ws.send(json.encode(systemFrame(SystemType.CONNECT, { format: 1, metadata: { format: 'protobuf', user_id: user, device_id: `${user}-d`, platform: 'bench', ...(batch ? { batch: '1' } : {}) } })));
    await acked;
    ws.send(json.encode(systemFrame(SystemType.NEGOTIATION_READY)));
    const onFrame = (f) => {
      const cmd = f.command;
      if (cmd?.case === 'custom' && cmd.value.name === 'flare.rpc.res') {
        const id = metaText(cmd.value.metadata, 'id');
        const p = c.#rpc.get(id);
        if (p) {
          c.#rpc.delete(id);
          const err = metaText(cmd.value.metadata, 'error');
          if (err) p.rej(new Error(`${err}: ${metaText(cmd.value.metadata, 'error_message')}`));
          else p.res(cmd.value.data.length ? JSON.parse(dec.decode(cmd.value.data)) : undefined);
        }
        return;
      }
      c.onFrame(f);
    };
    ws.on('message', (data) => {
      const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
      if (!batch) return onFrame(pb.decode(bytes));
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      for (let p = 0; p < bytes.length; ) {
        const n = view.getUint32(p);
        onFrame(pb.decode(bytes.subarray(p + 4, p + 4 + n)));
        p += 4 + n;
      }
    });
    return c;
  }

  call(method, body = {}) {
    const id = `b${++this.#rpcId}`;
    return new Promise((res, rej) => {
      this.#rpc.set(id, { res, rej });
      this.#send(pb.encode(customFrame('flare.rpc.req', { data: enc.encode(JSON.stringify(body)), metadata: { id, method } }, { reliability: Reliability.BEST_EFFORT })));
    });
  }

  publish(room, text) {
    this.#send(pb.encode(payloadFrame(PayloadType.MESSAGE, { payload: enc.encode(text), metadata: { room } }, { reliability: Reliability.BEST_EFFORT })));
  }

  #send(bytes) {
    this.#ws.send(this.#batch ? framed(bytes) : bytes);
  }

  close() {
    this.#ws.close();
  }
}

/**
 * A room with `members` receivers spread round-robin over `urls`, and one
 * publisher on the first URL. Receivers record, per message index, the time
 * it arrived.
 */
async function setupRoom(name, urls, members, batch) {
  const room = `bench-${name}`;
  const publisher = await Client.connect(urls[0], `${name}-pub`, batch);
  await publisher.call('room.join', { room });
  const receivers = [];
  const state = { sent: [], got: 0, want: 0, lat: [], done: null };
  for (let i = 0; i < members; i++) {
    const c = await Client.connect(urls[i % urls.length], `${name}-m${i}`, batch);
    c.onFrame = (f) => {
      const cmd = f.command;
      if (cmd?.case !== 'payload' || cmd.value.type !== PayloadType.MESSAGE) return;
      const now = performance.now();
      const idx = Number(dec.decode(cmd.value.payload));
      state.lat.push(now - state.sent[idx]);
      if (++state.got === state.want) state.done?.();
    };
    await c.call('room.join', { room });
    receivers.push(c);
  }
  return { name, room, publisher, receivers, state, urls, batch };
}

/** Sends `count` messages, `gapMs` apart (0: one burst); resolves to latencies and elapsed ms. */
async function runMessages(r, count, gapMs) {
  const { state } = r;
  state.sent = new Array(count);
  state.got = 0;
  state.lat = [];
  state.want = count * r.receivers.length;
  const finished = new Promise((res) => (state.done = res));
  const timeout = new Promise((res) => setTimeout(() => res('timeout'), 30_000));
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    state.sent[i] = performance.now();
    r.publisher.publish(r.room, String(i));
    if (gapMs) await new Promise((res) => setTimeout(res, gapMs));
  }
  const outcome = await Promise.race([finished, timeout]);
  const elapsed = performance.now() - t0;
  state.done = null;
  if (outcome === 'timeout') console.warn(`  [cluster] ${r.name}: only ${state.got}/${state.want} deliveries within 30 s`);
  return { lat: state.lat, elapsed, delivered: state.got };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
};
const summary = (xs) => {
  const value = median(xs);
  return { value, spread: value ? (Math.max(...xs) - Math.min(...xs)) / value : 0, runs: xs.length };
};

export default async function cluster(ctx) {
  const members = ctx.quick ? 40 : 200;
  const rounds = ctx.quick ? 2 : 7;
  const latMessages = ctx.quick ? 10 : 30;
  const burst = ctx.quick ? 100 : 300;
  const loadBefore = loadavg()[0];
  const redis = await startRedis();
  const servers = [];
  const setups = [];
  try {
    const quiet = ['--log-level', 'warn', '--rate-limit', '0'];
    const mem = await startServer({ args: [...quiet, '--broker', 'memory'] });
    servers.push(mem);
    const r1 = await startServer({ args: [...quiet, '--redis', redis.url] });
    servers.push(r1);
    const r2 = await startServer({ args: [...quiet, '--redis', redis.url] });
    servers.push(r2);
    for (const batch of [false, true]) {
      const b = batch ? '-batched' : '';
      const caseName = `room.fanout.${members}members${batch ? '.batched' : ''}`;
      setups.push(
        { caseName, contender: 'flare-1-process-memory', pids: [mem.child.pid], room: await setupRoom(`mem${b}`, [mem.url], members, batch) },
        { caseName, contender: 'flare-1-process-redis', pids: [r1.child.pid], room: await setupRoom(`redis1${b}`, [r1.url], members, batch) },
        { caseName, contender: 'flare-2-processes-redis', pids: [r1.child.pid, r2.child.pid], room: await setupRoom(`redis2${b}`, [r1.url, r2.url], members, batch) },
      );
    }
    // Warm-up (JIT, Redis scripts loaded).
    for (const s of setups) await runMessages(s.room, 20, 2);

    const samples = new Map(setups.map((s) => [s, { p50: [], p99: [], msgs: [], deliveries: [], cpu: [], redisCpu: [] }]));
    for (let round = 0; round < rounds; round++) {
      for (const s of [...setups.slice(round % setups.length), ...setups.slice(0, round % setups.length)]) {
        const one = await runMessages(s.room, latMessages, 10);
        const m = samples.get(s);
        m.p50.push(pct(one.lat, 50));
        m.p99.push(pct(one.lat, 99));
        const cpu0 = sumCpu(s.pids);
        const redis0 = cpuMs(redis.pid);
        const b = await runMessages(s.room, burst, 0);
        const cpu1 = sumCpu(s.pids);
        const redis1 = cpuMs(redis.pid);
        m.msgs.push((burst * 1000) / b.elapsed);
        m.deliveries.push((b.delivered * 1000) / b.elapsed);
        if (cpu0 !== null && cpu1 !== null && b.delivered) m.cpu.push(((cpu1 - cpu0) * 1000) / b.delivered);
        if (redis0 !== null && redis1 !== null && b.delivered) m.redisCpu.push(((redis1 - redis0) * 1000) / b.delivered);
      }
    }

    const load = `${loadBefore.toFixed(1)} -> ${loadavg()[0].toFixed(1)} (1-min load average; cores shared with other work)`;
    const extra = (c, batch) => ({ members, processes: c === 'flare-2-processes-redis' ? 2 : 1, split: c === 'flare-2-processes-redis' ? 'half the members on each process, publisher on the first' : 'all on one process', latency_messages: latMessages, burst, transport: `websocket, protobuf, ${batch ? 'batched (several frames per message)' : 'one frame per message'}`, load });
    const rows = [];
    for (const [{ caseName, contender, room }, m] of samples) {
      const ex = extra(contender, room.batch);
      rows.push({ case: caseName, contender, metric: 'fanout-latency-p50', unit: 'ms', better: 'lower', ...summary(m.p50), extra: ex });
      rows.push({ case: caseName, contender, metric: 'fanout-latency-p99', unit: 'ms', better: 'lower', ...summary(m.p99), extra: ex });
      rows.push({ case: caseName, contender, metric: 'room-messages', unit: 'messages/s', better: 'higher', ...summary(m.msgs), extra: ex });
      rows.push({ case: caseName, contender, metric: 'deliveries', unit: 'deliveries/s', better: 'higher', ...summary(m.deliveries), extra: ex });
      if (m.cpu.length) {
        // Redis's own CPU is not in the value (it is one shared process); it is in extra for the Redis contenders.
        const redisCpu = contender === 'flare-1-process-memory' || !m.redisCpu.length ? {} : { redis_server_cpu_ms_per_1000_deliveries: median(m.redisCpu) };
        rows.push({ case: caseName, contender, metric: 'server-cpu', unit: 'cpu-ms/1000 deliveries', better: 'lower', ...summary(m.cpu), extra: { ...ex, ...redisCpu, cpu: 'user + system time of the Deno server processes during the burst (/proc, 10 ms ticks)' } });
      }
    }
    return rows;
  } finally {
    for (const s of setups) {
      s.room.publisher.close();
      for (const c of s.room.receivers) c.close();
    }
    for (const s of servers) await s.stop();
    await redis.stop();
  }
}
