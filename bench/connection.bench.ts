/**
 * Connection engine benchmark (src/worker, in the page, no comlink):
 * - connect: how long a `connect()` takes per transport choice (race of both,
 *   WebSocket only, WebTransport only), against the reference server;
 * - flood.64B: server-to-client messages per second the engine delivers to
 *   its event sink from the server's `test.flood` (64 B messages), per
 *   transport, end to end (server, network stack and client together);
 * - receive.64B: the same flood played by a server inside the page
 *   (bench/in-page-server.ts), bytes built beforehand the way the reference
 *   server writes them (lz4 per frame, 64 KB writes): the client's receive path
 *   alone (transport framing, decompression, decoding, inbox, event batches),
 *   which the loaded machine's server and network stack cannot blur.
 * Contenders are interleaved round by round.
 */
import { createEngine, type EngineDeps } from '../src/worker/engine.ts';
import type { SessionOptions, WorkerEvent } from '../src/worker/api.ts';
import { loadCodecs } from '../src/codec/index.ts';
import { ExtCommand } from '../src/protocol/extensions.ts';
import { summarize, type BenchContext, type BenchRow } from './harness.ts';
import { floodChunks, inPageServer, type FloodScript } from './in-page-server.ts';

export const needsServer = true;

const enc = new TextEncoder();
type Kind = 'websocket' | 'webtransport';

async function engineFor(ctx: BenchContext, extra: Partial<SessionOptions>, deps: EngineDeps = {}) {
  let floods = 0;
  let onEvents: (() => void) | null = null;
  const engine = createEngine(deps);
  await engine.init({ url: ctx.serverUrl!, certHash: ctx.certHash, persistOutbox: false, autoSwitch: false, ...extra }, (b: WorkerEvent[]) => {
    for (const e of b) if (e.type === 'message' && e.message.metadata.flood === '1') floods++;
    onEvents?.();
  }, null);
  return {
    engine,
    /** Resolves once `count` flood messages arrived. */
    floods(count: number): Promise<void> {
      return new Promise((resolve) => {
        onEvents = () => {
          if (floods < count) return;
          onEvents = null;
          resolve();
        };
        onEvents();
      });
    },
  };
}

async function connectTime(ctx: BenchContext, transports: Kind[]): Promise<number> {
  const e = await engineFor(ctx, { transports, userId: 'bench-connect' });
  const t0 = performance.now();
  await e.engine.connect();
  const ms = performance.now() - t0;
  await e.engine.close();
  return ms;
}

/** Messages/s from the first request to the last message; `deps` plays the server in the page. */
async function floodRate(ctx: BenchContext, transport: Kind, count: number, deps: EngineDeps = {}, extra: Partial<SessionOptions> = {}): Promise<number> {
  const e = await engineFor(ctx, { transports: [transport], userId: 'bench-flood', ...extra }, deps);
  await e.engine.connect();
  const arrived = e.floods(count);
  const t0 = performance.now();
  await e.engine.send({ kind: 'custom', name: ExtCommand.RPC_REQUEST, metadata: { id: 'f1', method: 'test.flood' }, payload: enc.encode(JSON.stringify({ count, size: 64 })), reliable: false });
  await arrived;
  const rate = (count * 1000) / (performance.now() - t0);
  await e.engine.close();
  return rate;
}

export default async function run(ctx: BenchContext): Promise<BenchRow[]> {
  const rounds = ctx.quick ? 2 : 5;
  const count = ctx.quick ? 5000 : 20000;
  const codecs = await loadCodecs();
  const script: FloodScript = { count, size: 64, compression: 'lz4' };
  const chunks = floodChunks(codecs.protobuf, codecs.wasm, script);
  const played = inPageServer(codecs.json, script, () => chunks);
  const inPage = (kind: Kind) => floodRate({ ...ctx, serverUrl: 'http://in-page.test' }, kind, count, played, { compression: ['lz4'] });

  const connect: Record<string, number[]> = { 'flare-race': [], 'flare-websocket': [], 'flare-webtransport': [] };
  const flood: Record<string, number[]> = { 'flare-websocket': [], 'flare-webtransport': [] };
  const receive: Record<string, number[]> = { 'flare-websocket': [], 'flare-webtransport': [] };
  // One untimed round: WASM compilation, first QUIC and TLS setups, JIT.
  await connectTime(ctx, ['webtransport', 'websocket']);
  await floodRate(ctx, 'websocket', Math.min(count, 2000));
  await floodRate(ctx, 'webtransport', Math.min(count, 2000));
  await inPage('websocket');
  await inPage('webtransport');
  for (let r = 0; r < rounds; r++) {
    connect['flare-race']!.push(await connectTime(ctx, ['webtransport', 'websocket']));
    connect['flare-websocket']!.push(await connectTime(ctx, ['websocket']));
    connect['flare-webtransport']!.push(await connectTime(ctx, ['webtransport']));
    flood['flare-websocket']!.push(await floodRate(ctx, 'websocket', count));
    flood['flare-webtransport']!.push(await floodRate(ctx, 'webtransport', count));
    receive['flare-websocket']!.push(await inPage('websocket'));
    receive['flare-webtransport']!.push(await inPage('webtransport'));
  }
  const rows: BenchRow[] = [];
  for (const [contender, samples] of Object.entries(connect)) {
    rows.push({ case: 'connect', contender, metric: 'latency', unit: 'ms', better: 'lower', ...summarize(samples) });
  }
  for (const [contender, samples] of Object.entries(flood)) {
    rows.push({ case: 'flood.64B', contender, metric: 'throughput', unit: 'msgs/s', better: 'higher', ...summarize(samples), extra: { messages: count } });
  }
  for (const [contender, samples] of Object.entries(receive)) {
    rows.push({ case: 'receive.64B', contender, metric: 'throughput', unit: 'msgs/s', better: 'higher', ...summarize(samples), extra: { messages: count, compression: 'lz4', server: 'in-page' } });
  }
  return rows;
}
