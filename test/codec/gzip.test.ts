import { expect } from 'chai';
import fc from 'fast-check';
import * as fflate from 'fflate';
import * as pako from 'pako';
import { CodecError, ErrorCode } from '../../src/codec/errors.ts';
import { GzipCode } from '../../src/codec/gzip-codes.ts';
import { crc32 } from '../../src/codec/gzip-js.ts';
import { createGzipCodec, jsGzipCodec, type GzipCodec } from '../../src/codec/gzip.ts';
import { loadWasmCore, type WasmCore } from '../../src/codec/wasm-core.ts';
import { BitWriter, chatJson, firstBlockType, member, randomBytes, rng, utf8, viaStream, zeroBomb } from './gzip-helpers.ts';

const MiB = 1024 * 1024;

/** Runs `f` and returns the CodecError it throws (fails the test on anything else). */
function codecError(f: () => unknown): CodecError {
  try {
    f();
  } catch (e) {
    if (!(e instanceof CodecError)) throw new Error(`expected a CodecError, got ${String(e)}`, { cause: e });
    return e;
  }
  throw new Error('expected a CodecError, got a result');
}

const text = utf8('Flare Web: realtime connections, chat and calls for the browser. '.repeat(40));
const json = utf8(chatJson(64 * 1024));
const inputs: Array<[string, Uint8Array]> = [
  ['empty', new Uint8Array(0)],
  ['one byte', new Uint8Array([0x41])],
  ['two zero bytes', new Uint8Array(2)],
  ['text', text],
  ['chat JSON', json],
  ['binary', Uint8Array.from({ length: 5000 }, (_, i) => (i * 131 + (i >> 3)) & 0xff)],
  ['repetitive', new Uint8Array(300_000).fill(7)],
  ['period 3', Uint8Array.from({ length: 20_000 }, (_, i) => 97 + (i % 3))],
  ['random', randomBytes(70_000)],
];

let bigJson: Uint8Array | null = null;
let noise3M: Uint8Array | null = null;
/** Members written by fflate and pako at every level, window size and strategy (made once for both backends). */
let foreign: Array<[string, Uint8Array, Uint8Array]> | null = null;
function foreignMembers(): Array<[string, Uint8Array, Uint8Array]> {
  if (foreign) return foreign;
  foreign = [];
  for (const data of [text, json, inputs[5]![1], inputs[8]![1], new Uint8Array(0)]) {
    for (let level = 0; level <= 9; level++) {
      foreign.push([`fflate ${level}`, fflate.gzipSync(data, { level: level as 0 }), data]);
      foreign.push([`pako ${level}`, pako.gzip(data, { level: level as 0 }), data]);
    }
    for (const windowBits of [9, 12, 15]) {
      for (const strategy of [0, 1, 2, 3, 4]) {
        const p = pako.gzip(data, { level: 9, windowBits, strategy: strategy as pako.Z_Strategy, memLevel: 9 });
        foreign.push([`pako w${windowBits} s${strategy}`, p, data]);
      }
    }
  }
  return foreign;
}

let core: WasmCore;
let wasm: GzipCodec;
before(async () => {
  core = await loadWasmCore();
  wasm = createGzipCodec(core);
});

for (const backend of ['wasm', 'js'] as const) {
  const codec = (): GzipCodec => (backend === 'wasm' ? wasm : jsGzipCodec);

  describe(`gzip (${backend})`, () => {
    it('picks the backend asked for', () => {
      expect(codec().backend).to.equal(backend);
    });

    for (const [name, data] of inputs) {
      it(`round-trips ${name} (${data.length} bytes) at levels 0..9`, () => {
        for (let level = 0; level <= 9; level++) {
          const gz = codec().compress(data, { level });
          expect([gz[0], gz[1], gz[2]], `level ${level}`).to.deep.equal([0x1f, 0x8b, 8]);
          expect(codec().decompress(gz), `level ${level}`).to.deep.equal(data);
        }
      });
    }

    it('round-trips sizes from 0 to 4 MB', () => {
      const big = (bigJson ??= utf8(chatJson(4 * MiB, 3)));
      for (const n of [0, 1, 2, 3, 4, 7, 8, 9, 255, 256, 257, 258, 259, 4095, 32768, 32769, 65535, 65536, 65537, 200_000, big.length]) {
        const data = big.subarray(0, n);
        expect(codec().decompress(codec().compress(data)), `${n} bytes`).to.deep.equal(data);
      }
      const noise = (noise3M ??= randomBytes(3 * MiB, 11));
      expect(codec().decompress(codec().compress(noise))).to.deep.equal(noise);
    });

    it('reads members fflate and pako write at every level, window size and strategy', () => {
      for (const [name, gz, data] of foreignMembers()) expect(codec().decompress(gz), name).to.deep.equal(data);
    });

    it('reads the optional header fields (FEXTRA, FNAME, FCOMMENT, FHCRC)', () => {
      // FLG = FHCRC | FEXTRA | FNAME | FCOMMENT, MTIME, XFL, OS; XLEN 4 + 4 bytes; name; comment.
      const head = [0x1f, 0x8b, 8, 2 | 4 | 8 | 16, 1, 2, 3, 4, 0, 3, 4, 0, 9, 8, 7, 6, ...utf8('chat.json\0a comment\0')];
      const hcrc = crc32(Uint8Array.from(head)) & 0xffff;
      const body = member(pako.deflateRaw(text), text).subarray(10);
      const gz = Uint8Array.from([...head, hcrc & 0xff, hcrc >> 8, ...body]);
      expect(codec().decompress(gz)).to.deep.equal(text);
      // A wrong header CRC is caught.
      const bad = gz.slice();
      bad[12] ^= 1; // inside FEXTRA
      expect(codecError(() => codec().decompress(bad)).code).to.equal(ErrorCode.DECOMPRESSION_FAILED);
    });

    it('reads several members one after the other', () => {
      const a = codec().compress(text);
      const b = fflate.gzipSync(json);
      const both = new Uint8Array(a.length + b.length);
      both.set(a);
      both.set(b, a.length);
      const out = codec().decompress(both);
      expect(out.length).to.equal(text.length + json.length);
      expect(out.subarray(0, text.length)).to.deep.equal(text);
      expect(out.subarray(text.length)).to.deep.equal(json);
    });

    it('is read by fflate, pako and DecompressionStream, and reads CompressionStream', async () => {
      for (const [name, data] of inputs) {
        for (const level of [0, 1, 6, 9]) {
          const gz = codec().compress(data, { level });
          expect(fflate.gunzipSync(gz), `fflate ${name} ${level}`).to.deep.equal(data);
          expect(pako.ungzip(gz), `pako ${name} ${level}`).to.deep.equal(data);
          if (level === 1 || level === 9) {
            expect(await viaStream(gz, new DecompressionStream('gzip')), `native ${name} ${level}`).to.deep.equal(data);
          }
        }
        const native = await viaStream(data, new CompressionStream('gzip'));
        expect(codec().decompress(native), `from native ${name}`).to.deep.equal(data);
      }
    });

    it('rejects a flipped bit anywhere, or decodes the same bytes', () => {
      const data = utf8(chatJson(600, 5));
      const gz = codec().compress(data, { level: 6 });
      let failed = 0;
      // fflate is slow to set up per call: the JS backend gets every 5th bit.
      const every = backend === 'wasm' ? 1 : 13;
      for (let bit = 0; bit < gz.length * 8; bit += every) {
        const bad = gz.slice();
        bad[bit >> 3] ^= 1 << (bit & 7);
        try {
          expect(codec().decompress(bad)).to.deep.equal(data);
        } catch (e) {
          expect(e).to.be.instanceOf(CodecError);
          expect([ErrorCode.DECOMPRESSION_FAILED, ErrorCode.DECOMPRESSED_TOO_LARGE]).to.include((e as CodecError).code);
          failed++;
        }
      }
      // Only MTIME, XFL, OS, FTEXT and the padding after the last block may change unnoticed.
      expect(failed).to.be.greaterThan((gz.length * 8 - 60) / every);
    });

    it('rejects every truncation', () => {
      const gz = codec().compress(json.subarray(0, 3000));
      for (let n = 0; n < gz.length; n += backend === 'wasm' ? 1 : 11) {
        const e = codecError(() => codec().decompress(gz.subarray(0, n)));
        expect(e.code, `${n} bytes`).to.equal(ErrorCode.DECOMPRESSION_FAILED);
      }
    });

    const bad: Array<[string, () => Uint8Array, number, 'wasm'?]> = [
      [
        'a wrong CRC',
        () => {
          const gz = codec().compress(text);
          gz[gz.length - 8] ^= 0x40;
          return gz;
        },
        GzipCode.BAD_CRC,
      ],
      [
        'a wrong ISIZE',
        () => {
          const gz = codec().compress(text);
          gz[gz.length - 4] ^= 1;
          return gz;
        },
        GzipCode.BAD_LENGTH,
      ],
      ['a wrong magic', () => Uint8Array.of(0x1f, 0x8c, 8, 0, 0, 0, 0, 0, 0, 255, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0), GzipCode.BAD_HEADER],
      ['an unknown method', () => Uint8Array.of(0x1f, 0x8b, 7, 0, 0, 0, 0, 0, 0, 255, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0), GzipCode.BAD_HEADER],
      ['reserved flags', () => Uint8Array.of(0x1f, 0x8b, 8, 0x20, 0, 0, 0, 0, 0, 255, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0), GzipCode.BAD_HEADER],
      ['block type 3', () => member(new BitWriter().bits(1, 1).bits(3, 2).bits(0, 13).toBytes(), new Uint8Array(0)), GzipCode.BAD_BLOCK],
      [
        'a stored block whose NLEN is not ~LEN',
        () => member(Uint8Array.of(1, 5, 0, 5, 0, 1, 2, 3, 4, 5), Uint8Array.of(1, 2, 3, 4, 5)),
        GzipCode.BAD_BLOCK,
        // fflate does not check NLEN (the CRC still guards the data).
        'wasm',
      ],
      [
        'an over-subscribed code-length code',
        () => {
          const w = new BitWriter().bits(1, 1).bits(2, 2).bits(0, 5).bits(0, 5).bits(15, 4);
          for (let i = 0; i < 19; i++) w.bits(1, 3);
          return member(w.bits(0, 32).toBytes(), new Uint8Array(0));
        },
        GzipCode.BAD_CODE,
      ],
      [
        'an over-subscribed literal/length code',
        () => {
          // Code-length code: symbols 1 and 2 with one bit each ("0" = length 1, "1" = length 2).
          const w = new BitWriter().bits(1, 1).bits(2, 2).bits(0, 5).bits(0, 5).bits(14, 4);
          const order = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1];
          for (const s of order) w.bits(s === 1 || s === 2 ? 1 : 0, 3);
          // 258 lengths of 1 bit each: far more than a complete code allows.
          for (let i = 0; i < 258; i++) w.code(0, 1);
          return member(w.bits(0, 32).toBytes(), new Uint8Array(0));
        },
        GzipCode.BAD_CODE,
      ],
      [
        'a code without end-of-block',
        () => {
          const w = new BitWriter().bits(1, 1).bits(2, 2).bits(0, 5).bits(0, 5).bits(14, 4);
          const order = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1];
          for (const s of order) w.bits(s === 0 || s === 1 ? 1 : 0, 3);
          // Symbols 0 and 1 get one bit ("1"), the other 256 (with end-of-block) none ("0").
          w.code(1, 1).code(1, 1);
          for (let i = 0; i < 256; i++) w.code(0, 1);
          return member(w.bits(0, 32).toBytes(), new Uint8Array(0));
        },
        GzipCode.BAD_CODE,
      ],
      [
        'a distance before the start',
        () => member(new BitWriter().bits(1, 1).bits(1, 2).fixed(97).fixed(257).code(1, 5).fixed(256).toBytes(), utf8('aaaa')),
        GzipCode.BAD_DISTANCE,
      ],
      [
        'trailing bytes',
        () => {
          const gz = codec().compress(text);
          const out = new Uint8Array(gz.length + 3);
          out.set(gz);
          out.set([1, 2, 3], gz.length);
          return out;
        },
        GzipCode.TRAILING,
      ],
    ];
    for (const [what, make, code, only] of bad) {
      if (only && only !== backend) continue;
      it(`fails cleanly on ${what}`, () => {
        const e = codecError(() => codec().decompress(make()));
        expect(e.code).to.equal(ErrorCode.DECOMPRESSION_FAILED);
        if (backend === 'wasm') expect(e.details?.['code']).to.equal(code);
      });
    }

    it('stops a bomb at the limit (100 MB of zeros in 630 kB)', () => {
      const bomb = member(zeroBomb(387_597), { crc: 0, size: 100_000_027 });
      expect(bomb.length).to.be.lessThan(700_000);
      for (const maxOutput of backend === 'wasm' ? [undefined, MiB] : [undefined]) {
        const e = codecError(() => codec().decompress(bomb, maxOutput === undefined ? undefined : { maxOutput }));
        expect(e.code).to.equal(ErrorCode.DECOMPRESSED_TOO_LARGE);
        expect(e.details?.['limit']).to.equal(maxOutput ?? 16 * MiB);
      }
    });

    it('takes output up to the limit exactly, and not a byte more', () => {
      const n = 4000;
      const size = 1 + 258 * n;
      const gz = member(zeroBomb(n), new Uint8Array(size));
      expect(codec().decompress(gz, { maxOutput: size })).to.deep.equal(new Uint8Array(size));
      expect(codecError(() => codec().decompress(gz, { maxOutput: size - 1 })).code).to.equal(ErrorCode.DECOMPRESSED_TOO_LARGE);
      expect(codec().decompress(codec().compress(text), { maxOutput: text.length })).to.deep.equal(text);
      expect(codecError(() => codec().decompress(codec().compress(text), { maxOutput: text.length - 1 })).code).to.equal(
        ErrorCode.DECOMPRESSED_TOO_LARGE,
      );
    });

    it('refuses bad options', () => {
      expect(codecError(() => codec().compress(text, { level: 10 })).code).to.equal(ErrorCode.INVALID_ARGUMENT);
      expect(codecError(() => codec().compress(text, { level: 1.5 })).code).to.equal(ErrorCode.INVALID_ARGUMENT);
      expect(codecError(() => codec().decompress(text, { maxOutput: -1 })).code).to.equal(ErrorCode.INVALID_ARGUMENT);
    });

    it('compresses and decompresses batches', () => {
      const r = rng(9);
      const messages = Array.from({ length: backend === 'wasm' ? 300 : 60 }, (_, i) => utf8(chatJson(20 + Math.floor(r() * 400), i)).subarray(0, i % 50 === 0 ? 0 : undefined));
      const packed = codec().compressBatch(messages);
      expect(packed.length).to.equal(messages.length);
      for (let i = 0; i < messages.length; i++) {
        expect(fflate.gunzipSync(packed[i]!), `message ${i}`).to.deep.equal(messages[i]);
      }
      const back = codec().decompressBatch(packed);
      expect(back).to.deep.equal(messages);
      // Each result owns its buffer, so it can be transferred on its own.
      expect(back[1]!.buffer).to.not.equal(back[2]!.buffer);
      expect(codec().compressBatch([])).to.deep.equal([]);
      expect(codec().decompressBatch([])).to.deep.equal([]);
    });

    it('reports which message of a batch failed', () => {
      const packed = codec().compressBatch([text, json, text]);
      const broken = packed.map((p) => p.slice());
      broken[1]![broken[1]!.length - 8] ^= 1;
      const e = codecError(() => codec().decompressBatch(broken));
      expect(e.code).to.equal(ErrorCode.DECOMPRESSION_FAILED);
      expect(e.details?.['index']).to.equal(1);
      const big = codecError(() => codec().decompressBatch(packed, { maxOutput: text.length }));
      expect(big.code).to.equal(ErrorCode.DECOMPRESSED_TOO_LARGE);
      expect(big.details?.['index']).to.equal(1);
    });

    it('survives random and mutated input (fast-check): a result or a CodecError, nothing else', () => {
      const seeds = [
        codec().compress(text, { level: 1 }),
        codec().compress(json.subarray(0, 2000), { level: 9 }),
        fflate.gzipSync(json.subarray(0, 1500), { level: 0 }),
        pako.gzip(text, { strategy: 4 }),
        pako.gzip(randomBytes(300)),
      ];
      const mutated = fc
        .tuple(
          fc.constantFrom(...seeds),
          fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.boolean()), { minLength: 1, maxLength: 6 }),
          fc.option(fc.nat()),
        )
        .map(([seed, edits, cut]) => {
          const b = seed.slice();
          for (const [at, v, flip] of edits) {
            const i = at % b.length;
            b[i] = flip ? b[i]! ^ (1 << (v & 7)) : v;
          }
          return cut === null ? b : b.subarray(0, cut % (b.length + 1));
        });
      const noise = fc.uint8Array({ maxLength: 600 }).map((b) => (b.length >= 4 ? Uint8Array.of(0x1f, 0x8b, 8, 0, ...b) : b));
      fc.assert(
        fc.property(fc.oneof(mutated, noise), (input) => {
          try {
            const out = codec().decompress(input, { maxOutput: 4 * MiB });
            expect(out).to.be.instanceOf(Uint8Array);
          } catch (e) {
            if (!(e instanceof CodecError)) throw e;
          }
        }),
        { numRuns: backend === 'wasm' ? 4000 : 400, seed: 42 },
      );
      // The codec still works afterwards.
      expect(codec().decompress(seeds[0]!)).to.deep.equal(text);
    });
  });
}

describe('gzip (wasm) specifics', () => {
  it('writes stored blocks for incompressible data, fixed for small messages, dynamic for large text', () => {
    const noise = randomBytes(10_000);
    const stored = wasm.compress(noise);
    expect(firstBlockType(stored)).to.equal(0);
    expect(stored.length).to.be.at.most(noise.length + 18 + 5);
    expect(firstBlockType(wasm.compress(utf8('{"type":"ping","id":"1795390476283-0000000000000001"}')))).to.equal(1);
    expect(firstBlockType(wasm.compress(json))).to.equal(2);
    expect(firstBlockType(wasm.compress(text, { level: 0 }))).to.equal(0);
  });

  it('never grows incompressible input by more than a stored block per 64 KiB', () => {
    for (const n of [0, 1, 100, 65535, 65536, 200_000]) {
      const noise = randomBytes(n, n);
      const gz = wasm.compress(noise);
      expect(gz.length, `${n} bytes`).to.be.at.most(18 + n + 5 * Math.max(1, Math.ceil(n / 65535)) + 5);
    }
  });

  it('compresses chat JSON about as well as fflate, level for level', () => {
    for (const level of [1, 6, 9]) {
      const ours = wasm.compress(json, { level }).length;
      const theirs = fflate.gzipSync(json, { level: level as 1 }).length;
      expect(ours, `level ${level}`).to.be.at.most(theirs * 1.02);
    }
    // One small message at a time, as realtime frames go.
    const messages = Array.from({ length: 200 }, (_, i) => utf8(chatJson(150 + (i % 100), i)));
    const size = (f: (m: Uint8Array) => Uint8Array): number => messages.reduce((n, m) => n + f(m).length, 0);
    expect(size((m) => wasm.compress(m))).to.be.at.most(size((m) => fflate.gzipSync(m, { level: 1 })) * 1.01);
  });

  it('does not write outside its buffers, whatever the input', () => {
    // A block allocated next to the codec's buffers must keep its bytes.
    const ptr = core.exports.alloc(1 << 16);
    const canary = randomBytes(1 << 16, 99);
    core.u8.set(canary, ptr);
    const r = rng(5);
    const seed = wasm.compress(json.subarray(0, 6000));
    for (let i = 0; i < 1500; i++) {
      const b = seed.slice();
      for (let k = 0; k < 1 + (i % 5); k++) b[Math.floor(r() * b.length)] = (r() * 256) | 0;
      try {
        wasm.decompress(b, { maxOutput: 1 << 20 });
      } catch (e) {
        expect(e).to.be.instanceOf(CodecError);
      }
    }
    expect(codecError(() => wasm.decompress(member(zeroBomb(30_000), { crc: 0, size: 0 }), { maxOutput: 10 * MiB })).code).to.equal(
      ErrorCode.DECOMPRESSION_FAILED,
    );
    expect(core.u8.slice(ptr, ptr + (1 << 16))).to.deep.equal(canary);
    core.exports.dealloc(ptr);
  });
});
