/**
 * gzip (RFC 1952) of whole frames, as flare-core peers negotiate it: the WASM
 * encoder and decoder of assembly/compress/, with the JavaScript fallback of
 * gzip-js.ts (fflate) where WebAssembly may not run.
 *
 * ```ts
 * import { gzip, gunzip } from './gzip.ts';
 * const member = gzip(bytes); // level 1: the fast level, for realtime frames
 * const back = gunzip(member, { maxOutput: 1 << 20 }); // CodecError past 1 MiB
 * ```
 * Decompression reads what any gzip encoder writes (stored, fixed and dynamic
 * blocks, several members), checks CRC-32 and ISIZE, and stops with
 * DECOMPRESSED_TOO_LARGE past `maxOutput` (16 MiB by default, as flare-core):
 * every failure is a CodecError. Batches cross into WASM once for many
 * messages. Results are fresh arrays that own their buffers (transferable).
 */
import { codecSource, maxOutputOf, packRecords, recordsSize, unpackRecords, type BlockCodec } from './block-codec.ts';
import { Limits } from './codec.ts';
import { CodecError, ErrorCode } from './errors.ts';
import { GzipCode, gzipError } from './gzip-codes.ts';
import { gunzipJs, gzipJs } from './gzip-js.ts';
import type { WasmCore } from './wasm-core.ts';

/** Decompressed size refused by default (flare-core's 16 MiB). */
export const GZIP_DEFAULT_MAX_OUTPUT = Limits.MAX_DECOMPRESSED_BYTES;
/** Level used unless told otherwise: the fastest, for small realtime frames. */
export const GZIP_DEFAULT_LEVEL = 1;
/** Largest input either backend compresses. */
export const GZIP_MAX_INPUT = 1 << 30;

export interface GzipOptions {
  /** 0 (stored) to 9 (smallest); default 1. */
  level?: number;
}

export interface GunzipOptions {
  /** Largest decompressed size accepted, in bytes (default 16 MiB); more is a DECOMPRESSED_TOO_LARGE error. */
  maxOutput?: number;
}

/** A gzip codec. Every method throws CodecError on bad input and never returns partial data. */
export type GzipCodec = BlockCodec<GzipOptions, GunzipOptions>;

function levelOf(options: GzipOptions | undefined): number {
  const level = options?.level ?? GZIP_DEFAULT_LEVEL;
  if (!Number.isInteger(level) || level < 0 || level > 9) {
    throw new CodecError(ErrorCode.INVALID_ARGUMENT, `gzip: level must be an integer in [0, 9], got ${level}`);
  }
  return level;
}

const limitOf = (options: GunzipOptions | undefined) => maxOutputOf('gzip', options?.maxOutput, GZIP_DEFAULT_MAX_OUTPUT);

function checkInput(n: number): void {
  if (n > GZIP_MAX_INPUT) throw gzipError(GzipCode.BAD_ARGUMENT, 0);
}

/** The pure-JavaScript backend (fflate, plus the checks gzip-js.ts adds). */
export const jsGzipCodec: GzipCodec = {
  backend: 'js',
  compress(data, options) {
    const level = levelOf(options);
    checkInput(data.length);
    return gzipJs(data, level);
  },
  decompress(member, options) {
    return gunzipJs(member, limitOf(options));
  },
  compressBatch(messages, options) {
    const level = levelOf(options);
    return messages.map((m) => (checkInput(m.length), gzipJs(m, level)));
  },
  decompressBatch(members, options) {
    const limit = limitOf(options);
    return members.map((m, i) => {
      try {
        return gunzipJs(m, limit);
      } catch (e) {
        if (e instanceof CodecError && e.details) e.details['index'] = i;
        throw e;
      }
    });
  },
};

/** The exports of assembly/compress/gzip-exports.ts. */
interface GzipExports {
  gzipInput(size: number): number;
  gzipOutput(): number;
  gzipRelease(): void;
  gzipCompress(src: number, len: number, level: number): number;
  gzipDecompress(src: number, len: number, limit: number): number;
  gzipCompressBatch(src: number, len: number, level: number): number;
  gzipDecompressBatch(src: number, len: number, limit: number): number;
}

/**
 * Calls moving more than this give their WASM buffers back afterwards (the
 * module itself shrinks buffers past 4 MiB once smaller messages follow).
 */
const KEEP_SCRATCH = 4 << 20;

class WasmGzip implements GzipCodec {
  readonly backend = 'wasm' as const;
  readonly #core: WasmCore;
  readonly #x: GzipExports;

  constructor(core: WasmCore) {
    this.#core = core;
    this.#x = core.exports as unknown as GzipExports;
  }

  compress(data: Uint8Array, options?: GzipOptions): Uint8Array {
    const level = levelOf(options);
    checkInput(data.length);
    return this.#run(data.length, false, () => {
      const src = this.#x.gzipInput(data.length);
      this.#core.u8.set(data, src);
      const n = this.#x.gzipCompress(src, data.length, level);
      if (n < 0) throw gzipError(n, 0);
      const at = this.#x.gzipOutput();
      return this.#core.u8.slice(at, at + n);
    });
  }

  decompress(member: Uint8Array, options?: GunzipOptions): Uint8Array {
    const limit = limitOf(options);
    return this.#run(member.length, true, () => {
      const src = this.#x.gzipInput(member.length);
      this.#core.u8.set(member, src);
      const n = this.#x.gzipDecompress(src, member.length, limit);
      if (n < 0) throw gzipError(n, limit);
      const at = this.#x.gzipOutput();
      return this.#core.u8.slice(at, at + n);
    });
  }

  compressBatch(messages: readonly Uint8Array[], options?: GzipOptions): Uint8Array[] {
    const level = levelOf(options);
    for (const m of messages) checkInput(m.length);
    const total = recordsSize(messages);
    if (total > GZIP_MAX_INPUT) throw gzipError(GzipCode.BAD_ARGUMENT, 0);
    return this.#run(total, false, () => {
      const src = this.#pack(messages, total);
      const n = this.#x.gzipCompressBatch(src, total, level);
      if (n < 0) throw gzipError(n, 0);
      return this.#unpack(n, messages.length, 0);
    });
  }

  decompressBatch(members: readonly Uint8Array[], options?: GunzipOptions): Uint8Array[] {
    const limit = limitOf(options);
    const total = recordsSize(members);
    if (total > 0x7fffffff) throw gzipError(GzipCode.BAD_ARGUMENT, limit);
    return this.#run(total, true, () => {
      const src = this.#pack(members, total);
      const n = this.#x.gzipDecompressBatch(src, total, limit);
      if (n < 0) throw gzipError(n, limit);
      return this.#unpack(n, members.length, limit);
    });
  }

  /**
   * Runs one call into WASM: anything but a CodecError coming out of it (a trap,
   * e.g. memory that cannot grow) becomes one, and large buffers are released.
   */
  #run<T extends Uint8Array | Uint8Array[]>(size: number, decoding: boolean, call: () => T): T {
    let big = size > KEEP_SCRATCH;
    try {
      const r = call();
      if (!big) big = sizeOf(r) > KEEP_SCRATCH;
      return r;
    } catch (e) {
      big = true;
      if (e instanceof CodecError) throw e;
      throw new CodecError(decoding ? ErrorCode.DECOMPRESSION_FAILED : ErrorCode.INTERNAL, `gzip: WASM call failed: ${String(e)}`, {
        cause: e,
        details: { algorithm: 'gzip' },
      });
    } finally {
      if (big) this.#x.gzipRelease();
    }
  }

  /** Copies the batch records into the input area; returns its address. */
  #pack(parts: readonly Uint8Array[], total: number): number {
    const src = this.#x.gzipInput(total);
    packRecords(this.#core.u8, src, parts);
    return src;
  }

  /** The results of a batch call, each in its own buffer. */
  #unpack(len: number, count: number, limit: number): Uint8Array[] {
    return unpackRecords(this.#core.u8, this.#x.gzipOutput(), len, count, true, (code, i) => gzipError(code ?? GzipCode.BAD_ARGUMENT, limit, i));
  }
}

function sizeOf(r: Uint8Array | Uint8Array[]): number {
  if (r instanceof Uint8Array) return r.length;
  let n = 0;
  for (const x of r) n += x.length;
  return n;
}

const source = codecSource<GzipCodec>(jsGzipCodec, (core) => new WasmGzip(core));

/** The gzip codec over a loaded WASM core, or the JavaScript one when `core` is null. */
export function createGzipCodec(core: WasmCore | null): GzipCodec {
  return source.create(core);
}

/** The default codec: WASM when this realm can load it, JavaScript otherwise. */
export function gzipCodec(): GzipCodec {
  return source.default();
}

/** Compresses `data` into one gzip member. */
export function gzip(data: Uint8Array, options?: GzipOptions): Uint8Array {
  return gzipCodec().compress(data, options);
}

/** Decompresses gzip data; CodecError on corrupt input or past `maxOutput` (16 MiB). */
export function gunzip(member: Uint8Array, options?: GunzipOptions): Uint8Array {
  return gzipCodec().decompress(member, options);
}

/** Compresses many messages with one WASM call. */
export function gzipBatch(messages: readonly Uint8Array[], options?: GzipOptions): Uint8Array[] {
  return gzipCodec().compressBatch(messages, options);
}

/** Decompresses many messages with one WASM call; throws the first failure. */
export function gunzipBatch(members: readonly Uint8Array[], options?: GunzipOptions): Uint8Array[] {
  return gzipCodec().decompressBatch(members, options);
}
