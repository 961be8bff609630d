/**
 * Connection engine benchmark (src/worker, in the page, no comlink): how long
 * a `connect()` takes per transport choice (race of both, WebSocket only,
 * WebTransport only), and how many server-to-client messages per second the
 * engine delivers to its event sink from the server's `test.flood` (64 B
 * messages), per transport. Contenders are interleaved round by round.
 */
import { createEngine } from '../src/worker/engine.ts';
import type { SessionOptions, WorkerEvent } from '../src/worker/api.ts';
import { ExtCommand } from '../src/protocol/extensions.ts';
import { summarize, type BenchContext, type BenchRow } from './harness.ts';

export const needsServer = true;

const enc = new TextEncoder();

async function engineFor(ctx: BenchContext, extra: Partial<SessionOptions>) {
  const events: WorkerEvent[] = [];
  let onEvents: (() => void) | null = null;
  const engine = createEngine();
  await engine.init({ url: ctx.serverUrl!, certHash: ctx.certHash, persistOutbox: false, autoSwitch: false, ...extra }, (b) => {
    for (const e of b) events.push(e);
    onEvents?.();
  }, null);
  return {
    engine,
    events,
    /** Resolves when `cond` holds after an event batch. */
    until(cond: () => boolean): Promise<void> {
      return new Promise((resolve) => {
        onEvents = () => {
          if (cond()) {
            onEvents = null;
            resolve();
          }
        };
        onEvents();
      });
    },
  };
}

async function connectTime(ctx: BenchContext, transports: Array<'websocket' | 'webtransport'>): Promise<number> {
  const e = await engineFor(ctx, { transports, userId: 'bench-connect' });
  const t0 = performance.now();
  await e.engine.connect();
  const ms = performance.now() - t0;
  await e.engine.close();
  return ms;
}

async function floodRate(ctx: BenchContext, transport: 'websocket' | 'webtransport', count: number): Promise<number> {
  const e = await engineFor(ctx, { transports: [transport], userId: 'bench-flood' });
  await e.engine.connect();
  let got = 0;
  const counted = e.until(() => {
    got = 0;
    for (const ev of e.events) if (ev.type === 'message' && ev.message.metadata.flood === '1') got++;
    return got >= count;
  });
  const t0 = performance.now();
  await e.engine.send({ kind: 'custom', name: ExtCommand.RPC_REQUEST, metadata: { id: 'f1', method: 'test.flood' }, payload: enc.encode(JSON.stringify({ count, size: 64 })), reliable: false });
  await counted;
  const rate = (count * 1000) / (performance.now() - t0);
  await e.engine.close();
  return rate;
}

export default async function run(ctx: BenchContext): Promise<BenchRow[]> {
  const rounds = ctx.quick ? 2 : 5;
  const count = ctx.quick ? 5000 : 20000;
  const connect: Record<string, number[]> = { 'flare-race': [], 'flare-websocket': [], 'flare-webtransport': [] };
  const flood: Record<string, number[]> = { 'flare-websocket': [], 'flare-webtransport': [] };
  // One untimed round: WASM compilation, first QUIC and TLS setups, JIT.
  await connectTime(ctx, ['webtransport', 'websocket']);
  await floodRate(ctx, 'websocket', Math.min(count, 2000));
  await floodRate(ctx, 'webtransport', Math.min(count, 2000));
  for (let r = 0; r < rounds; r++) {
    connect['flare-race']!.push(await connectTime(ctx, ['webtransport', 'websocket']));
    connect['flare-websocket']!.push(await connectTime(ctx, ['websocket']));
    connect['flare-webtransport']!.push(await connectTime(ctx, ['webtransport']));
    flood['flare-websocket']!.push(await floodRate(ctx, 'websocket', count));
    flood['flare-webtransport']!.push(await floodRate(ctx, 'webtransport', count));
  }
  const rows: BenchRow[] = [];
  for (const [contender, samples] of Object.entries(connect)) {
    rows.push({ case: 'connect', contender, metric: 'latency', unit: 'ms', better: 'lower', ...summarize(samples) });
  }
  for (const [contender, samples] of Object.entries(flood)) {
    rows.push({ case: 'flood.64B', contender, metric: 'throughput', unit: 'msgs/s', better: 'higher', ...summarize(samples), extra: { messages: count } });
  }
  return rows;
}
