// Length-prefixed stream framing: the deframer against every split of the
// stream, random chunkings, limits and end of stream; the framer's packing.
import { expect } from 'chai';
import fc from 'fast-check';
import { CodecError, ErrorCode, Limits, WasmStreamDeframer, createJsDeframer, loadWasmCore, packFrames } from '../../src/codec/index.ts';
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

/** Feeds `stream` cut at `cuts` (sorted offsets); returns every frame out, as hex. */
function feed(d: StreamDeframer, stream: Uint8Array, cuts: number[]): string[] {
  const out: string[] = [];
  let prev = 0;
  for (const cut of [...cuts, stream.length]) {
    for (const f of d.push(stream.subarray(prev, cut))) out.push(toHex(f));
    prev = cut;
  }
  return out;
}

function expectTooLarge(fn: () => unknown, size: number, limit: number): void {
  try {
    fn();
    expect.fail('should refuse the frame');
  } catch (e) {
    expect(e).to.be.instanceOf(CodecError);
    expect((e as CodecError).code).to.equal(ErrorCode.FRAME_TOO_LARGE);
    expect((e as CodecError).details).to.deep.equal({ size, limit });
  }
}

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
    expectTooLarge(() => packFrames([new Uint8Array(11)], { maxFrameBytes: 10 }), 11, 10);
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
      expect(d.push(new Uint8Array([0, 0]))).to.deep.equal([]);
      expect(d.buffered).to.equal(2);
      expect(d.push(new Uint8Array([0, 5, 1, 2]))).to.deep.equal([]);
      expect(d.buffered).to.equal(6);
      expect(d.push(new Uint8Array([3, 4, 5, 0, 0])).map(toHex)).to.deep.equal(['0102030405']);
      expect(d.buffered).to.equal(2);
    });

    it('stops at a zero length and ignores what follows', () => {
      const d = create();
      const tail = packFrames([new Uint8Array([1])]);
      const stream = new Uint8Array([...packFrames([new Uint8Array([8])], { end: true }), ...tail]);
      expect(d.push(stream).map(toHex)).to.deep.equal(['08']);
      expect(d.ended).to.equal(true);
      expect(d.push(tail)).to.deep.equal([]);
    });

    it('refuses a declared length over the limit as soon as the prefix is read, and stays failed', () => {
      const d = create({ maxFrameBytes: 100 });
      expect(d.push(packFrames([new Uint8Array(100)])).length).to.equal(1);
      expect(d.push(new Uint8Array([0, 0]))).to.deep.equal([]);
      expectTooLarge(() => d.push(new Uint8Array([0, 101])), 101, 100);
      expectTooLarge(() => d.push(new Uint8Array([1, 2, 3])), 101, 100);
    });

    it('refuses 0xffffffff with the default 10 MiB limit without buffering it', () => {
      const d = create();
      expect(d.push(new Uint8Array([0, 0xa0]))).to.deep.equal([]); // 10 MiB = 0x00a00000
      expect(d.push(new Uint8Array([0, 0, 1])).length).to.equal(0);
      expect(d.buffered).to.equal(5);
      const fresh = create();
      expectTooLarge(() => fresh.push(new Uint8Array([0xff, 0xff, 0xff, 0xff, 1])), 0xffffffff, Limits.MAX_FRAME_BYTES);
      const over = create();
      expectTooLarge(() => over.push(new Uint8Array([0, 0xa0, 0, 1])), Limits.MAX_FRAME_BYTES + 1, Limits.MAX_FRAME_BYTES);
    });

    it('on random bytes returns frames or fails with FRAME_TOO_LARGE only', () => {
      fc.assert(
        fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 10 }), fc.integer({ min: 1, max: 300 }), (chunks, max) => {
          const d = create({ maxFrameBytes: max });
          try {
            for (const c of chunks) for (const f of d.push(c)) expect(f.length).to.be.within(1, max);
          } catch (e) {
            if (!(e instanceof CodecError) || e.code !== ErrorCode.FRAME_TOO_LARGE) throw e;
          }
        }),
        { numRuns: 300 },
      );
    });
  });
}
