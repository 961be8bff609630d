/**
 * End to end, in headless Chromium against local servers, side by side in one run:
 * - Flare: FlareClient (connection worker, WASM codec, batched events) over WebSocket and over
 *   WebTransport, against the reference server; `flare-in-page-*`: the same with `inPage: true`
 *   (the engine on the main thread: no thread hops, no main-thread shield);
 * - raw-websocket: one WebSocket on the main thread against a minimal `ws` server (the physical
 *   limit of a WebSocket here);
 * - socket.io: socket.io-client over WebSocket against a socket.io 4 server.
 * Figures: server-to-client messages/s and MB/s for 64-byte and 1 KB messages (time from asking
 * for a flood to the app's handler seeing the last message), round trip p50 / p99 with an answer
 * (Flare RPC echo, and a Flare message until its ACK; socket.io emit with ack; raw echo), and
 * main-thread long tasks (PerformanceObserver 'longtask') during a 100,000-message flood.
 * bench/e2e.servers.mjs starts the anchors' servers.
 */
import { io, type Socket } from 'socket.io-client';
import { FlareClient } from '../src/sdk/index.ts';
import { percentile, summarize, type BenchContext, type BenchRow } from './harness.ts';

export const needsServer = true;

interface Contender {
  name: string;
  setup(): Promise<void>;
  /** Asks the server for `count` messages of `size` bytes; resolves when the app saw the last one. */
  flood(count: number, size: number): Promise<void>;
  /** One round trip of a 64-byte payload. */
  roundTrip(): Promise<void>;
  close(): Promise<void>;
}

const PAYLOAD = new Uint8Array(64).fill(1);
const PAYLOAD_TEXT = 'x'.repeat(64);

function flare(name: string, ctx: BenchContext, protocol: 'websocket' | 'webtransport', rtt: 'rpc' | 'ack', inPage = false): Contender {
  let client: FlareClient;
  let self = '';
  return {
    name,
    async setup() {
      self = `bench-${name}-${Math.random().toString(36).slice(2)}`;
      client = new FlareClient({ url: ctx.serverUrl!, certHash: ctx.certHash, protocols: [protocol], workerUrl: ctx.servers!.workerUrl, persistOutbox: false, userId: self, autoSwitch: false, inPage });
      await client.connect();
    },
    async flood(count, size) {
      let n = 0;
      let done!: () => void;
      const all = new Promise<void>((r) => (done = r));
      const off = client.on('messageReceived', ({ message }) => {
        if (message.metadata.flood === '1' && ++n === count) done();
      });
      await client.request('test.flood', { count, size }, { timeout: 300_000 });
      await all;
      off();
    },
    async roundTrip() {
      if (rtt === 'rpc') await client.request('echo', PAYLOAD, { responseType: 'bytes' });
      else await (await client.sendBinary({ user: `${self}-peer` }, PAYLOAD)).delivered;
    },
    close: () => client.close(),
  };
}

function rawWebSocket(ctx: BenchContext): Contender {
  let ws: WebSocket;
  let onBinary: (() => void) | null = null;
  let onText: (() => void) | null = null;
  return {
    name: 'raw-websocket',
    async setup() {
      ws = new WebSocket(ctx.servers!.rawWebSocketUrl!);
      ws.binaryType = 'arraybuffer';
      ws.onmessage = (e) => (typeof e.data === 'string' ? onText?.() : onBinary?.());
      await new Promise((r, j) => {
        ws.onopen = r;
        ws.onerror = j;
      });
    },
    async flood(count, size) {
      let n = 0;
      const all = new Promise<void>((r) => (onBinary = () => ++n === count && r()));
      const end = new Promise<void>((r) => (onText = r));
      ws.send(JSON.stringify({ flood: { count, size } }));
      await all;
      await end;
      onBinary = onText = null;
    },
    async roundTrip() {
      const back = new Promise<void>((r) => (onBinary = r));
      ws.send(PAYLOAD);
      await back;
      onBinary = null;
    },
    async close() {
      ws.close();
    },
  };
}

function socketIo(ctx: BenchContext): Contender {
  let s: Socket;
  let onM: (() => void) | null = null;
  return {
    name: 'socket.io',
    async setup() {
      s = io(ctx.servers!.socketIoUrl!, { transports: ['websocket'], forceNew: true });
      s.on('m', () => onM?.());
      await new Promise<void>((r, j) => {
        s.once('connect', () => r());
        s.once('connect_error', j);
      });
    },
    async flood(count, size) {
      let n = 0;
      const all = new Promise<void>((r) => (onM = () => ++n === count && r()));
      await new Promise<void>((r) => s.emit('flood', { count, size }, () => r()));
      await all;
      onM = null;
    },
    async roundTrip() {
      await new Promise<void>((r) => s.emit('echo', PAYLOAD_TEXT, () => r()));
    },
    async close() {
      s.close();
    },
  };
}

const pause = () => new Promise((r) => setTimeout(r, 50));

/** Fails a flood that does not finish (a lost message would otherwise hang the run). */
async function timed(c: Contender, count: number, size: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const limit = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${c.name}: flood of ${count} x ${size} B did not finish in 300 s`)), 300_000)));
  try {
    await Promise.race([c.flood(count, size), limit]);
  } finally {
    clearTimeout(timer);
  }
}

async function throughput(contenders: Contender[], size: number, count: number, rounds: number): Promise<BenchRow[]> {
  const rates = new Map<string, number[]>(contenders.map((c) => [c.name, []]));
  for (const c of contenders) await timed(c, Math.min(2000, count), size); // warm-up
  for (let r = 0; r < rounds; r++) {
    for (const c of contenders) {
      const t0 = performance.now();
      await timed(c, count, size);
      rates.get(c.name)!.push((count * 1000) / (performance.now() - t0));
      await pause();
    }
  }
  const rows: BenchRow[] = [];
  const label = size >= 1024 ? `${size / 1024}KB` : `${size}B`;
  for (const [name, xs] of rates) {
    rows.push({ case: `server-to-client.${label}`, contender: name, metric: 'throughput', unit: 'msgs/s', better: 'higher', ...summarize(xs), extra: { messages: count, size } });
    rows.push({ case: `server-to-client.${label}`, contender: name, metric: 'bandwidth', unit: 'MB/s', better: 'higher', ...summarize(xs.map((x) => (x * size) / 1e6)), extra: { messages: count, size } });
  }
  return rows;
}

async function roundTrips(contenders: Contender[], samplesPerRound: number, rounds: number): Promise<BenchRow[]> {
  const all = new Map<string, number[]>(contenders.map((c) => [c.name, []]));
  const medians = new Map<string, number[]>(contenders.map((c) => [c.name, []]));
  for (const c of contenders) for (let i = 0; i < 100; i++) await c.roundTrip();
  for (let r = 0; r < rounds; r++) {
    for (const c of contenders) {
      const xs: number[] = [];
      for (let i = 0; i < samplesPerRound; i++) {
        const t0 = performance.now();
        await c.roundTrip();
        xs.push(performance.now() - t0);
      }
      all.get(c.name)!.push(...xs);
      medians.get(c.name)!.push(percentile(xs, 50));
    }
  }
  const rows: BenchRow[] = [];
  for (const [name, xs] of all) {
    const m = medians.get(name)!;
    const spread = summarize(m).spread;
    rows.push({ case: 'round-trip.64B', contender: name, metric: 'p50', unit: 'ms', better: 'lower', value: percentile(xs, 50), runs: rounds, spread, extra: { samples: xs.length } });
    rows.push({ case: 'round-trip.64B', contender: name, metric: 'p99', unit: 'ms', better: 'lower', value: percentile(xs, 99), runs: rounds, spread: 0, extra: { samples: xs.length } });
  }
  return rows;
}

async function longTasks(contenders: Contender[], count: number): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const c of contenders) {
    const entries: PerformanceEntry[] = [];
    const obs = new PerformanceObserver((list) => entries.push(...list.getEntries()));
    obs.observe({ type: 'longtask', buffered: false });
    console.log(`  ${c.name}`);
    const t0 = performance.now();
    await timed(c, count, 64);
    const elapsed = performance.now() - t0;
    await new Promise((r) => setTimeout(r, 100)); // let the observer deliver
    obs.disconnect();
    const mine = entries.filter((e) => e.startTime >= t0);
    const total = mine.reduce((s, e) => s + e.duration, 0);
    const longest = mine.reduce((m, e) => Math.max(m, e.duration), 0);
    const extra = { messages: count, floodMs: Math.round(elapsed), totalMs: Math.round(total), longestMs: Math.round(longest) };
    rows.push({ case: 'flood-100k.main-thread', contender: c.name, metric: 'long tasks', unit: 'count', better: 'lower', value: mine.length, runs: 1, spread: 0, extra });
    rows.push({ case: 'flood-100k.main-thread', contender: c.name, metric: 'long-task time', unit: 'ms', better: 'lower', value: Math.round(total), runs: 1, spread: 0, extra });
    await pause();
  }
  return rows;
}

export default async function e2e(ctx: BenchContext): Promise<BenchRow[]> {
  if (!ctx.serverUrl || !ctx.servers) throw new Error('e2e needs the reference server and bench/e2e.servers.mjs');
  const rows: BenchRow[] = [];
  const main: Contender[] = [
    flare('flare-websocket', ctx, 'websocket', 'rpc'),
    flare('flare-webtransport', ctx, 'webtransport', 'rpc'),
    flare('flare-in-page-websocket', ctx, 'websocket', 'rpc', true),
    flare('flare-in-page-webtransport', ctx, 'webtransport', 'rpc', true),
    rawWebSocket(ctx),
    socketIo(ctx),
  ];
  const acks: Contender[] = [flare('flare-websocket-msg-ack', ctx, 'websocket', 'ack'), flare('flare-webtransport-msg-ack', ctx, 'webtransport', 'ack')];
  for (const c of [...main, ...acks]) await c.setup();
  const rounds = ctx.quick ? 2 : 5;
  // `node bench/run.mjs e2e [throughput] [rtt] [longtasks]` runs only the parts named.
  const want = (part: string) => ctx.args.length === 0 || ctx.args.includes(part);
  if (want('throughput')) {
    console.log('throughput 64 B');
    rows.push(...(await throughput(main, 64, ctx.quick ? 5000 : 20_000, rounds)));
    console.log('throughput 1 KB');
    rows.push(...(await throughput(main, 1024, ctx.quick ? 3000 : 10_000, rounds)));
  }
  if (want('rtt')) {
    console.log('round trips');
    rows.push(...(await roundTrips([...main, ...acks], ctx.quick ? 100 : 400, ctx.quick ? 2 : 5)));
  }
  if (want('longtasks')) {
    console.log('long tasks during a 100k flood');
    rows.push(...(await longTasks(main, 100_000)));
  }
  for (const c of [...main, ...acks]) await c.close();
  return rows;
}
