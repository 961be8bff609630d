/**
 * Frame codec benchmark: encode and decode of small chat frames (~200 B) and
 * large ones (64 KB payload), in frames/s ('throughput') and MB/s of wire
 * bytes ('bandwidth'), for the
 * WASM codec (batched and one frame per call), the JavaScript fallback, the
 * JSON codec and protobufjs (reflection-built schema, its generated
 * encoder/decoder) on the same frames.
 *
 * Decoding is measured honestly: every decoded frame's message ids, payload,
 * sequence number and metadata values are read, so lazy views are not free.
 */
import type { FrameCodec } from '../src/codec/codec.ts';
import type { Frame } from '../src/codec/frame-types.ts';
import { createFrameCodec, createJsProtobufCodec, createJsonCodec, loadWasmCore } from '../src/codec/index.ts';
import { protobufjsFrameType, toProtobufjs } from '../test/helpers/protobufjs-frame.ts';
import { smallFrames, largeFrames } from './codec-corpus.ts';
import { measureRates, summarize, type BenchContext, type BenchRow, type Contender } from './harness.ts';

/** Reads what an application would read from a decoded frame. */
function touch(f: Frame): number {
  let n = f.messageId.length + f.timestamp;
  const c = f.command;
  if (c?.case === 'payload') {
    const p = c.value;
    n += p.payload.length + p.messageId.length + p.seq;
    const meta = p.metadata;
    for (const k in meta) n += k.length + meta[k]!.length;
  }
  return n;
}

/** The same reads on a protobufjs message. */
function touchPjs(m: any): number {
  let n = m.message_id.length + Number(m.timestamp);
  const p = m.command?.payload;
  if (p) {
    n += p.payload.length + p.message_id.length + Number(p.seq);
    const meta = p.metadata;
    for (const k in meta) n += k.length + meta[k].length;
  }
  return n;
}

const total = (xs: readonly Uint8Array[]): number => xs.reduce((s, x) => s + x.length, 0);

interface Side extends Contender {
  /** Wire bytes one run handles. */
  bytes: number;
}

async function contenders(frames: Frame[], op: 'encode' | 'decode'): Promise<Side[]> {
  const js = createJsProtobufCodec();
  const json = createJsonCodec();
  let wasm: FrameCodec | null = null;
  try {
    const pb = createFrameCodec({ format: 'protobuf', wasm: await loadWasmCore() });
    if (pb.implementation === 'wasm') wasm = pb;
  } catch (e) {
    console.log(`WASM core unavailable: ${String(e)}`);
  }
  if (!wasm) console.log('no WASM frame codec in this build: flare-wasm contenders skipped');
  const Type = protobufjsFrameType();
  const pb = js.encodeBatch(frames);
  const jsonBytes = json.encodeBatch(frames);
  const pbSize = total(pb);
  const sides: Side[] = [];
  if (op === 'encode') {
    const loop = (codec: FrameCodec) => () => {
      let n = 0;
      for (const f of frames) n += codec.encode(f).length;
      return n;
    };
    if (wasm) {
      const w = wasm;
      sides.push({ name: 'flare-wasm-batched', bytes: pbSize, run: () => total(w.encodeBatch(frames)) });
      sides.push({ name: 'flare-wasm', bytes: pbSize, run: loop(w) });
    }
    sides.push({ name: 'flare-js', bytes: pbSize, run: loop(js) });
    sides.push({ name: 'flare-json', bytes: total(jsonBytes), run: loop(json) });
    const objs = frames.map(toProtobufjs);
    sides.push({
      name: 'protobufjs',
      bytes: pbSize,
      run: () => {
        let n = 0;
        for (const o of objs) n += Type.encode(o).finish().length;
        return n;
      },
    });
  } else {
    const loop = (codec: FrameCodec, input: Uint8Array[]) => () => {
      let n = 0;
      for (const b of input) n += touch(codec.decode(b));
      return n;
    };
    if (wasm) {
      const w = wasm;
      sides.push({
        name: 'flare-wasm-batched',
        bytes: pbSize,
        run: () => {
          let n = 0;
          for (const f of w.decodeBatch(pb)) n += touch(f as Frame);
          return n;
        },
      });
      sides.push({ name: 'flare-wasm', bytes: pbSize, run: loop(w, pb) });
    }
    sides.push({ name: 'flare-js', bytes: pbSize, run: loop(js, pb) });
    sides.push({ name: 'flare-json', bytes: total(jsonBytes), run: loop(json, jsonBytes) });
    sides.push({
      name: 'protobufjs',
      bytes: pbSize,
      run: () => {
        let n = 0;
        for (const b of pb) n += touchPjs(Type.decode(b));
        return n;
      },
    });
  }
  // Every contender must compute the same thing before it is timed.
  const expected = op === 'decode' ? frames.reduce((s, f) => s + touch(f), 0) : null;
  for (const s of sides) {
    const got = await s.run();
    if (op === 'decode' && got !== expected) throw new Error(`${s.name} decoded differently (${got} != ${expected})`);
    if (op === 'encode' && got !== s.bytes) throw new Error(`${s.name} encoded ${got} bytes, expected ${s.bytes}`);
  }
  return sides;
}

async function measureCase(name: string, frames: Frame[], op: 'encode' | 'decode', quick: boolean): Promise<BenchRow[]> {
  const sides = await contenders(frames, op);
  // Short rounds, many of them: finer interleaving keeps ratios meaningful on a busy machine.
  const samples = await measureRates(sides, { quick, rounds: quick ? 5 : 25, roundMs: 50 });
  const rows: BenchRow[] = [];
  const ref = summarize(samples.get('protobufjs')!).value;
  for (const s of sides) {
    const xs = samples.get(s.name)!;
    const fps = summarize(xs.map((x) => x * frames.length));
    const mbs = summarize(xs.map((x) => (x * s.bytes) / 1e6));
    const extra = {
      bytesPerFrame: Math.round(s.bytes / frames.length),
      framesPerRun: frames.length,
      vsProtobufjs: Number((summarize(xs).value / ref).toFixed(2)),
    };
    rows.push({ case: name, contender: s.name, metric: 'throughput', unit: 'frames/s', better: 'higher', ...fps, extra });
    rows.push({ case: name, contender: s.name, metric: 'bandwidth', unit: 'MB/s', better: 'higher', ...mbs, extra });
  }
  return rows;
}

/** The codec benchmark (see bench/README.md). */
export default async function codecBench(ctx: BenchContext): Promise<BenchRow[]> {
  const small = smallFrames(256);
  const large = largeFrames(ctx.quick ? 4 : 16);
  const rows: BenchRow[] = [];
  for (const op of ['encode', 'decode'] as const) {
    rows.push(...(await measureCase(`frame.${op}.small`, small, op, ctx.quick)));
    rows.push(...(await measureCase(`frame.${op}.large`, large, op, ctx.quick)));
  }
  return rows;
}
