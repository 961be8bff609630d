/**
 * What the gzip (gzip.ts) and LZ4 (lz4.ts) codecs share: their shape, one
 * WASM backend per loaded core with the JavaScript backend when there is no
 * core, the default codec of the realm, the `maxOutput` check, and the batch
 * layout both WASM APIs read and write.
 *
 * Batches cross into WASM as records: input `[u32 LE length][bytes]...`,
 * output `[i32 LE result][result bytes]...`, a negative result being that
 * message's error code.
 */
import { CodecError, ErrorCode } from './errors.ts';
import { loadWasmCoreSync, type WasmCore } from './wasm-core.ts';

/** A whole-message compression codec. Every method throws CodecError on bad input and never returns partial data. */
export interface BlockCodec<CompressOptions, DecompressOptions> {
  readonly backend: 'wasm' | 'js';
  compress(data: Uint8Array, options?: CompressOptions): Uint8Array;
  decompress(data: Uint8Array, options?: DecompressOptions): Uint8Array;
  /** Compresses many messages in one call; results in order. */
  compressBatch(messages: readonly Uint8Array[], options?: CompressOptions): Uint8Array[];
  /** Decompresses many messages in one call; throws the first failure (its `details.index` says which). */
  decompressBatch(messages: readonly Uint8Array[], options?: DecompressOptions): Uint8Array[];
}

/** How to get a codec: over a given core (JavaScript when null, one WASM codec per core), or the realm's default. */
export interface CodecSource<C> {
  create(core: WasmCore | null): C;
  /** WASM when this realm can load it, JavaScript otherwise; made on first use. */
  default(): C;
}

/** The CodecSource of one algorithm, from its JavaScript codec and its WASM codec's constructor. */
export function codecSource<C>(js: C, wasm: (core: WasmCore) => C): CodecSource<C> {
  const perCore = new WeakMap<WasmCore, C>();
  let fallback: C | null = null;
  const create = (core: WasmCore | null): C => {
    if (!core) return js;
    let codec = perCore.get(core);
    if (!codec) perCore.set(core, (codec = wasm(core)));
    return codec;
  };
  return { create, default: () => (fallback ??= create(loadWasmCoreSync())) };
}

/** Checks a `maxOutput` option (`algorithm` names it in the error); `fallback` when absent. */
export function maxOutputOf(algorithm: string, maxOutput: number | undefined, fallback: number): number {
  const limit = maxOutput ?? fallback;
  if (!Number.isInteger(limit) || limit < 0 || limit > 0x7fffffff) {
    throw new CodecError(ErrorCode.INVALID_ARGUMENT, `${algorithm}: maxOutput must be an integer in [0, 2^31), got ${limit}`);
  }
  return limit;
}

/** Bytes of the length prefix of a batch record. */
export const RECORD_PREFIX = 4;

/** Bytes `parts` take as batch records. */
export function recordsSize(parts: readonly Uint8Array[]): number {
  let total = 0;
  for (const part of parts) total += RECORD_PREFIX + part.length;
  return total;
}

/** Writes `parts` as `[u32 LE length][bytes]...` into `mem` at `ptr`. */
export function packRecords(mem: Uint8Array, ptr: number, parts: readonly Uint8Array[]): void {
  let p = ptr;
  for (const part of parts) {
    const n = part.length;
    mem[p] = n;
    mem[p + 1] = n >>> 8;
    mem[p + 2] = n >>> 16;
    mem[p + 3] = n >>> 24;
    mem.set(part, p + RECORD_PREFIX);
    p += RECORD_PREFIX + n;
  }
}

/**
 * Reads `count` records `[i32 LE r][r bytes]` from `mem[at, at + len)`. A
 * negative r (that message's error code) is passed to `fail` with the
 * record's index; `null` when the output ends early (a bug, never expected).
 * `own`: every result gets its own buffer (transferable); otherwise the results
 * are views of one copy.
 */
export function unpackRecords(mem: Uint8Array, at: number, len: number, count: number, own: boolean, fail: (code: number | null, index: number) => CodecError): Uint8Array[] {
  const src = own ? mem : mem.slice(at, at + len);
  const base = own ? at : 0;
  const end = base + len;
  const out: Uint8Array[] = new Array(count);
  let p = base;
  for (let i = 0; i < count; i++) {
    if (end - p < RECORD_PREFIX) throw fail(null, i);
    const r = src[p]! | (src[p + 1]! << 8) | (src[p + 2]! << 16) | (src[p + 3]! << 24);
    if (r < 0) throw fail(r, i);
    if (end - p - RECORD_PREFIX < r) throw fail(null, i);
    out[i] = own ? src.slice(p + RECORD_PREFIX, p + RECORD_PREFIX + r) : src.subarray(p + RECORD_PREFIX, p + RECORD_PREFIX + r);
    p += RECORD_PREFIX + r;
  }
  return out;
}
