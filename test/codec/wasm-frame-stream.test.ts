// Length-prefixed stream framing on the WASM core: the deframer against every
// split of a stream, random chunkings (checked against the JavaScript
// deframer), big frames, limits (reported after the frames before them), end
// of stream, copies; the framer's packing.
import { expect } from 'chai';
import fc from 'fast-check';
import { CodecError, ErrorCode } from '../../src/codec/errors.ts';
import { createJsDeframer, packFrames } from '../../src/codec/js-stream-framing.ts';
import { loadWasmCore } from '../../src/codec/wasm-core.ts';
import type { StreamDeframer } from '../../src/codec/codec.ts';
import { WasmStreamDeframer, wasmFrameStream } from '../../src/codec/wasm-frame-stream.ts';
import { toHex } from '../fixtures/flare-core.ts';

const core = await loadWasmCore();
const stream = wasmFrameStream(core);

/** Feeds `bytes` cut at `cuts` (sorted offsets); returns every frame out, as hex, then the code of the first error if any. */
function feed(d: StreamDeframer, bytes: Uint8Array, cuts: number[]): string[] {
  const out: string[] = [];
  let error: string | null = null;
  let prev = 0;
  for (const cut of [...cuts, bytes.length]) {
    const r = d.push(bytes.subarray(prev, cut));
    for (const f of r.frames) out.push(toHex(f));
    error ??= r.error?.code ?? null;
    prev = cut;
  }
  return error ? [...out, error] : out;
}

function codecError(run: () => unknown): CodecError {
  try {
    run();
  } catch (e) {
    expect(e).to.be.instanceOf(CodecError);
    return e as CodecError;
  }
  throw new Error('expected a CodecError');
}

const frames = [Uint8Array.of(1), new Uint8Array(300).map((_, i) => i), Uint8Array.of(0, 0, 0, 0), Uint8Array.of(9, 8)];
const wire = stream.packFrames(frames, { end: true });
const expected = frames.map(toHex);

describe('WASM stream deframer', () => {
  it('reassembles frames for every single split point of the stream', () => {
    for (let cut = 0; cut <= wire.length; cut++) {
      const d = stream.deframer();
      expect(feed(d, wire, [cut]), `cut at ${cut}`).to.deep.equal(expected);
      expect(d.ended).to.equal(true);
      expect(d.buffered).to.equal(0);
    }
  });

  it('reassembles frames for every pair of split points', () => {
    const small = stream.packFrames([Uint8Array.of(5), new Uint8Array(20).fill(7), Uint8Array.of(1, 2, 3)]);
    for (let a = 0; a <= small.length; a++) {
      for (let b = a; b <= small.length; b++) {
        expect(feed(stream.deframer(), small, [a, b]), `cuts ${a}, ${b}`).to.deep.equal(['05', '07'.repeat(20), '010203']);
      }
    }
  });

  it('gives what the JavaScript deframer gives for random frames and random chunkings', () => {
    const chunked = fc.tuple(fc.array(fc.uint8Array({ minLength: 1, maxLength: 700 }), { maxLength: 10 }), fc.array(fc.nat(), { maxLength: 12 }), fc.boolean());
    fc.assert(fc.property(chunked, ([list, rawCuts, end]) => {
      const bytes = packFrames(list, { end });
      const cuts = rawCuts.map((c) => c % (bytes.length + 1)).sort((x, y) => x - y);
      const d = stream.deframer();
      const ours = feed(d, bytes, cuts);
      expect(ours).to.deep.equal(list.map(toHex));
      expect(ours).to.deep.equal(feed(createJsDeframer(), bytes, cuts));
      expect(d.ended).to.equal(end);
      d.dispose();
    }), { numRuns: 300 });
  });

  it('reassembles a 3 MB frame from 64 KB chunks, counting what it holds', () => {
    const big = new Uint8Array(3 * 1024 * 1024).map((_, i) => (i * 7) & 255);
    const bytes = stream.packFrames([big, Uint8Array.of(1)]);
    const d = stream.deframer();
    const out: Uint8Array[] = [];
    for (let at = 0; at < bytes.length; at += 65536) {
      out.push(...d.push(bytes.subarray(at, at + 65536)).frames);
      if (out.length === 0) expect(d.buffered).to.equal(Math.min(at + 65536, bytes.length));
    }
    expect(out.length).to.equal(2);
    expect(out[0]!.length).to.equal(big.length);
    expect(toHex(out[0]!.subarray(0, 64))).to.equal(toHex(big.subarray(0, 64)));
    expect(out[0]!.every((v, i) => v === big[i])).to.equal(true);
    expect(d.buffered).to.equal(0);
    d.dispose();
  });

  it('returns all frames of a chunk holding thousands of them (several scans)', () => {
    const list = Array.from({ length: 5000 }, (_, i) => Uint8Array.of(i & 255, i >> 8));
    const out = stream.deframer().push(stream.packFrames(list)).frames;
    expect(out.map(toHex)).to.deep.equal(list.map(toHex));
  });

  it('returns copies: not views into WASM memory, unchanged when the chunk is reused', () => {
    const chunk = stream.packFrames([Uint8Array.of(1, 2, 3)]);
    const [frame] = stream.deframer().push(chunk).frames;
    expect(frame!.buffer).to.not.equal(core.exports.memory.buffer);
    chunk.fill(0xee);
    stream.deframer().push(stream.packFrames([Uint8Array.of(4, 5, 6)]));
    expect(toHex(frame!)).to.equal('010203');
  });

  it('stops at a zero length and ignores what follows', () => {
    const d = stream.deframer();
    const bytes = new Uint8Array([0, 0, 0, 1, 42, 0, 0, 0, 0, 0, 0, 0, 9, 1, 2]);
    const r = d.push(bytes);
    expect(r.frames.map(toHex)).to.deep.equal(['2a']);
    expect([r.ended, r.error, d.ended]).to.deep.equal([true, null, true]);
    expect(d.push(Uint8Array.of(0, 0, 0, 1, 1))).to.deep.equal({ frames: [], error: null, ended: true });
    expect(d.buffered).to.equal(0);
  });

  it('refuses a declared length over the limit as soon as the prefix is read, and yields nothing after', () => {
    const d = new WasmStreamDeframer(core, { maxFrameBytes: 100 });
    expect(d.push(Uint8Array.of(0, 0, 0, 100)).frames.length).to.equal(0); // exactly the limit is fine
    expect(d.push(new Uint8Array(100)).frames.length).to.equal(1);
    d.push(Uint8Array.of(0, 0));
    const { frames: none, error } = d.push(Uint8Array.of(0, 101));
    expect(none).to.deep.equal([]);
    expect(error?.code).to.equal(ErrorCode.FRAME_TOO_LARGE);
    expect(error?.details).to.deep.equal({ size: 101, limit: 100 });
    expect(d.buffered).to.equal(0);
    expect(d.push(stream.packFrames([Uint8Array.of(1)]))).to.deep.equal({ frames: [], error, ended: false });
  });

  it('returns the frames before a bad length prefix, scanned in several batches, as copies that outlive the freed buffer', () => {
    const list = Array.from({ length: 3000 }, (_, i) => Uint8Array.of(i & 255, i >> 8, 7));
    const bad = new Uint8Array([...stream.packFrames(list), 0x7f, 0, 0, 0, 1, 2, 3]);
    const d = stream.deframer();
    const r = d.push(bad);
    expect(r.error?.details).to.deep.equal({ size: 0x7f000000, limit: 10 * 1024 * 1024 });
    // Reuse the WASM memory the deframer freed: the frames must not change.
    const other = stream.deframer();
    other.push(new Uint8Array(bad.length).fill(0x55).subarray(0, 3 * 1024));
    expect(r.frames.map(toHex)).to.deep.equal(list.map(toHex));
    other.dispose();
  });

  it('refuses 0xffffffff and 10 MiB + 1 with the default limit, without buffering them', () => {
    for (const prefix of [[0xff, 0xff, 0xff, 0xff], [0x00, 0xa0, 0x00, 0x01]]) {
      const d = stream.deframer();
      const { error } = d.push(Uint8Array.from(prefix));
      expect(error?.details).to.deep.equal({ size: new DataView(Uint8Array.from(prefix).buffer).getUint32(0), limit: 10 * 1024 * 1024 });
      expect(d.buffered).to.equal(0);
    }
    const ok = stream.deframer();
    ok.push(Uint8Array.of(0x00, 0xa0, 0x00, 0x00)); // exactly 10 MiB: waits for it
    expect(ok.buffered).to.equal(4);
    ok.dispose();
  });

  it('on random bytes gives the same frames and error as the JavaScript deframer', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), fc.nat(64), (bytes, cut) => {
      const cuts = [Math.min(cut, bytes.length)];
      expect(feed(new WasmStreamDeframer(core, { maxFrameBytes: 20 }), bytes, cuts)).to.deep.equal(feed(createJsDeframer({ maxFrameBytes: 20 }), bytes, cuts));
    }), { numRuns: 500 });
  });

  it('frees its WASM buffer on dispose (memory does not grow over many streams)', () => {
    const bytes = stream.packFrames([new Uint8Array(200_000)]);
    for (let i = 0; i < 3; i++) stream.deframer().push(bytes.subarray(0, 150_000));
    const size = core.exports.memory.buffer.byteLength;
    for (let i = 0; i < 100; i++) {
      const d = stream.deframer();
      d.push(bytes.subarray(0, 150_000));
      d.dispose();
      expect(d.ended).to.equal(true);
    }
    expect(core.exports.memory.buffer.byteLength).to.equal(size);
  });
});

describe('WASM framer (packFrames)', () => {
  it('packs exactly what the JavaScript framer packs', () => {
    fc.assert(fc.property(fc.array(fc.uint8Array({ minLength: 1, maxLength: 300 }), { maxLength: 10 }), fc.boolean(), (list, end) => {
      expect(toHex(stream.packFrames(list, { end }))).to.equal(toHex(packFrames(list, { end })));
    }), { numRuns: 200 });
    expect(toHex(stream.packFrames([], { end: true }))).to.equal('00000000');
    expect(stream.packFrames([]).length).to.equal(0);
  });

  it('refuses an empty frame (it would end the stream) and a frame over the limit', () => {
    const empty = codecError(() => stream.packFrames([Uint8Array.of(1), new Uint8Array(0)]));
    expect(empty.code).to.equal(ErrorCode.INVALID_ARGUMENT);
    const small = wasmFrameStream(core, { maxFrameBytes: 10 });
    const big = codecError(() => small.packFrames([new Uint8Array(10), new Uint8Array(11)]));
    expect(big.code).to.equal(ErrorCode.FRAME_TOO_LARGE);
    expect(big.details).to.include({ size: 11, limit: 10, index: 1 });
    expect(codecError(() => wasmFrameStream(core, { maxFrameBytes: 0 })).code).to.equal(ErrorCode.INVALID_ARGUMENT);
  });
});
