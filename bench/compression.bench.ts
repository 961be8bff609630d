/**
 * Compression benchmark: gzip and LZ4, ours against the JavaScript libraries
 * and the browser's native CompressionStream, on three inputs:
 * - `chat-1mb`: ~1 MB of chat messages as one JSON array (a history page);
 * - `chat-200b`: the same messages one by one (~200 B each), as realtime
 *   frames travel: one call per message, plus our batched call;
 * - `random-1mb`: 1 MB of random bytes (incompressible: the worst case).
 * Figures: compress and decompress MB/s (of uncompressed bytes), messages/s
 * for the small messages, and the compression ratio (metric 'ratio').
 *
 * gzip decoders all read the same bytes, as zlib writes them at level 6 (pako
 * here; flare-core's flate2 defaults to 6 too); LZ4 decoders read what their
 * own encoder writes (lz4js has its own frame format). `npm run
 * bench:compression -- gzip` (or `lz4`) runs one family.
 */
import * as fflate from 'fflate';
import lz4js from 'lz4js';
import * as pako from 'pako';
import lz4WasmBytes from 'lz4-wasm/lz4_wasm_bg.wasm' with { type: 'bytes' };
import { createGzipCodec } from '../src/codec/gzip.ts';
import { createLz4Codec, jsLz4Codec } from '../src/codec/lz4.ts';
import { loadWasmCore } from '../src/codec/wasm-core.ts';
import { lz4WasmFromBytes } from '../test/helpers/lz4-anchors.ts';
import { rateRows, rng, type BenchContext, type BenchRow, type Contender } from './harness.ts';

const NAMES = ['Alice', 'Bob', 'Carol', 'Dmitri', 'Eve', 'Fatima', 'Guo Wei', 'Hana', 'Inès', 'Jun', 'Kofi', 'Lena'];
const WORDS = (
  'the a to and of you I is it that for on are with this be at have not can we our will your just see ' +
  'meeting tomorrow lunch call review deploy build ticket sounds good thanks later today done fixed ' +
  'please check the latest version when you have a minute almost ready great idea agreed'
).split(' ');
const EMOJI = ['😀', '🎉', '👍', '🚀', '❤️', '🙏', '😅'];

/** Chat messages as JSON, ~200 bytes each, about `bytes` in total (deterministic). */
function chatMessages(bytes: number): Uint8Array[] {
  const r = rng(2026);
  const enc = new TextEncoder();
  const out: Uint8Array[] = [];
  let total = 0;
  let ts = 1795390476283;
  for (let i = 0; total < bytes; i++) {
    const n = 4 + Math.floor(r() * 18);
    let text = Array.from({ length: n }, () => WORDS[Math.floor(r() * WORDS.length)]).join(' ');
    text = text[0]!.toUpperCase() + text.slice(1) + (r() < 0.3 ? '?' : '.');
    if (r() < 0.25) text += ` ${EMOJI[Math.floor(r() * EMOJI.length)]}`;
    ts += Math.floor(r() * 9000);
    const from = Math.floor(r() * NAMES.length);
    const m = enc.encode(
      JSON.stringify({
        id: `${ts}-${i.toString(16).padStart(16, '0')}`,
        room: `room-${Math.floor(r() * 8)}`,
        from: { id: `u${1000 + from}`, name: NAMES[from] },
        ts,
        type: 'text',
        text,
        ...(r() < 0.1 ? { reply_to: `${ts - 60000}-${(i - 3).toString(16).padStart(16, '0')}` } : {}),
      }),
    );
    out.push(m);
    total += m.length;
  }
  return out;
}

function joinJsonArray(messages: readonly Uint8Array[]): Uint8Array {
  const total = messages.reduce((s, m) => s + m.length + 1, 1);
  const out = new Uint8Array(total);
  out[0] = 0x5b; // [
  let p = 1;
  for (const m of messages) {
    out.set(m, p);
    p += m.length;
    out[p++] = 0x2c; // ,
  }
  out[total - 1] = 0x5d; // ]
  return out;
}

async function viaStream(data: Uint8Array, stream: CompressionStream | DecompressionStream): Promise<Uint8Array> {
  const s = new Blob([data as Uint8Array<ArrayBuffer>]).stream().pipeThrough(stream);
  return new Uint8Array(await new Response(s).arrayBuffer());
}

const sum = (xs: readonly Uint8Array[]): number => xs.reduce((s, x) => s + x.length, 0);

function same(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** A compressor; `batch` compresses a list of messages in one call (ours). */
interface Encoder {
  name: string;
  compress(d: Uint8Array): Uint8Array | Promise<Uint8Array>;
  batch?(ms: Uint8Array[]): Uint8Array[];
}

/** A decompressor, with the encoding it reads. */
interface Decoder {
  name: string;
  encode(d: Uint8Array): Uint8Array;
  decompress(d: Uint8Array): Uint8Array | Promise<Uint8Array>;
  batch?(ms: Uint8Array[]): Uint8Array[];
}

interface Input {
  name: string;
  /** One buffer, or messages handled one per call. */
  data: Uint8Array | Uint8Array[];
}

/** A contender running `op` on the input: the buffer, or every message of the list in turn. */
function runner(name: string, data: Uint8Array | Uint8Array[], op: (d: Uint8Array) => Uint8Array | Promise<Uint8Array>): Contender {
  if (data instanceof Uint8Array) return { name, run: () => op(data) };
  if (name === 'compression-stream') {
    // Every message through its own stream, all of them in flight at once.
    return { name, run: async () => (await Promise.all(data.map(op))).length };
  }
  return {
    name,
    run: () => {
      let n = 0;
      for (const m of data) n += (op(m) as Uint8Array).length;
      return n;
    },
  };
}

async function family(algorithm: 'gzip' | 'lz4', encoders: Encoder[], decoders: Decoder[], inputs: Input[], quick: boolean): Promise<BenchRow[]> {
  // More, shorter rounds than the default: the median holds up better on a busy machine.
  const options = { quick, rounds: quick ? 3 : 15, roundMs: quick ? 100 : 120 };
  const rows: BenchRow[] = [];
  for (const input of inputs) {
    const list = Array.isArray(input.data) ? input.data : null;
    const whole = list ? null : (input.data as Uint8Array);
    const raw = list ? sum(list) : whole!.length;
    const per = (metric: string) => [
      { metric, unit: 'MB/s', perUnit: raw / 1e6 },
      ...(list ? [{ metric: 'messages', unit: 'msg/s', perUnit: list.length }] : []),
    ];

    // Compression: speed, then the size each encoder reaches.
    const compress: Contender[] = [];
    for (const e of encoders) {
      compress.push(runner(e.name, input.data, (d) => e.compress(d)));
      if (list && e.batch) compress.push({ name: `${e.name}-batched`, run: () => e.batch!(list) });
    }
    const compressCase = `${algorithm}.compress.${input.name}`;
    rows.push(...(await rateRows(compressCase, compress, per('compress'), options)));
    for (const e of encoders) {
      const out = list ? await Promise.all(list.map((m) => e.compress(m))) : [await e.compress(whole!)];
      rows.push({ case: compressCase, contender: e.name, metric: 'ratio', unit: 'compressed/original', better: 'lower', value: sum(out) / raw, runs: 1, spread: 0 });
    }

    // Decompression: each decoder reads its encoding of the input, checked once.
    const decompress: Contender[] = [];
    for (const d of decoders) {
      const packed = list ? list.map((m) => d.encode(m)) : d.encode(whole!);
      const back = Array.isArray(packed) ? await Promise.all(packed.map((m) => d.decompress(m))) : [await d.decompress(packed)];
      const expected = list ?? [whole!];
      if (!back.every((b, i) => same(b, expected[i]!))) throw new Error(`${d.name} does not round-trip ${input.name}`);
      decompress.push(runner(d.name, packed, (m) => d.decompress(m)));
      if (Array.isArray(packed) && d.batch) decompress.push({ name: `${d.name}-batched`, run: () => d.batch!(packed) });
    }
    rows.push(...(await rateRows(`${algorithm}.decompress.${input.name}`, decompress, per('decompress'), options)));
  }
  return rows;
}

export default async (ctx: BenchContext): Promise<BenchRow[]> => {
  const core = await loadWasmCore();
  const gz = createGzipCodec(core);
  const lz4 = createLz4Codec(core);
  // Imported `with { type: 'bytes' }`, esbuild inlines the module as bytes (its .d.ts describes the instance).
  const lz4wasm = await lz4WasmFromBytes(lz4WasmBytes as unknown as Uint8Array<ArrayBuffer>);

  const messages = chatMessages(1 << 20);
  const corpus = joinJsonArray(messages);
  const random = new Uint8Array(1 << 20);
  const r = rng(99);
  for (let i = 0; i < random.length; i++) random[i] = (r() * 256) | 0;
  // One run of the small-message case handles 1000 messages (~200 kB).
  const small = messages.slice(0, 1000);
  console.log(`chat-1mb: ${corpus.length} B; chat-200b: ${small.length} messages, mean ${Math.round(sum(small) / small.length)} B`);
  const inputs: Input[] = [
    { name: 'chat-1mb', data: corpus },
    { name: 'chat-200b', data: small },
    { name: 'random-1mb', data: random },
  ];

  const zlib6 = (d: Uint8Array): Uint8Array => pako.gzip(d, { level: 6 });
  const gzipEncoders: Encoder[] = [
    { name: 'flare-gzip', compress: (d) => gz.compress(d, { level: 1 }), batch: (ms) => gz.compressBatch(ms, { level: 1 }) },
    { name: 'flare-gzip-6', compress: (d) => gz.compress(d, { level: 6 }) },
    { name: 'fflate-1', compress: (d) => fflate.gzipSync(d, { level: 1 }) },
    { name: 'fflate-6', compress: (d) => fflate.gzipSync(d, { level: 6 }) },
    { name: 'pako-1', compress: (d) => pako.gzip(d, { level: 1 }) },
    { name: 'pako-6', compress: zlib6 },
    { name: 'compression-stream', compress: (d) => viaStream(d, new CompressionStream('gzip')) },
  ];
  const gzipDecoders: Decoder[] = [
    { name: 'flare-gzip', encode: zlib6, decompress: (d) => gz.decompress(d), batch: (ms) => gz.decompressBatch(ms) },
    { name: 'fflate', encode: zlib6, decompress: (d) => fflate.gunzipSync(d) },
    { name: 'pako', encode: zlib6, decompress: (d) => pako.ungzip(d) },
    { name: 'compression-stream', encode: zlib6, decompress: (d) => viaStream(d, new DecompressionStream('gzip')) },
  ];
  const lz4Encoders: Encoder[] = [
    { name: 'flare-lz4', compress: (d) => lz4.compress(d), batch: (ms) => lz4.compressBatch(ms) },
    { name: 'flare-lz4-js', compress: (d) => jsLz4Codec.compress(d) },
    { name: 'lz4js', compress: (d) => lz4js.compress(d) },
    { name: 'lz4-wasm', compress: (d) => lz4wasm.compress(d) },
  ];
  const lz4Decoders: Decoder[] = [
    { name: 'flare-lz4', encode: (d) => lz4.compress(d), decompress: (d) => lz4.decompress(d), batch: (ms) => lz4.decompressBatch(ms) },
    { name: 'flare-lz4-js', encode: (d) => jsLz4Codec.compress(d), decompress: (d) => jsLz4Codec.decompress(d) },
    { name: 'lz4js', encode: (d) => lz4js.compress(d), decompress: (d) => lz4js.decompress(d) },
    { name: 'lz4-wasm', encode: (d) => lz4wasm.compress(d), decompress: (d) => lz4wasm.decompress(d) },
  ];

  const only = ctx.args[0];
  const rows: BenchRow[] = [];
  if (!only || only === 'gzip') rows.push(...(await family('gzip', gzipEncoders, gzipDecoders, inputs, ctx.quick)));
  if (!only || only === 'lz4') rows.push(...(await family('lz4', lz4Encoders, lz4Decoders, inputs, ctx.quick)));
  return rows;
};
