import { expect } from 'chai';
import * as fflate from 'fflate';
import { COMPRESSION_NAMES, createCompressor, isCompressionName, looksLikeGzip } from '../../src/codec/compression.ts';
import { CodecError, ErrorCode } from '../../src/codec/errors.ts';
import { loadWasmCore, type WasmCore } from '../../src/codec/wasm-core.ts';
import { chatJson, utf8 } from './gzip-helpers.ts';

const frame = utf8(chatJson(3000, 2));

function codecError(f: () => unknown): CodecError {
  try {
    f();
  } catch (e) {
    if (e instanceof CodecError) return e;
    throw e;
  }
  throw new Error('expected a CodecError');
}

describe('compression factory', () => {
  let core: WasmCore;
  before(async () => {
    core = await loadWasmCore();
  });

  it('knows the names a peer may negotiate', () => {
    expect(COMPRESSION_NAMES).to.deep.equal(['none', 'gzip', 'lz4']);
    expect(isCompressionName('gzip')).to.equal(true);
    expect(isCompressionName('zstd')).to.equal(false);
    expect(isCompressionName(1)).to.equal(false);
  });

  it('refuses a name it does not speak with UNSUPPORTED', () => {
    for (const name of ['zstd', 'GZIP', '', 'deflate']) {
      const e = codecError(() => createCompressor(name, { wasm: core }));
      expect(e.code).to.equal(ErrorCode.UNSUPPORTED);
      expect(e.details?.['compression']).to.equal(name);
    }
  });

  for (const name of COMPRESSION_NAMES) {
    it(`round-trips frames with ${name} on both backends, each reading the other`, () => {
      const wasm = createCompressor(name, { wasm: core });
      const js = createCompressor(name);
      expect(wasm.name).to.equal(name);
      expect(wasm.implementation).to.equal(name === 'none' ? 'none' : 'wasm');
      expect(js.implementation).to.equal(name === 'none' ? 'none' : 'js');
      for (const [a, b] of [
        [wasm, js],
        [js, wasm],
        [wasm, wasm],
      ] as const) {
        expect(b.decompress(a.compress(frame))).to.deep.equal(frame);
        expect(b.decompressBatch(a.compressBatch([frame, new Uint8Array(0), frame.subarray(7)]))).to.deep.equal([
          frame,
          new Uint8Array(0),
          frame.subarray(7),
        ]);
      }
    });

    it(`caps ${name} output at 16 MiB by default and at maxOutput when given`, () => {
      const c = createCompressor(name, { wasm: core });
      const packed = c.compress(frame);
      expect(c.decompress(packed, frame.length)).to.deep.equal(frame);
      expect(codecError(() => c.decompress(packed, frame.length - 1)).code).to.equal(ErrorCode.DECOMPRESSED_TOO_LARGE);
      const e = codecError(() => c.decompressBatch([packed, packed], 100));
      expect(e.code).to.equal(ErrorCode.DECOMPRESSED_TOO_LARGE);
      expect(e.details?.['index']).to.equal(0);
      const big = new Uint8Array(16 * 1024 * 1024 + 1);
      expect(codecError(() => c.decompress(c.compress(big))).code).to.equal(ErrorCode.DECOMPRESSED_TOO_LARGE);
    });
  }

  it('speaks gzip as flare-core peers do: magic 1f 8b, readable by any gzip decoder', () => {
    const c = createCompressor('gzip', { wasm: core });
    const wire = c.compress(frame);
    expect(looksLikeGzip(wire)).to.equal(true);
    expect(looksLikeGzip(frame)).to.equal(false);
    expect(fflate.gunzipSync(wire)).to.deep.equal(frame);
    expect(c.decompress(fflate.gzipSync(frame, { level: 9 }))).to.deep.equal(frame);
  });

  it('takes a gzip level and checks it up front', () => {
    const fast = createCompressor('gzip', { wasm: core, level: 1 }).compress(frame);
    const small = createCompressor('gzip', { wasm: core, level: 9 }).compress(frame);
    expect(small.length).to.be.at.most(fast.length);
    expect(codecError(() => createCompressor('gzip', { level: 12 })).code).to.equal(ErrorCode.INVALID_ARGUMENT);
  });

  it('fails with DECOMPRESSION_FAILED, never anything else, on garbage', () => {
    for (const name of ['gzip', 'lz4'] as const) {
      for (const c of [createCompressor(name, { wasm: core }), createCompressor(name)]) {
        for (const junk of [new Uint8Array(0), utf8('not compressed at all, just text'), Uint8Array.of(0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0, 0xff)]) {
          expect(codecError(() => c.decompress(junk)).code, `${name} ${c.implementation}`).to.be.oneOf([
            ErrorCode.DECOMPRESSION_FAILED,
            ErrorCode.DECOMPRESSED_TOO_LARGE,
          ]);
        }
      }
    }
  });
});
