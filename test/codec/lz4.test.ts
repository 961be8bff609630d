// LZ4 frames (u32 LE size + one block) on both backends: round trips, byte-equal
// output of the WASM and JS compressors, cross-checks with lz4js and lz4-wasm,
// clean failures on corrupt, truncated and oversized input, and fuzzing of the
// decoders (the WASM one with its input at the very end of linear memory, so
// an over-read traps, and guard bytes around its output).
import { expect } from 'chai';
import fc from 'fast-check';
import { loadWasmCore } from '../../src/codec/wasm-core.ts';
import { CodecError, ErrorCode } from '../../src/codec/errors.ts';
import { createLz4Codec, jsLz4Codec, lz4Compress, lz4Decompress, type Lz4Codec } from '../../src/codec/lz4.ts';
import { Lz4Code } from '../../src/codec/lz4-codes.ts';
import { loadLz4js, loadLz4Wasm } from '../helpers/lz4-anchors.ts';

const core = await loadWasmCore();
const wasmLz4 = createLz4Codec(core);
const codecs: Lz4Codec[] = [wasmLz4, jsLz4Codec];
const MiB = 1 << 20;

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const enc = new TextEncoder();
const WORDS = 'the a meeting call room hello world please review ok thanks 😀 🎉 lunch at noon deploy failed again'.split(' ');

function text(n: number, seed = 1): Uint8Array {
  const r = rng(seed);
  let s = '';
  while (s.length < n) s += WORDS[Math.floor(r() * WORDS.length)] + (r() < 0.1 ? '.\n' : ' ');
  return enc.encode(s).subarray(0, n);
}

function json(n: number, seed = 2): Uint8Array {
  const r = rng(seed);
  const parts: string[] = [];
  let size = 0;
  let ts = 1_700_000_000_000;
  while (size < n) {
    const words = Array.from({ length: 3 + Math.floor(r() * 12) }, () => WORDS[Math.floor(r() * WORDS.length)]);
    const m = JSON.stringify({ id: Math.floor(r() * 1e12).toString(36), ts: (ts += Math.floor(r() * 9000)), from: `user${Math.floor(r() * 50)}`, text: words.join(' ') });
    parts.push(m);
    size += m.length + 1;
  }
  return enc.encode(parts.join('\n')).subarray(0, n);
}

function random(n: number, seed = 3): Uint8Array {
  const r = rng(seed);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = r() * 256;
  return out;
}

function repetitive(n: number, seed = 4): Uint8Array {
  const r = rng(seed);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; ) {
    const b = Math.floor(r() * 3);
    const run = 1 + Math.floor(r() * 400);
    out.fill(b, i, Math.min(n, i + run));
    i += run;
  }
  return out;
}

/** `period` bytes repeated up to `n`: matches that overlap their own output. */
function periodic(period: number, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = i % period === 0 ? 0x41 + (i / period) % 3 : (i % period) * 7;
  for (let i = period; i < n; i++) out[i] = out[i - period]!;
  return out;
}

function frame(size: number, block: number[]): Uint8Array {
  return new Uint8Array([size & 255, (size >>> 8) & 255, (size >>> 16) & 255, size >>> 24, ...block]);
}

function failure(f: () => unknown): CodecError {
  try {
    f();
  } catch (e) {
    expect(e).to.be.instanceOf(CodecError);
    return e as CodecError;
  }
  throw new Error('expected a CodecError');
}

const equal = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((v, i) => v === b[i]);

function roundTrip(codec: Lz4Codec, data: Uint8Array): Uint8Array {
  const c = codec.compress(data);
  const back = codec.decompress(c);
  expect(back.length, 'length').to.equal(data.length);
  expect(equal(back, data), 'content').to.equal(true);
  return c;
}

for (const codec of codecs) {
  describe(`lz4 (${codec.backend})`, () => {
    it('round-trips empty, 1-byte and short inputs of every length up to 40', () => {
      for (let n = 0; n <= 40; n++) {
        roundTrip(codec, random(n, n));
        roundTrip(codec, text(n, n));
        roundTrip(codec, new Uint8Array(n).fill(7));
      }
    });

    it('writes the decompressed size as a u32 little-endian header', () => {
      const c = codec.compress(text(70_000));
      expect(new DataView(c.buffer, c.byteOffset).getUint32(0, true)).to.equal(70_000);
    });

    it('round-trips text, JSON, repetitive and random data around the 64 KiB window', () => {
      for (const n of [100, 1000, 4096, 65_535, 65_536, 65_537, 200_000]) {
        for (const gen of [text, json, repetitive, random]) roundTrip(codec, gen(n, n));
      }
    });

    it('round-trips several MB', function () {
      this.timeout(60_000);
      roundTrip(codec, json(4 * MiB));
      roundTrip(codec, random(3 * MiB));
    });

    it('round-trips overlapping matches of every period from 1 to 40', () => {
      for (let period = 1; period <= 40; period++) {
        for (const n of [period + 5, period + 17, 64, 300, 5000]) roundTrip(codec, periodic(period, n));
      }
    });

    it('trades ratio for speed with acceleration, with the same bytes on both backends', () => {
      const data = json(100_000);
      const plain = roundTrip(codec, data);
      const fast = codec.compress(data, { acceleration: 16 });
      expect(equal(codec.decompress(fast), data)).to.equal(true);
      expect(fast.length).to.be.greaterThan(plain.length);
      const other = codec === wasmLz4 ? jsLz4Codec : wasmLz4;
      expect(equal(fast, other.compress(data, { acceleration: 16 }))).to.equal(true);
      for (const bad of [0, 1.5, 70_000]) {
        expect(failure(() => codec.compress(data, { acceleration: bad })).code).to.equal(ErrorCode.INVALID_ARGUMENT);
      }
    });

    it('compresses redundant data and bounds the growth of random data', () => {
      const rep = roundTrip(codec, repetitive(1 * MiB));
      expect(rep.length).to.be.lessThan(MiB / 20);
      const js = roundTrip(codec, json(256 * 1024));
      expect(js.length).to.be.lessThan((256 * 1024) / 1.8);
      const rnd = roundTrip(codec, random(100_000));
      expect(rnd.length).to.be.at.most(4 + 100_000 + Math.floor(100_000 / 255) + 16);
    });

    it('refuses hand-made corrupt frames with the right reason', () => {
      const code = (f: Uint8Array) => failure(() => codec.decompress(f)).details!['code'];
      expect(code(frame(8, [0x10, 0x61, 0, 0, 0x30, 0x62, 0x63, 0x64]))).to.equal(Lz4Code.BAD_OFFSET); // offset 0
      expect(code(frame(8, [0x10, 0x61, 2, 0, 0x30, 0x62, 0x63, 0x64]))).to.equal(Lz4Code.BAD_OFFSET); // before start
      expect(code(frame(3, [0x40, 0x61, 0x62, 0x63, 0x64]))).to.equal(Lz4Code.OVERRUN);
      expect(code(frame(6, [0x12, 0x61, 1, 0]))).to.equal(Lz4Code.OVERRUN); // 1 literal + match of 6 > 6
      expect(code(frame(10, [0x40, 0x61, 0x62, 0x63, 0x64]))).to.equal(Lz4Code.SIZE_MISMATCH);
      expect(code(frame(20, [0xf0]))).to.equal(Lz4Code.TRUNCATED); // length byte missing
      expect(code(frame(1000, [0x1f, 0x61, 1, 0, 255]))).to.equal(Lz4Code.TRUNCATED); // match length cut
      expect(code(frame(20, [0x50, 0x61]))).to.equal(Lz4Code.TRUNCATED); // literals cut
      expect(code(frame(20, [0x10, 0x61, 1]))).to.equal(Lz4Code.TRUNCATED); // offset cut
      expect(code(frame(1000, [0x10]))).to.equal(Lz4Code.IMPOSSIBLE_SIZE);
      expect(code(new Uint8Array([5, 0, 0]))).to.equal(Lz4Code.TRUNCATED); // header cut
      const e = failure(() => codec.decompress(frame(8, [0x10, 0x61, 0, 0, 0x30, 0x62, 0x63, 0x64])));
      expect(e.code).to.equal(ErrorCode.DECOMPRESSION_FAILED);
    });

    it('accepts a valid hand-made frame with an overlapping match', () => {
      // "a" + match(offset 1, length 4 + 15 + 2) + "xyz"
      const out = codec.decompress(frame(25, [0x1f, 0x61, 1, 0, 2, 0x30, 0x78, 0x79, 0x7a]));
      expect(new TextDecoder().decode(out)).to.equal('a'.repeat(22) + 'xyz');
      expect(codec.decompress(frame(0, [0x00])).length).to.equal(0);
      expect(codec.decompress(frame(0, [])).length).to.equal(0);
    });

    it('fails cleanly on every truncation of a valid frame', () => {
      const c = codec.compress(json(3000));
      for (let n = 0; n < c.length; n++) {
        const e = failure(() => codec.decompress(c.subarray(0, n)));
        expect([ErrorCode.DECOMPRESSION_FAILED, ErrorCode.DECOMPRESSED_TOO_LARGE]).to.include(e.code);
      }
    });

    it('stops bombs at the output limit', function () {
      this.timeout(30_000);
      const bomb = codec.compress(new Uint8Array(17 * MiB));
      expect(bomb.length).to.be.lessThan(100_000);
      const e = failure(() => codec.decompress(bomb));
      expect(e.code).to.equal(ErrorCode.DECOMPRESSED_TOO_LARGE);
      expect(e.details!['limit']).to.equal(16 * MiB);
      expect(codec.decompress(bomb, { maxOutput: 17 * MiB }).length).to.equal(17 * MiB);
      const small = codec.compress(text(5000));
      expect(failure(() => codec.decompress(small, { maxOutput: 4999 })).code).to.equal(ErrorCode.DECOMPRESSED_TOO_LARGE);
      expect(codec.decompress(small, { maxOutput: 5000 }).length).to.equal(5000);
      // A header claiming 4 GiB is refused before anything is allocated.
      expect(failure(() => codec.decompress(frame(0xffffffff, [0xf0, 255, 255]))).code).to.equal(ErrorCode.DECOMPRESSED_TOO_LARGE);
      for (const bad of [-1, 1.5, 2 ** 31, NaN]) {
        expect(failure(() => codec.decompress(small, { maxOutput: bad })).code).to.equal(ErrorCode.INVALID_ARGUMENT);
      }
    });

    it('compresses and decompresses batches, naming the member that fails', () => {
      const messages = [new Uint8Array(0), text(1), json(200), random(300), repetitive(70_000), json(5000, 9)];
      const frames = codec.compressBatch(messages);
      expect(frames.length).to.equal(messages.length);
      frames.forEach((f, i) => expect(equal(codec.decompress(f), messages[i]!)).to.equal(true));
      const back = codec.decompressBatch(frames);
      back.forEach((m, i) => expect(equal(m, messages[i]!), `message ${i}`).to.equal(true));
      expect(codec.compressBatch([])).to.deep.equal([]);
      expect(codec.decompressBatch([])).to.deep.equal([]);
      const broken = [...frames];
      broken[3] = frames[3]!.subarray(0, 20);
      const e = failure(() => codec.decompressBatch(broken));
      expect(e.details!['index']).to.equal(3);
      expect(failure(() => codec.decompressBatch(frames, { maxOutput: 1000 })).details!['index']).to.equal(4);
    });

    it('fuzz: random bytes decompress or fail with a CodecError', () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
          try {
            const out = codec.decompress(bytes, { maxOutput: 1 << 16 });
            expect(out.length).to.equal(new DataView(bytes.buffer, bytes.byteOffset).getUint32(0, true));
          } catch (e) {
            expect(e).to.be.instanceOf(CodecError);
          }
        }),
        { numRuns: 2000 },
      );
    });

    it('fuzz: mutated valid frames decompress or fail with a CodecError', () => {
      const sources = [json(2000), text(700), periodic(3, 500), random(200)].map((d) => codec.compress(d));
      fc.assert(
        fc.property(
          fc.integer({ min: 0, max: sources.length - 1 }),
          fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }),
          fc.nat(),
          (which, edits, cut) => {
            const f = sources[which]!.slice();
            for (const [at, v] of edits) f[4 + (at % (f.length - 4))] = v;
            const input = cut % 5 === 0 ? f.subarray(0, cut % f.length) : f;
            try {
              codec.decompress(input);
            } catch (e) {
              expect(e).to.be.instanceOf(CodecError);
            }
          },
        ),
        { numRuns: 2000 },
      );
    });
  });
}

describe('lz4 WASM and JS backends', () => {
  it('produce the same bytes when compressing', () => {
    for (const data of [text(0), text(13), json(70_000), random(5000), repetitive(200_000), periodic(5, 1000)]) {
      expect(equal(wasmLz4.compress(data), jsLz4Codec.compress(data))).to.equal(true);
    }
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), fc.integer({ min: 1, max: 8 }), (seed, alphabet) => {
        const data = seed.map((b) => b % alphabet);
        expect(equal(wasmLz4.compress(data), jsLz4Codec.compress(data))).to.equal(true);
      }),
      { numRuns: 300 },
    );
  });

  it('agree on every mutated frame: same bytes out or the same error', () => {
    const sources = [json(3000), periodic(2, 400), text(100)].map((d) => wasmLz4.compress(d));
    const outcome = (codec: Lz4Codec, f: Uint8Array) => {
      try {
        return Array.from(codec.decompress(f, { maxOutput: 1 << 16 })).join(',');
      } catch (e) {
        return `error ${(e as CodecError).details?.['code'] ?? (e as CodecError).code}`;
      }
    };
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 }), fc.array(fc.tuple(fc.nat(), fc.nat(255)), { maxLength: 4 }), (which, edits) => {
        const f = sources[which]!.slice();
        for (const [at, v] of edits) f[at % f.length] = v;
        expect(outcome(wasmLz4, f)).to.equal(outcome(jsLz4Codec, f));
      }),
      { numRuns: 1500 },
    );
  });

  it('the default functions use the WASM core here', () => {
    const data = json(10_000);
    expect(equal(lz4Decompress(lz4Compress(data)), data)).to.equal(true);
    expect(equal(lz4Compress(data), wasmLz4.compress(data))).to.equal(true);
  });
});

describe('lz4 against lz4js and lz4-wasm', () => {
  const inputs = () => [text(1), text(50), json(10_000), json(300_000), repetitive(100_000), periodic(7, 3000), random(2000)];

  it('reads the raw blocks of lz4js, and lz4js reads ours', async () => {
    const lz4js = await loadLz4js();
    for (const data of inputs()) {
      for (const codec of codecs) {
        const ours = codec.compress(data);
        const out = new Uint8Array(data.length);
        expect(lz4js.decompressBlock(ours, out, 4, ours.length - 4, 0)).to.equal(data.length);
        expect(equal(out, data)).to.equal(true);
        const block = new Uint8Array(lz4js.compressBound(data.length));
        const n = lz4js.compressBlock(data, block, 0, data.length, new Uint32Array(1 << 16));
        if (n === 0) continue; // lz4js stores such input raw (a frame-level choice)
        expect(equal(codec.decompress(frame(data.length, [...block.subarray(0, n)])), data)).to.equal(true);
      }
    }
  });

  it('reads lz4-wasm (lz4_flex) frames, and lz4-wasm reads ours', async () => {
    const lz4wasm = await loadLz4Wasm();
    for (const data of [...inputs(), new Uint8Array(0)]) {
      for (const codec of codecs) {
        expect(equal(codec.decompress(lz4wasm.compress(data)), data)).to.equal(true);
        expect(equal(lz4wasm.decompress(codec.compress(data)), data)).to.equal(true);
      }
    }
  });
});

describe('lz4 WASM decoder memory safety', () => {
  interface Raw {
    memory: WebAssembly.Memory;
    lz4Decompress(src: number, len: number, dst: number, cap: number, limit: number): number;
    lz4DecompressBatchSize(src: number, len: number, limit: number): number;
    lz4DecompressBatch(src: number, len: number, dst: number, cap: number, limit: number): number;
    lz4CompressBatchBound(src: number, len: number): number;
  }
  const raw = core.exports as unknown as Raw;
  const PAGE = 65536;
  const GUARD = 64;
  let pageEnd = 0;
  /** A page of its own at the end of memory (grown past the allocator's reach). */
  const lastPage = (): number => {
    if (pageEnd !== raw.memory.buffer.byteLength) {
      raw.memory.grow(1);
      pageEnd = raw.memory.buffer.byteLength;
    }
    return pageEnd - PAGE;
  };

  it('fuzz: never reads past its input nor writes outside its output', () => {
    const sources = [json(4000), periodic(3, 3000), text(500)].map((d) => wasmLz4.compress(d));
    const input = fc.oneof(
      fc.uint8Array({ minLength: 4, maxLength: 400 }).map((b) => {
        b[0]! &= 0x3f; // declared sizes under 16 KiB: they fit the page
        b[1]! &= 0x3f;
        b[2] = 0;
        b[3] = 0;
        return b;
      }),
      fc.tuple(fc.nat(2), fc.array(fc.tuple(fc.nat(), fc.nat(255)), { maxLength: 5 }), fc.nat()).map(([w, edits, cut]) => {
        const f = sources[w]!.slice();
        for (const [at, v] of edits) f[4 + (at % (f.length - 4))] = v;
        return cut % 3 === 0 ? f.subarray(0, 4 + (cut % (f.length - 3))) : f;
      }),
    );
    fc.assert(
      fc.property(input, (f) => {
        const base = lastPage();
        const mem = new Uint8Array(raw.memory.buffer);
        const size = new DataView(f.buffer, f.byteOffset).getUint32(0, true);
        const src = pageEnd - f.length; // the input's last byte is memory's last byte
        const dst = base + GUARD;
        mem.fill(0xa5, base, src);
        mem.set(f, src);
        const r = raw.lz4Decompress(src, f.length, dst, size, 1 << 16);
        expect(r === size || (r < 0 && r >= -8), `result ${r}`).to.equal(true);
        for (let i = base; i < dst; i++) if (mem[i] !== 0xa5) throw new Error(`wrote before the output at ${i - dst}`);
        for (let i = dst + size; i < src; i++) if (mem[i] !== 0xa5) throw new Error(`wrote after the output at +${i - dst - size}`);
      }),
      { numRuns: 3000 },
    );
  });

  it('fuzz: batch exports stay inside their buffers whatever the packing claims', () => {
    const frames = [json(300), text(50), periodic(2, 100)].map((d) => wasmLz4.compress(d));
    const packed = fc.array(
      fc.oneof(
        fc.nat(2).map((i) => frames[i]!),
        fc.uint8Array({ maxLength: 40 }),
      ),
      { maxLength: 6 },
    ).chain((parts) =>
      fc.tuple(fc.constant(parts), fc.array(fc.tuple(fc.nat(), fc.nat(255)), { maxLength: 4 }), fc.nat()).map(([ps, edits, cut]) => {
        const total = ps.reduce((n, q) => n + 4 + q.length, 0);
        const out = new Uint8Array(total);
        let o = 0;
        for (const q of ps) {
          new DataView(out.buffer).setUint32(o, q.length, true);
          out.set(q, o + 4);
          o += 4 + q.length;
        }
        for (const [at, v] of edits) if (total) out[at % total] = v; // may break the length fields too
        return out.subarray(0, cut % 4 === 0 && total ? cut % total : total);
      }),
    );
    fc.assert(
      fc.property(packed, (f) => {
        const base = lastPage();
        const mem = new Uint8Array(raw.memory.buffer);
        const src = pageEnd - f.length;
        mem.fill(0xa5, base, src);
        mem.set(f, src);
        expect(raw.lz4CompressBatchBound(src, f.length)).to.be.at.least(-8);
        const need = raw.lz4DecompressBatchSize(src, f.length, 1 << 12); // at most 6 x (4 + 4 KiB): fits the page
        if (need < 0) return;
        expect(need).to.be.at.most(src - base - 2 * GUARD);
        const dst = base + GUARD;
        const n = raw.lz4DecompressBatch(src, f.length, dst, need, 1 << 12);
        expect(n).to.be.within(0, need);
        for (let i = base; i < dst; i++) if (mem[i] !== 0xa5) throw new Error('wrote before the output');
        for (let i = dst + need; i < src; i++) if (mem[i] !== 0xa5) throw new Error('wrote after the output');
      }),
      { numRuns: 2000 },
    );
  });
});
