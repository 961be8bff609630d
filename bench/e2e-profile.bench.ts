/**
 * Where a Flare round trip's time goes (`node bench/run.mjs e2e-profile`): the
 * same 64-byte RPC echo with fewer and fewer layers, the hops on their own,
 * and a per-hop breakdown of the first contender.
 * - flare-worker: FlareClient, engine in a dedicated Worker (what apps get),
 *   timestamped (bench/e2e-profile.worker.ts);
 * - flare-in-page: FlareClient with `inPage: true` (the engine on this thread, through the SDK);
 * - engine-direct: the engine in this page, called directly (no SDK);
 *   `-none`: the same without compression;
 * - comlink-hop / postmessage-hop: one call to a worker and back, through comlink / bare;
 * - raw-websocket / deno-echo: a main-thread WebSocket echo against `ws` (Node) / a bare Deno server;
 * - worker-*-echo: the page asks a minimal worker, whose WebSocket echoes (the floor of any
 *   worker-based client); `-warm`: the same with both threads kept awake while waiting.
 * Timings are p50 over all samples; on a loaded machine compare within one run only.
 */
import { FlareClient } from '../src/sdk/index.ts';
import { startWorker, type WorkerLink, type WorkerLinkOptions } from '../src/sdk/worker-link.ts';
import { createEngine } from '../src/worker/engine.ts';
import type { WorkerEvent } from '../src/worker/api.ts';
import { percentile, type BenchContext, type BenchRow } from './harness.ts';

export const needsServer = true;

interface ProfileServers {
  workerUrl: string;
  rawWebSocketUrl: string;
  denoEchoUrl: string;
  profileWorkerUrl: string;
}

const PAYLOAD = new Uint8Array(64).fill(1);
const abs = () => performance.timeOrigin + performance.now();
/** Page-side marks of the timestamped contender (absolute ms). */
const page = { t0: [] as number[], post: [] as number[], events: [] as number[], end: [] as number[] };

type RoundTrip = { name: string; setup(): Promise<void>; once(): Promise<void>; close(): Promise<void> };

function timedFlare(ctx: BenchContext, s: ProfileServers): RoundTrip {
  let c: FlareClient;
  const workerPost = Worker.prototype.postMessage;
  const portPost = MessagePort.prototype.postMessage;
  return {
    name: 'flare-worker',
    async setup() {
      Worker.prototype.postMessage = function (this: Worker, m: unknown, t?: Transferable[]) {
        const d = m as { type?: string; path?: string[] } | null;
        if (d?.type === 'APPLY' && d.path?.[0] === 'send') page.post.push(abs());
        return workerPost.call(this, m, { transfer: t ?? [] });
      } as typeof workerPost;
      // Requests go on the worker's one-way request port (src/sdk/worker-link.ts).
      MessagePort.prototype.postMessage = function (this: MessagePort, m: unknown, t?: Transferable[] | StructuredSerializeOptions) {
        if ((m as { name?: string } | null)?.name === 'flare.rpc.req') page.post.push(abs());
        return portPost.call(this, m, (Array.isArray(t) ? { transfer: t } : t) ?? {});
      } as typeof portPost;
      const start = (o: WorkerLinkOptions): WorkerLink => {
        const link = startWorker({ ...o, workerUrl: s.profileWorkerUrl });
        const init = link.init.bind(link);
        return Object.assign(Object.create(link) as WorkerLink, {
          init: (so: Parameters<WorkerLink['init']>[0], sink: Parameters<WorkerLink['init']>[1], t: Parameters<WorkerLink['init']>[2]) =>
            init(so, (events: WorkerEvent[]) => {
              if (events.some((e) => e.type === 'message')) page.events.push(abs());
              sink(events);
            }, t),
          close: () => link.close(),
        });
      };
      c = new FlareClient({ url: ctx.serverUrl!, certHash: ctx.certHash, protocols: ['websocket'], persistOutbox: false, userId: `profile-${Math.random()}`, autoSwitch: false }, { startWorker: start });
      await c.connect();
    },
    async once() {
      const t0 = abs();
      await c.request('echo', PAYLOAD, { responseType: 'bytes' });
      page.t0.push(t0);
      page.end.push(abs());
    },
    close: () => c.close(),
  };
}

/** The in-page contender's split: request() to ws.send, ws.send to the answer's message event, that event to resolved. */
const inPageSplit = { on: false, send: 0, message: 0, parts: { '1 request() to ws.send': [] as number[], '2 network + server': [] as number[], '3 ws message to resolved': [] as number[] } };

/** Marks WebSocket sends and message events on this page while `inPageSplit.on`. */
function markPageWebSockets(): void {
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (this: WebSocket, data: Parameters<WebSocket['send']>[0]) {
    if (inPageSplit.on) inPageSplit.send = performance.now();
    return send.call(this, data);
  };
  const onmessage = Object.getOwnPropertyDescriptor(WebSocket.prototype, 'onmessage')!;
  Object.defineProperty(WebSocket.prototype, 'onmessage', {
    ...onmessage,
    set(this: WebSocket, fn: ((e: MessageEvent) => unknown) | null) {
      const marked = fn
        ? (e: MessageEvent) => {
            if (inPageSplit.on) inPageSplit.message = performance.now();
            return fn.call(this, e);
          }
        : null;
      onmessage.set!.call(this, marked);
    },
  });
}

function inPageClient(ctx: BenchContext): RoundTrip {
  let c: FlareClient;
  return {
    name: 'flare-in-page',
    async setup() {
      markPageWebSockets();
      c = new FlareClient({ url: ctx.serverUrl!, protocols: ['websocket'], persistOutbox: false, userId: `profile-page-${Math.random()}`, autoSwitch: false, inPage: true });
      await c.connect();
    },
    async once() {
      inPageSplit.on = true;
      const t0 = performance.now();
      await c.request('echo', PAYLOAD, { responseType: 'bytes' });
      const t1 = performance.now();
      inPageSplit.on = false;
      const p = inPageSplit.parts;
      p['1 request() to ws.send'].push(inPageSplit.send - t0);
      p['2 network + server'].push(inPageSplit.message - inPageSplit.send);
      p['3 ws message to resolved'].push(t1 - inPageSplit.message);
    },
    close: () => c.close(),
  };
}

function direct(ctx: BenchContext, compression?: string[]): RoundTrip {
  const engine = createEngine();
  let waiting: { id: string; done: () => void } | null = null;
  let n = 0;
  return {
    name: compression ? `engine-direct-${compression.join('')}` : 'engine-direct',
    async setup() {
      const sink = (events: WorkerEvent[]) => {
        for (const e of events) if (e.type === 'message' && e.message.metadata.id === waiting?.id) waiting.done();
      };
      await engine.init({ url: ctx.serverUrl!, transports: ['websocket'], persistOutbox: false, userId: `profile-direct-${Math.random()}`, autoSwitch: false, compression }, sink, null);
      await engine.connect();
    },
    async once() {
      const id = `d${++n}`;
      const back = new Promise<void>((done) => (waiting = { id, done }));
      await engine.send({ kind: 'custom', name: 'flare.rpc.req', payload: PAYLOAD, metadata: { id, method: 'echo', timeout_ms: '5000' }, reliable: false });
      await back;
    },
    close: () => engine.close(),
  };
}

function comlinkHop(ctx: BenchContext, s: ProfileServers): RoundTrip {
  const link = startWorker({ shared: false, workerUrl: s.workerUrl, name: 'profile-hop' });
  return {
    name: 'comlink-hop',
    setup: () => link.init({ url: ctx.serverUrl!, persistOutbox: false }, () => {}, null),
    once: async () => void (await link.api.trackRoom('x', null)),
    close: () => link.close(),
  };
}

function inlineWorker(source: string): Worker {
  return new Worker(URL.createObjectURL(new Blob([source], { type: 'text/javascript' })));
}

function postMessageHop(): RoundTrip {
  const w = inlineWorker('onmessage = (e) => postMessage(e.data);');
  return {
    name: 'postmessage-hop',
    setup: async () => {},
    once: () =>
      new Promise<void>((r) => {
        w.onmessage = () => r();
        w.postMessage({ x: PAYLOAD });
      }),
    close: async () => w.terminate(),
  };
}

const SPIN = `function spin(isDone, capMs) { const ch = new MessageChannel(); const end = performance.now() + capMs;
  ch.port1.onmessage = () => { if (!isDone() && performance.now() < end) ch.port2.postMessage(0); else ch.port1.close(); };
  ch.port2.postMessage(0); }`;
// eslint-disable-next-line no-new-func
const spin = new Function(`${SPIN}; return spin;`)() as (isDone: () => boolean, capMs: number) => void;

/**
 * The page asks a minimal worker whose WebSocket echoes. `warm`: the experiment of keeping both threads
 * awake while a round trip is out (so neither pays a wake-up): each keeps its event loop turning with
 * MessageChannel self-posts until the answer or 5 ms.
 */
function workerEcho(url: string, name: string, warm = false): RoundTrip {
  const w = inlineWorker(`${SPIN}; let waiting = false; const ws = new WebSocket(${JSON.stringify(url)}); ws.binaryType = 'arraybuffer';
    ws.onopen = () => postMessage('open'); ws.onmessage = (e) => { waiting = false; postMessage(new Uint8Array(e.data), [e.data]); };
    onmessage = (e) => { ws.send(e.data); if (${warm}) { waiting = true; spin(() => !waiting, 5); } };`);
  let on: (() => void) | null = null;
  const opened = new Promise<void>((r) => (w.onmessage = (e) => (e.data === 'open' ? r() : on?.())));
  return {
    name,
    setup: () => opened,
    once: () =>
      new Promise<void>((r) => {
        let done = false;
        on = () => {
          done = true;
          r();
        };
        w.postMessage(PAYLOAD);
        if (warm) spin(() => done, 5);
      }),
    close: async () => w.terminate(),
  };
}

function mainThreadEcho(url: string, name: string): RoundTrip {
  let ws: WebSocket;
  let on: (() => void) | null = null;
  return {
    name,
    async setup() {
      ws = new WebSocket(url);
      ws.binaryType = 'arraybuffer';
      ws.onmessage = () => on?.();
      await new Promise((r) => (ws.onopen = r));
    },
    once: () =>
      new Promise<void>((r) => {
        on = r;
        ws.send(PAYLOAD);
      }),
    close: async () => ws.close(),
  };
}

/** The worker's marks, asked on the channel bench/e2e-profile.worker.ts answers on. */
function workerMarks(): Promise<Record<string, number[]>> {
  return new Promise((resolve) => {
    const ch = new BroadcastChannel('flare-profile-marks');
    const timer = setTimeout(() => resolve({}), 2000);
    ch.onmessage = (e) => {
      clearTimeout(timer);
      ch.close();
      resolve(e.data as Record<string, number[]>);
    };
    ch.postMessage('marks');
  });
}

/** Per-hop p50s of the timestamped contender: each hop is the first mark after the previous one. */
function breakdown(w: Record<string, number[]>): BenchRow[] {
  const after = (xs: number[] | undefined, t: number) => xs?.find((x) => x >= t) ?? NaN;
  const hops: Record<string, number[]> = {};
  const add = (k: string, v: number) => Number.isFinite(v) && (hops[k] ??= []).push(v);
  for (let i = 0; i < page.t0.length; i++) {
    const t0 = page.t0[i]!;
    const post = after(page.post, t0);
    const inWorker = after(w.in, post);
    const wsSend = after(w.wssend, inWorker);
    const wsMessage = after(w.wsmsg, wsSend);
    const toPage = after(w.post, wsMessage);
    const events = after(page.events, toPage);
    add('1 page: request() to postMessage', post - t0);
    add('2 page -> worker (delivery)', inWorker - post);
    add('3 worker: call to ws.send', wsSend - inWorker);
    add('4 network + server', wsMessage - wsSend);
    add('5 worker: ws message to events posted', toPage - wsMessage);
    add('6 worker -> page (delivery)', events - toPage);
    add('7 page: events to request resolved', page.end[i]! - events);
  }
  return Object.entries(hops).map(([hop, xs]) => ({ case: 'round-trip.64B.breakdown', contender: hop, metric: 'p50', unit: 'ms', better: 'lower', value: percentile(xs, 50), runs: 1, spread: 0, extra: { samples: xs.length } }));
}

export default async function profile(ctx: BenchContext): Promise<BenchRow[]> {
  const s = ctx.servers as unknown as ProfileServers;
  const all: RoundTrip[] = [
    timedFlare(ctx, s),
    inPageClient(ctx),
    direct(ctx),
    direct(ctx, ['none']),
    comlinkHop(ctx, s),
    postMessageHop(),
    mainThreadEcho(s.rawWebSocketUrl, 'raw-websocket'),
    mainThreadEcho(s.denoEchoUrl, 'deno-echo'),
    workerEcho(s.denoEchoUrl, 'worker-deno-echo'),
    workerEcho(s.rawWebSocketUrl, 'worker-ws-echo'),
    workerEcho(s.denoEchoUrl, 'worker-deno-echo-warm', true),
  ];
  for (const r of all) await r.setup();
  for (const r of all) for (let i = 0; i < 100; i++) await r.once();
  page.t0.length = page.end.length = 0;
  for (const xs of Object.values(inPageSplit.parts)) xs.length = 0;
  const samples = new Map<string, number[]>(all.map((r) => [r.name, []]));
  const rounds = ctx.quick ? 3 : 8;
  for (let k = 0; k < rounds; k++) {
    for (const r of all) {
      for (let i = 0; i < 100; i++) {
        const t0 = performance.now();
        await r.once();
        samples.get(r.name)!.push(performance.now() - t0);
      }
    }
  }
  const rows: BenchRow[] = [...samples].map(([name, xs]) => ({ case: 'round-trip.64B', contender: name, metric: 'p50', unit: 'ms', better: 'lower', value: percentile(xs, 50), runs: rounds, spread: 0, extra: { p90: percentile(xs, 90), samples: xs.length } }));
  rows.push(...breakdown(await workerMarks()));
  for (const [part, xs] of Object.entries(inPageSplit.parts)) {
    rows.push({ case: 'round-trip.64B.in-page-breakdown', contender: part, metric: 'p50', unit: 'ms', better: 'lower', value: percentile(xs, 50), runs: 1, spread: 0, extra: { samples: xs.length } });
  }
  for (const r of all) await r.close();
  return rows;
}
