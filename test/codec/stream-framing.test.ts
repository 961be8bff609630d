// Length-prefixed stream framing: the deframer against every split of the
// stream, random chunkings, limits (reported after the good frames before them)
// and end of stream; the framer's packing.
import { expect } from 'chai';
import fc from 'fast-check';
import { CodecError, ErrorCode, Limits, WasmStreamDeframer, createJsDeframer, loadWasmCore, packFrames, splitBatch } from '../../src/codec/index.ts';
import type { StreamDeframer } from '../../src/codec/index.ts';
import { toHex } from '../fixtures/flare-core.ts';

interface DeframerUnderTest {
  name: string;
  create(options?: { maxFrameBytes?: number }): StreamDeframer;
}

const core = await loadWasmCore();
const deframers: DeframerUnderTest[] = [
  { name: 'js', create: (o) => createJsDeframer(o) },
  { name: 'wasm', create: (o) => new WasmStreamDeframer(core, o) },
];

const frameList = fc.array(fc.uint8Array({ minLength: 1, maxLength: 600 }), { maxLength: 8 });

/** Feeds `stream` cut at `cuts` (sorted offsets); returns every frame out, as hex, and the first error. */
function feedAll(d: StreamDeframer, stream: Uint8Array, cuts: number[]): { frames: string[]; error: CodecError | null } {
  const frames: string[] = [];
  let error: CodecError | null = null;
  let prev = 0;
  for (const cut of [...cuts, stream.length]) {
    const r = d.push(stream.subarray(prev, cut));
    for (const f of r.frames) frames.push(toHex(f));
    error ??= r.error;
    prev = cut;
  }
  return { frames, error };
}

/** Like feedAll, for streams that hold no error. */
function feed(d: StreamDeframer, stream: Uint8Array, cuts: number[]): string[] {
  const { frames, error } = feedAll(d, stream, cuts);
  expect(error).to.equal(null);
  return frames;
}

function expectTooLarge(error: unknown, size: number, limit: number): void {
  expect(error).to.be.instanceOf(CodecError);
  expect((error as CodecError).code).to.equal(ErrorCode.FRAME_TOO_LARGE);
  expect((error as CodecError).details).to.deep.equal({ size, limit });
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return expect.fail('should throw');
}

/** A 4-byte big-endian length prefix. */
const prefix = (n: number) => new Uint8Array([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]);
const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((at, p) => (out.set(p, at), at + p.length), 0);
  return out;
};

describe('packFrames', () => {
  it('prefixes each frame with its 4-byte big-endian length, in one buffer', () => {
    const packed = packFrames([new Uint8Array([7]), new Uint8Array(258).fill(1)]);
    expect(packed.length).to.equal(4 + 1 + 4 + 258);
    expect(toHex(packed.subarray(0, 5))).to.equal('0000000107');
    expect(toHex(packed.subarray(5, 9))).to.equal('00000102');
  });

  it('appends the zero-length end-of-stream marker on request', () => {
    expect(toHex(packFrames([new Uint8Array([9])], { end: true }))).to.equal('000000010900000000');
    expect(toHex(packFrames([], { end: true }))).to.equal('00000000');
  });

  it('refuses an empty frame (it would end the stream) and a frame over the limit', () => {
    try {
      packFrames([new Uint8Array(0)]);
      expect.fail('should refuse');
    } catch (e) {
      expect((e as CodecError).code).to.equal(ErrorCode.INVALID_ARGUMENT);
    }
    expectTooLarge(thrown(() => packFrames([new Uint8Array(11)], { maxFrameBytes: 10 })), 11, 10);
  });
});

for (const { name, create } of deframers) {
  describe(`StreamDeframer: ${name}`, () => {
    it('reassembles frames for every single split point of the stream', () => {
      const frames = [new Uint8Array([1, 2, 3]), new Uint8Array(70).map((_, i) => i), new Uint8Array([255])];
      const stream = packFrames(frames, { end: true });
      for (let cut = 0; cut <= stream.length; cut++) {
        const d = create();
        expect(feed(d, stream, [cut])).to.deep.equal(frames.map(toHex));
        expect(d.ended).to.equal(true);
        expect(d.buffered).to.equal(0);
      }
    });

    it('reassembles frames for every pair of split points', () => {
      const frames = [new Uint8Array([5, 6]), new Uint8Array(9).fill(4), new Uint8Array([3])];
      const stream = packFrames(frames);
      for (let a = 0; a <= stream.length; a++) {
        for (let b = a; b <= stream.length; b++) expect(feed(create(), stream, [a, b])).to.deep.equal(frames.map(toHex));
      }
    });

    it('reassembles random frames from random chunkings, one byte at a time included', () => {
      fc.assert(
        fc.property(frameList, fc.array(fc.nat(), { maxLength: 20 }), fc.boolean(), (frames, raw, bytewise) => {
          const stream = packFrames(frames);
          const cuts = bytewise
            ? Array.from({ length: stream.length }, (_, i) => i)
            : [...new Set(raw.map((x) => x % (stream.length + 1)))].sort((x, y) => x - y);
          const d = create();
          expect(feed(d, stream, cuts)).to.deep.equal(frames.map(toHex));
          expect(d.buffered).to.equal(0);
          expect(d.ended).to.equal(false);
        }),
        { numRuns: 200 },
      );
    });

    it('counts the stream bytes it holds for an incomplete frame', () => {
      const d = create();
      expect(d.push(new Uint8Array([0, 0])).frames).to.deep.equal([]);
      expect(d.buffered).to.equal(2);
      expect(d.push(new Uint8Array([0, 5, 1, 2])).frames).to.deep.equal([]);
      expect(d.buffered).to.equal(6);
      expect(d.push(new Uint8Array([3, 4, 5, 0, 0])).frames.map(toHex)).to.deep.equal(['0102030405']);
      expect(d.buffered).to.equal(2);
    });

    it('stops at a zero length, reports the end with the frames before it, and ignores what follows', () => {
      const d = create();
      const tail = packFrames([new Uint8Array([1])]);
      const stream = concat(packFrames([new Uint8Array([8])], { end: true }), tail);
      const r = d.push(stream);
      expect(r.frames.map(toHex)).to.deep.equal(['08']);
      expect([r.ended, r.error, d.ended]).to.deep.equal([true, null, true]);
      expect(d.push(tail)).to.deep.equal({ frames: [], error: null, ended: true });
      expect(d.buffered).to.equal(0);
    });

    it('returns the frames before a bad length prefix in the same chunk, with the error after them', () => {
      const d = create({ maxFrameBytes: 100 });
      const r = d.push(concat(packFrames([new Uint8Array([1, 2]), new Uint8Array(100).fill(3)]), prefix(101), new Uint8Array([9, 9])));
      expect(r.frames.map((f) => [f.length, f[0]])).to.deep.equal([[2, 1], [100, 3]]);
      expectTooLarge(r.error, 101, 100);
      expect(r.ended).to.equal(false);
      expect(d.buffered).to.equal(0);
    });

    it('reports a bad length prefix after the good frames for every split point of the stream', () => {
      const good = [new Uint8Array([5]), new Uint8Array(30).fill(6), new Uint8Array([7, 7])];
      const stream = concat(packFrames(good), prefix(0xffffffff), new Uint8Array(8));
      for (let a = 0; a <= stream.length; a++) {
        for (let b = a; b <= stream.length; b += 3) {
          const { frames, error } = feedAll(create({ maxFrameBytes: 40 }), stream, [a, b]);
          expect(frames, `cuts ${a}, ${b}`).to.deep.equal(good.map(toHex));
          expectTooLarge(error, 0xffffffff, 40);
        }
      }
    });

    it('refuses a declared length over the limit as soon as the prefix is read, and yields nothing after', () => {
      const d = create({ maxFrameBytes: 100 });
      expect(d.push(packFrames([new Uint8Array(100)])).frames.length).to.equal(1);
      expect(d.push(new Uint8Array([0, 0]))).to.deep.equal({ frames: [], error: null, ended: false });
      const r = d.push(new Uint8Array([0, 101]));
      expect(r.frames).to.deep.equal([]);
      expectTooLarge(r.error, 101, 100);
      expect(d.buffered).to.equal(0);
      const later = d.push(packFrames([new Uint8Array([1])], { end: true }));
      expect(later.frames).to.deep.equal([]);
      expect(later.error).to.equal(r.error);
      expect([later.ended, d.ended]).to.deep.equal([false, false]);
    });

    it('refuses 0xffffffff with the default 10 MiB limit without buffering it', () => {
      const d = create();
      expect(d.push(new Uint8Array([0, 0xa0])).frames).to.deep.equal([]); // 10 MiB = 0x00a00000
      expect(d.push(new Uint8Array([0, 0, 1])).frames.length).to.equal(0);
      expect(d.buffered).to.equal(5);
      const fresh = create();
      expectTooLarge(fresh.push(new Uint8Array([0xff, 0xff, 0xff, 0xff, 1])).error, 0xffffffff, Limits.MAX_FRAME_BYTES);
      expect(fresh.buffered).to.equal(0);
      const over = create();
      expectTooLarge(over.push(new Uint8Array([0, 0xa0, 0, 1])).error, Limits.MAX_FRAME_BYTES + 1, Limits.MAX_FRAME_BYTES);
    });

    it('throws only for a chunk that is not a Uint8Array (a programming error, not bad input)', () => {
      expect((thrown(() => create().push([1, 2] as unknown as Uint8Array)) as CodecError).code).to.equal(ErrorCode.INVALID_ARGUMENT);
    });

    it('on random bytes returns frames within the limit, then at most a FRAME_TOO_LARGE error, never a throw', () => {
      fc.assert(
        fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 10 }), fc.integer({ min: 1, max: 300 }), (chunks, max) => {
          const d = create({ maxFrameBytes: max });
          let failed: CodecError | null = null;
          for (const c of chunks) {
            const r = d.push(c);
            if (failed) expect(r.frames).to.deep.equal([]);
            for (const f of r.frames) expect(f.length).to.be.within(1, max);
            if (r.error) expect(r.error.code).to.equal(ErrorCode.FRAME_TOO_LARGE);
            failed ??= r.error;
          }
        }),
        { numRuns: 300 },
      );
    });
  });
}

// One batched WebSocket message (client and server both split with it).
describe('splitBatch', () => {
  it('gives back exactly the frames packFrames joined, as views without copies', () => {
    fc.assert(
      fc.property(frameList.filter((l) => l.length > 0), (frames) => {
        const packed = packFrames(frames);
        const { frames: out, error } = splitBatch(packed);
        expect(error).to.equal(null);
        expect(out.map(toHex)).to.deep.equal(frames.map(toHex));
        for (const f of out) expect(f.buffer).to.equal(packed.buffer);
      }),
    );
  });

  const good = [new Uint8Array([1, 2]), new Uint8Array([3])];
  const faults: Array<[string, Uint8Array, string]> = [
    ['a cut length prefix', new Uint8Array([0, 0]), ErrorCode.TRUNCATED],
    ['a frame cut short', new Uint8Array([0, 0, 0, 5, 9, 9]), ErrorCode.TRUNCATED],
    ['a zero length', new Uint8Array([0, 0, 0, 0]), ErrorCode.MALFORMED_FRAME],
    ['a length over the limit', new Uint8Array([0, 0, 1, 0, 7]), ErrorCode.FRAME_TOO_LARGE],
  ];
  for (const [what, tail, code] of faults) {
    it(`returns the frames before ${what}, then the error (${code})`, () => {
      const bytes = new Uint8Array([...packFrames(good), ...tail]);
      const { frames, error } = splitBatch(bytes, 100);
      expect(frames.map(toHex)).to.deep.equal(good.map(toHex));
      expect(error).to.be.instanceOf(CodecError);
      expect(error!.code).to.equal(code);
    });
  }

  it('refuses an empty message', () => {
    const { frames, error } = splitBatch(new Uint8Array(0));
    expect(frames).to.deep.equal([]);
    expect(error!.code).to.equal(ErrorCode.MALFORMED_FRAME);
  });
});
