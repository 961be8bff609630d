/**
 * The JavaScript gzip fallback, for realms where WebAssembly may not run.
 *
 * It stands on fflate: small (~8 kB for what we use), the fastest of the
 * pure-JS DEFLATE libraries, actively maintained, and with a synchronous API,
 * which the codec needs (a frame is decoded inside a synchronous step). Two
 * things fflate leaves out are added here, so that the fallback rejects
 * what the WASM decoder rejects: a bound on the output (fflate's gunzipSync
 * would allocate whatever the data expands to, so the input is fed to its
 * streaming decoder in small pieces and decoding stops past the limit), and
 * the CRC-32 and ISIZE of every member (fflate does not check them).
 */
import { Gunzip, gzipSync } from 'fflate';
import { CodecError } from './errors.ts';
import { GzipCode, gzipError } from './gzip-codes.ts';

/**
 * DEFLATE expands at most 1032:1, so feeding fflate (limit - output) / 1032
 * bytes at a time never lets it produce much more than the limit; small
 * frames go in one step (each step costs fflate a copy of its 32 KiB window).
 */
const MAX_RATIO = 1032;
const MIN_STEP = 4096;
const MAX_STEP = 1 << 20;

let table: Int32Array | null = null;

/** CRC-32 as gzip computes it (reflected 0xEDB88320). */
export function crc32(data: Uint8Array, from = 0, to = data.length, crc = 0): number {
  const t = (table ??= makeTable());
  let c = ~crc;
  for (let i = from; i < to; i++) c = t[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

function makeTable(): Int32Array {
  const t = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  return t;
}

/** One gzip member of `data` (fflate; no file name, no time, as the WASM encoder writes). */
export function gzipJs(data: Uint8Array, level: number): Uint8Array {
  return gzipSync(data, { level: level as 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9, mtime: 0 });
}

const tooLarge = Symbol('too large');

/**
 * Decompresses gzip data (one member or several) of at most `limit` output
 * bytes. Throws CodecError, as gzipError maps the WASM codes.
 */
export function gunzipJs(data: Uint8Array, limit: number): Uint8Array {
  checkHeader(data, 0, limit);
  const chunks: Uint8Array[] = [];
  let total = 0;
  // Where each member starts in the input and in the output, to check its trailer.
  const members: Array<{ input: number; output: number }> = [{ input: 0, output: 0 }];
  const g = new Gunzip((chunk) => {
    total += chunk.length;
    if (total > limit) throw tooLarge;
    if (chunk.length) chunks.push(chunk);
  });
  g.onmember = (offset) => members.push({ input: offset, output: total });
  try {
    for (let p = 0; p < data.length; ) {
      const step = Math.min(MAX_STEP, Math.max(MIN_STEP, Math.floor((limit - total) / MAX_RATIO)));
      const end = Math.min(p + step, data.length);
      g.push(data.subarray(p, end), end === data.length);
      p = end;
    }
  } catch (e) {
    if (e === tooLarge) throw gzipError(GzipCode.TOO_LARGE, limit);
    throw withCause(gzipError(GzipCode.BAD_BLOCK, limit), e);
  }
  const out = concat(chunks, total);
  for (let k = 0; k < members.length; k++) {
    const end = k + 1 < members.length ? members[k + 1]!.input : data.length;
    const from = members[k]!.output;
    const to = k + 1 < members.length ? members[k + 1]!.output : total;
    if (k > 0) checkHeader(data, members[k]!.input, limit);
    if (end - members[k]!.input < 18) throw gzipError(GzipCode.TRUNCATED, limit);
    const view = new DataView(data.buffer, data.byteOffset + end - 8, 8);
    if (crc32(out, from, to) !== view.getUint32(0, true)) throw gzipError(GzipCode.BAD_CRC, limit);
    if ((to - from) >>> 0 !== view.getUint32(4, true)) throw gzipError(GzipCode.BAD_LENGTH, limit);
  }
  return out;
}

/** Checks the member header at `at` as the WASM decoder does (fflate skips its CRC and reserved flags). */
function checkHeader(data: Uint8Array, at: number, limit: number): void {
  const n = data.length - at;
  const fail = (code: number): never => {
    throw gzipError(code, limit);
  };
  if (n >= 1 && data[at] !== 0x1f) fail(GzipCode.BAD_HEADER);
  if (n >= 2 && data[at + 1] !== 0x8b) fail(GzipCode.BAD_HEADER);
  if (n >= 3 && data[at + 2] !== 8) fail(GzipCode.BAD_HEADER);
  if (n >= 4 && data[at + 3]! & 0xe0) fail(GzipCode.BAD_HEADER);
  if (n < 18) fail(GzipCode.TRUNCATED);
  const flags = data[at + 3]!;
  let q = at + 10;
  if (flags & 4) {
    if (q + 2 > data.length) fail(GzipCode.TRUNCATED);
    q += 2 + (data[q]! | (data[q + 1]! << 8));
  }
  for (const bit of [8, 16]) {
    if (!(flags & bit)) continue;
    while (q < data.length && data[q] !== 0) q++;
    if (q >= data.length) fail(GzipCode.TRUNCATED);
    q++;
  }
  if (flags & 2) {
    if (q + 2 > data.length) fail(GzipCode.TRUNCATED);
    if ((crc32(data, at, q) & 0xffff) !== (data[q]! | (data[q + 1]! << 8))) fail(GzipCode.BAD_HEADER);
  }
}

function withCause(e: CodecError, cause: unknown): CodecError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new CodecError(e.code, `gzip decompression failed: ${reason}`, { cause, details: { ...e.details, reason } });
}

function concat(chunks: Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1 && chunks[0]!.length === total) return chunks[0]!;
  const out = new Uint8Array(total);
  let p = 0;
  for (const c of chunks) {
    out.set(c, p);
    p += c.length;
  }
  return out;
}
