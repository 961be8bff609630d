/**
 * The server's share of a round trip, without a browser (much less noise than bench/e2e-profile):
 * a Deno client does sequential round trips of a 64-byte payload against
 * - a bare Deno WebSocket echo server (what the runtime costs without Flare), and
 * - the reference server (server/main.ts), as an RPC `echo` the way the connection worker asks it
 *   (protobuf, lz4 with compress_min, batching negotiated, BEST_EFFORT request),
 * each in its own process, interleaved in rounds. Prints p50 / p90 per server and the difference.
 * FLARE_RTT_BASE=/path/to/other/server/main.ts adds that server as `base` (before/after comparisons:
 * `git archive <commit> server src | tar -x -C /tmp/old`, with node_modules, package.json, deno.json
 * and src/codec/generated next to it).
 *
 * (.mts: a Deno script, outside the browser typecheck.)
 *   npx deno run -A --unstable-net bench/e2e-server-rtt.mts [rounds=10] [perRound=500] [gapMs=0]
 */
import { createFrameCodec } from '../src/codec/index.ts';
import { createCompressor } from '../src/codec/compression.ts';
import { Reliability, SystemType, type Frame } from '../src/codec/frame-types.ts';
import { customFrame, systemFrame } from '../src/codec/frames.ts';
import { metaText } from '../src/codec/metadata.ts';
import { ExtCommand } from '../src/protocol/extensions.ts';
import { COMPRESS_MIN_KEY, DEFAULT_COMPRESS_MIN, parseCompressMin, skipSmallFrames } from '../src/protocol/small-frames.ts';
import { splitBatch } from '../src/codec/js-stream-framing.ts';
import { joinFrames } from '../server/framing.ts';

const ROUNDS = Number(Deno.args[0] ?? 10);
const PER_ROUND = Number(Deno.args[1] ?? 500);
/** Pause between round trips (ms): the browser's round trips leave the server idle for a millisecond or more. */
const GAP_MS = Number(Deno.args[2] ?? 0);
const PAYLOAD = new Uint8Array(64).fill(1);


function freePort(): number {
  const l = Deno.listen({ hostname: '127.0.0.1', port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

async function spawnUntil(args: string[], ready: (base: string) => Promise<boolean>, base: string): Promise<Deno.ChildProcess> {
  const child = new Deno.Command(Deno.execPath(), { args, stdout: 'null', stderr: 'inherit' }).spawn();
  for (let i = 0; i < 300; i++) {
    if (await ready(base).catch(() => false)) return child;
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`${args.join(' ')} did not start`);
}

function openWs(url: string): Promise<WebSocket> {
  const ws = new WebSocket(url);
  ws.binaryType = 'arraybuffer';
  return new Promise((resolve, reject) => {
    ws.onopen = () => resolve(ws);
    ws.onerror = () => reject(new Error(`cannot open ${url}`));
  });
}

/** Round-trip function of the bare echo server. */
async function echoClient(url: string): Promise<{ rtt(): Promise<void>; close(): void }> {
  const ws = await openWs(url);
  let waiting: (() => void) | null = null;
  ws.onmessage = () => waiting?.();
  return {
    rtt: () =>
      new Promise<void>((r) => {
        waiting = r;
        ws.send(PAYLOAD);
      }),
    close: () => ws.close(),
  };
}

/** Round-trip function of the reference server: RPC `echo` as the connection worker sends it. */
async function flareClient(url: string): Promise<{ rtt(): Promise<void>; close(): void }> {
  const ws = await openWs(url);
  const put = (b: Uint8Array) => ws.send(b as Uint8Array<ArrayBuffer>);
  const json = createFrameCodec({ format: 'json' });
  const pb = createFrameCodec({ format: 'protobuf' });
  let onFrame: (f: Frame) => void = () => {};
  let batch = false;
  let compressor: ReturnType<typeof createCompressor> | null = null;
  let codec = json;
  ws.onmessage = (e) => {
    const bytes = new Uint8Array(e.data as ArrayBuffer);
    for (const b of batch ? splitBatch(bytes, 1 << 24).frames : [bytes]) onFrame(codec.decode(compressor ? compressor.decompress(b, 1 << 24) : b));
  };
  const ack = await new Promise<Frame>((resolve) => {
    onFrame = resolve;
    const meta = { format: 'protobuf', compression: 'lz4,gzip,none', device_id: 'bench', platform: 'web', user_id: 'bench-rtt', batch: '1', [COMPRESS_MIN_KEY]: String(DEFAULT_COMPRESS_MIN) };
    put(json.encode(systemFrame(SystemType.CONNECT, { format: 1, metadata: meta })));
  });
  const sys = ack.command!.value as { type: number; format: number; compression: string; metadata: Record<string, Uint8Array> };
  if (sys.type !== SystemType.CONNECT_ACK) throw new Error('no CONNECT_ACK');
  codec = sys.format === 1 ? json : pb;
  const c = sys.compression && sys.compression !== 'none' ? createCompressor(sys.compression) : null;
  const min = parseCompressMin(metaText(sys.metadata, COMPRESS_MIN_KEY));
  compressor = c && min > 0 ? skipSmallFrames(c, min) : c;
  put(json.encode(systemFrame(SystemType.NEGOTIATION_READY)));
  batch = metaText(sys.metadata, 'batch') === '1';
  let n = 0;
  return {
    rtt: () =>
      new Promise<void>((resolve) => {
        const id = `r${++n}`;
        onFrame = (f) => {
          if (f.command?.case === 'custom' && metaText(f.command.value.metadata, 'id') === id) resolve();
        };
        const f = customFrame(ExtCommand.RPC_REQUEST, { data: PAYLOAD, metadata: { id, method: 'echo', timeout_ms: '10000' } }, { reliability: Reliability.BEST_EFFORT });
        const b = compressor ? compressor.compress(codec.encode(f)) : codec.encode(f);
        put(batch ? joinFrames([b]) : b);
      }),
    close: () => ws.close(),
  };
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;

const echoPort = freePort();
const echoFile = new URL('./deno-echo.mts', import.meta.url).pathname;
const echoProc = await spawnUntil(['run', '--allow-net', echoFile, String(echoPort)], async () => {
  (await openWs(`ws://127.0.0.1:${echoPort}`)).close();
  return true;
}, '');
const flarePort = freePort();
const serverDir = new URL('../server/main.ts', import.meta.url).pathname;
const flareProc = await spawnUntil(['run', '--unstable-net', '-A', serverDir, '--port', String(flarePort), '--log-level', 'warn'], async (base) => (await fetch(`${base}/health`)).ok, `http://127.0.0.1:${flarePort}`);

const basePath = Deno.env.get('FLARE_RTT_BASE');
const basePort = freePort();
const baseProc = basePath ? await spawnUntil(['run', '--unstable-net', '-A', basePath, '--port', String(basePort), '--log-level', 'warn'], async (base) => (await fetch(`${base}/health`)).ok, `http://127.0.0.1:${basePort}`) : null;

try {
  const clients: Record<string, { rtt(): Promise<void>; close(): void }> = { echo: await echoClient(`ws://127.0.0.1:${echoPort}`), flare: await flareClient(`ws://127.0.0.1:${flarePort}/ws`) };
  if (baseProc) clients.base = await flareClient(`ws://127.0.0.1:${basePort}/ws`);
  const samples: Record<string, number[]> = Object.fromEntries(Object.keys(clients).map((k) => [k, []]));
  for (const c of Object.values(clients)) for (let i = 0; i < 300; i++) await c.rtt(); // warm-up
  for (let r = 0; r < ROUNDS; r++) {
    for (const [name, c] of Object.entries(clients)) {
      for (let i = 0; i < PER_ROUND; i++) {
        const t0 = performance.now();
        await c.rtt();
        samples[name]!.push(performance.now() - t0);
        if (GAP_MS > 0) await new Promise((r) => setTimeout(r, GAP_MS));
      }
    }
  }
  const f = (x: number) => x.toFixed(3);
  for (const [name, xs] of Object.entries(samples)) console.log(`${name.padEnd(6)} p50 ${f(pct(xs, 0.5))} ms  p90 ${f(pct(xs, 0.9))} ms  (n=${xs.length})`);
  for (const k of Object.keys(clients)) if (k !== 'echo') console.log(`${k} - echo: p50 ${f(pct(samples[k]!, 0.5) - pct(samples.echo!, 0.5))} ms`);
  for (const c of Object.values(clients)) c.close();
  await new Promise((r) => setTimeout(r, 300));
} finally {
  echoProc.kill('SIGKILL');
  flareProc.kill('SIGKILL');
  baseProc?.kill('SIGKILL');
}
