/**
 * LZ4 compression of whole frames: Flare Web's fast alternative to gzip,
 * offered in CONNECT and used only when the server accepts it.
 *
 * Format (docs/COMPRESSION.md): the decompressed size as a u32 little-endian,
 * then one LZ4 block. That is lz4_flex's `compress_prepend_size` layout (and
 * lz4-wasm's), so Rust peers read it with `decompress_size_prepended`.
 *
 * ```ts
 * import { lz4Compress, lz4Decompress } from './lz4.ts';
 * const frame = lz4Compress(bytes);
 * const back = lz4Decompress(frame, { maxOutput: 1 << 20 }); // CodecError past 1 MiB
 * ```
 * The functions use the WASM core when WebAssembly is available and the
 * JavaScript codec (lz4-js.ts, same bytes out) otherwise; `createLz4Codec`
 * picks a backend explicitly. Batches cross into WASM once for many messages.
 */
import { codecSource, maxOutputOf, packRecords, recordsSize, unpackRecords, type BlockCodec } from './block-codec.ts';
import { Limits } from './codec.ts';
import { CodecError, ErrorCode } from './errors.ts';
import { Lz4Code, lz4Error } from './lz4-codes.ts';
import { blockBound, compressBlockJs, decompressBlockJs } from './lz4-js.ts';
import type { WasmCore } from './wasm-core.ts';

/** Decompressed size refused by default (flare-core's 16 MiB). */
export const LZ4_DEFAULT_MAX_OUTPUT = Limits.MAX_DECOMPRESSED_BYTES;
/** Largest input either backend compresses. */
export const LZ4_MAX_INPUT = 1 << 30;

export interface Lz4CompressOptions {
  /** Speed over ratio as in the reference LZ4 (1, the default, is LZ4_compress_default; up to 65537). */
  acceleration?: number;
}

export interface Lz4DecompressOptions {
  /** Largest decompressed size accepted, in bytes (default 16 MiB); more is a DECOMPRESSED_TOO_LARGE error. */
  maxOutput?: number;
}

/** An LZ4 frame codec. Every method throws CodecError on bad input and never returns partial data. */
export type Lz4Codec = BlockCodec<Lz4CompressOptions, Lz4DecompressOptions>;

const HEADER = 4;

const limitOf = (options: Lz4DecompressOptions | undefined) => maxOutputOf('lz4', options?.maxOutput, LZ4_DEFAULT_MAX_OUTPUT);

function accelerationOf(options: Lz4CompressOptions | undefined): number {
  const a = options?.acceleration ?? 1;
  if (!Number.isInteger(a) || a < 1 || a > 65537) {
    throw new CodecError(ErrorCode.INVALID_ARGUMENT, `lz4: acceleration must be an integer in [1, 65537], got ${a}`);
  }
  return a;
}

function checkInput(n: number): void {
  if (n > LZ4_MAX_INPUT) throw lz4Error(Lz4Code.BAD_ARGUMENT, 0);
}

/** The declared size of a frame, checked as lz4DecompressedSize does in WASM. */
function declaredSize(frame: Uint8Array, limit: number): number {
  if (frame.length < HEADER) return Lz4Code.TRUNCATED;
  const size = (frame[0]! | (frame[1]! << 8) | (frame[2]! << 16) | (frame[3]! << 24)) >>> 0;
  if (size > limit) return Lz4Code.TOO_LARGE;
  if (size > (frame.length - HEADER) * 255) return Lz4Code.IMPOSSIBLE_SIZE;
  return size;
}

/** The pure-JavaScript backend. */
export const jsLz4Codec: Lz4Codec = {
  backend: 'js',
  compress(data, options) {
    const accel = accelerationOf(options);
    checkInput(data.length);
    const out = new Uint8Array(HEADER + blockBound(data.length));
    new DataView(out.buffer).setUint32(0, data.length, true);
    return out.slice(0, HEADER + compressBlockJs(data, out, HEADER, accel));
  },
  decompress(frame, options) {
    const limit = limitOf(options);
    return decompressJs(frame, limit, undefined);
  },
  compressBatch(messages, options) {
    return messages.map((m) => jsLz4Codec.compress(m, options));
  },
  decompressBatch(frames, options) {
    const limit = limitOf(options);
    return frames.map((f, i) => decompressJs(f, limit, i));
  },
};

function decompressJs(frame: Uint8Array, limit: number, index: number | undefined): Uint8Array {
  const size = declaredSize(frame, limit);
  if (size < 0) throw lz4Error(size, limit, index);
  const out = new Uint8Array(size);
  const r = decompressBlockJs(frame, HEADER, frame.length, out);
  if (r < 0) throw lz4Error(r, limit, index);
  return out;
}

/** The exports assembly/compress/lz4-api.ts adds to the core. */
interface Lz4Exports {
  lz4Compress(src: number, len: number, dst: number, cap: number, accel: number): number;
  lz4DecompressedSize(src: number, len: number, limit: number): number;
  lz4Decompress(src: number, len: number, dst: number, cap: number, limit: number): number;
  lz4CompressBatchBound(src: number, len: number): number;
  lz4CompressBatch(src: number, len: number, dst: number, cap: number, accel: number): number;
  lz4DecompressBatchSize(src: number, len: number, limit: number): number;
  lz4DecompressBatch(src: number, len: number, dst: number, cap: number, limit: number): number;
}

/** Scratch buffers up to this size stay allocated between calls; larger ones are freed after. */
const KEEP_SCRATCH = 1 << 20;

/** A WASM allocation that grows on demand and is reused between calls. */
class Scratch {
  ptr = 0;
  cap = 0;
  constructor(private readonly core: WasmCore) {}
  /** Returns a pointer to at least `size` bytes. */
  reserve(size: number): number {
    if (size > this.cap) {
      this.core.exports.dealloc(this.ptr);
      this.cap = Math.max(size, 256, Math.min(this.cap * 2, KEEP_SCRATCH));
      this.ptr = this.core.exports.alloc(this.cap);
      if (this.ptr === 0) {
        this.cap = 0;
        throw new CodecError(ErrorCode.INVALID_ARGUMENT, `lz4: cannot allocate ${size} bytes in WASM memory`);
      }
    }
    return this.ptr;
  }
  /** Frees the buffer if it grew past KEEP_SCRATCH. */
  trim(): void {
    if (this.cap > KEEP_SCRATCH) {
      this.core.exports.dealloc(this.ptr);
      this.ptr = 0;
      this.cap = 0;
    }
  }
}

class WasmLz4 implements Lz4Codec {
  readonly backend = 'wasm' as const;
  readonly #core: WasmCore;
  readonly #x: Lz4Exports;
  readonly #in: Scratch;
  readonly #out: Scratch;

  constructor(core: WasmCore) {
    this.#core = core;
    this.#x = core.exports as unknown as Lz4Exports;
    this.#in = new Scratch(core);
    this.#out = new Scratch(core);
  }

  compress(data: Uint8Array, options?: Lz4CompressOptions): Uint8Array {
    const accel = accelerationOf(options);
    checkInput(data.length);
    const bound = HEADER + blockBound(data.length);
    try {
      const src = this.#in.reserve(data.length);
      const dst = this.#out.reserve(bound);
      const mem = this.#core.u8;
      mem.set(data, src);
      const n = this.#x.lz4Compress(src, data.length, dst, bound, accel);
      if (n < 0) throw lz4Error(n, 0);
      return mem.slice(dst, dst + n);
    } finally {
      this.#trim();
    }
  }

  decompress(frame: Uint8Array, options?: Lz4DecompressOptions): Uint8Array {
    const limit = limitOf(options);
    // Header first: refuse bombs and impossible sizes before touching WASM memory.
    const size = declaredSize(frame, limit);
    if (size < 0) throw lz4Error(size, limit);
    try {
      const src = this.#in.reserve(frame.length);
      const dst = this.#out.reserve(size);
      const mem = this.#core.u8;
      mem.set(frame, src);
      const r = this.#x.lz4Decompress(src, frame.length, dst, size, limit);
      if (r < 0) throw lz4Error(r, limit);
      return mem.slice(dst, dst + r);
    } finally {
      this.#trim();
    }
  }

  compressBatch(messages: readonly Uint8Array[], options?: Lz4CompressOptions): Uint8Array[] {
    const accel = accelerationOf(options);
    for (const m of messages) checkInput(m.length);
    const total = recordsSize(messages);
    if (total > 0x7fffffff) throw lz4Error(Lz4Code.BAD_ARGUMENT, 0);
    try {
      const src = this.#in.reserve(total);
      packRecords(this.#core.u8, src, messages);
      const need = this.#x.lz4CompressBatchBound(src, total);
      if (need < 0) throw lz4Error(need, 0);
      const dst = this.#out.reserve(need);
      const n = this.#x.lz4CompressBatch(src, total, dst, need, accel);
      if (n < 0) throw lz4Error(n, 0);
      return this.#unpack(dst, n, messages.length, 0);
    } finally {
      this.#trim();
    }
  }

  decompressBatch(frames: readonly Uint8Array[], options?: Lz4DecompressOptions): Uint8Array[] {
    const limit = limitOf(options);
    const total = recordsSize(frames);
    if (total > 0x7fffffff) throw lz4Error(Lz4Code.BAD_ARGUMENT, limit);
    try {
      const src = this.#in.reserve(total);
      packRecords(this.#core.u8, src, frames);
      const need = this.#x.lz4DecompressBatchSize(src, total, limit);
      if (need < 0) throw lz4Error(need, limit);
      const dst = this.#out.reserve(need);
      const n = this.#x.lz4DecompressBatch(src, total, dst, need, limit);
      if (n < 0) throw lz4Error(n, limit);
      return this.#unpack(dst, n, frames.length, limit);
    } finally {
      this.#trim();
    }
  }

  /** The results of a batch call, as views of one copy. */
  #unpack(ptr: number, len: number, count: number, limit: number): Uint8Array[] {
    return unpackRecords(this.#core.u8, ptr, len, count, false, (code, i) => lz4Error(code ?? Lz4Code.BAD_ARGUMENT, limit, i));
  }

  #trim(): void {
    this.#in.trim();
    this.#out.trim();
  }
}

const source = codecSource<Lz4Codec>(jsLz4Codec, (core) => new WasmLz4(core));

/** The LZ4 codec over a loaded WASM core, or the JavaScript one when `core` is null. */
export function createLz4Codec(core: WasmCore | null): Lz4Codec {
  return source.create(core);
}

/** The default codec: WASM when this realm can load it, JavaScript otherwise. */
export function lz4Codec(): Lz4Codec {
  return source.default();
}

/** Compresses `data` into an LZ4 frame (u32 LE size + block). */
export function lz4Compress(data: Uint8Array, options?: Lz4CompressOptions): Uint8Array {
  return lz4Codec().compress(data, options);
}

/** Decompresses an LZ4 frame; CodecError on corrupt input or past `maxOutput` (16 MiB). */
export function lz4Decompress(frame: Uint8Array, options?: Lz4DecompressOptions): Uint8Array {
  return lz4Codec().decompress(frame, options);
}

/** Compresses many messages with one WASM call. */
export function lz4CompressBatch(messages: readonly Uint8Array[], options?: Lz4CompressOptions): Uint8Array[] {
  return lz4Codec().compressBatch(messages, options);
}

/** Decompresses many frames with one WASM call; throws the first failure. */
export function lz4DecompressBatch(frames: readonly Uint8Array[], options?: Lz4DecompressOptions): Uint8Array[] {
  return lz4Codec().decompressBatch(frames, options);
}
