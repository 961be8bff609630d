/**
 * The JavaScript LZ4 block codec: the fallback for pages without WebAssembly,
 * the same algorithm as assembly/compress/lz4.ts (its output is byte for byte
 * the same) and the same frame format (see lz4.ts).
 *
 * Why not lz4js: it implements LZ4's *frame* format (magic, descriptors,
 * xxHash32). Its raw `compressBlock` returns 0 for incompressible input (the
 * frame format then stores the block raw, which a bare block cannot say), and
 * its `decompressBlock` checks no offset or length: on corrupt input it reads
 * `undefined` past the input and writes garbage instead of failing, with no
 * output limit. A checked block codec is small enough to own.
 *
 * Functions return a byte count or a negative LZ4 code (LZ4_* in lz4-codes.ts),
 * exactly as the WASM exports do; lz4.ts turns codes into CodecErrors.
 */
import { Lz4Code } from './lz4-codes.ts';

const MINMATCH = 4;
const MFLIMIT = 12;
const LASTLITERALS = 5;
const MAX_DISTANCE = 65535;
const SKIP_TRIGGER = 6;
const HASH_LOG = 12;

/** Worst-case size of a block of `n` bytes (LZ4_compressBound). */
export function blockBound(n: number): number {
  return n + Math.floor(n / 255) + 16;
}

// Positions are stored as `gen + position`; each call moves `gen` past the last
// call's positions by more than the window, so old entries read as out of range
// and the table is cleared only when `gen` would overflow (as in the WASM codec).
const GEN_START = 1 << 16;
const GEN_MAX = 1 << 30;
const table = new Int32Array(1 << HASH_LOG);
let gen = GEN_START;

const read32 = (a: Uint8Array, i: number): number => a[i]! | (a[i + 1]! << 8) | (a[i + 2]! << 16) | (a[i + 3]! << 24);
const hash = (a: Uint8Array, i: number): number => Math.imul(read32(a, i), -1640531535) >>> (32 - HASH_LOG);

function writeLength(dst: Uint8Array, op: number, n: number): number {
  while (n >= 255) {
    dst[op++] = 255;
    n -= 255;
  }
  dst[op++] = n;
  return op;
}

/**
 * Compresses `src` into one block at `dst[dstOff...]` (room for `blockBound`
 * bytes). Returns the block's size.
 */
export function compressBlockJs(src: Uint8Array, dst: Uint8Array, dstOff: number, accel = 1): number {
  const len = src.length;
  let op = dstOff;
  let anchor = 0;
  if (len >= MFLIMIT + 1) {
    if (gen > GEN_MAX - len) {
      table.fill(0);
      gen = GEN_START;
    }
    const g = gen;
    gen += len + GEN_START;
    const mflimitPlusOne = len - MFLIMIT + 1;
    const matchlimit = len - LASTLITERALS;
    let ip = 0;
    table[hash(src, 0)] = g;
    ip = 1;
    let forwardH = hash(src, ip);
    const accelStart = Math.max(accel, 1) << SKIP_TRIGGER;
    let done = false;
    for (;;) {
      let match = 0;
      let forwardIp = ip;
      let step = 1;
      let searchMatchNb = accelStart;
      for (;;) {
        const h = forwardH;
        ip = forwardIp;
        forwardIp += step;
        step = searchMatchNb++ >> SKIP_TRIGGER;
        if (forwardIp > mflimitPlusOne) {
          done = true;
          break;
        }
        match = table[h]! - g;
        forwardH = hash(src, forwardIp);
        table[h] = ip + g;
        // Stale entries (match < 0) are more than MAX_DISTANCE away.
        if (ip - match <= MAX_DISTANCE && read32(src, match) === read32(src, ip)) break;
      }
      if (done) break;
      while (ip > anchor && match > 0 && src[ip - 1] === src[match - 1]) {
        ip--;
        match--;
      }
      const litLen = ip - anchor;
      let token = op++;
      if (litLen >= 15) {
        dst[token] = 15 << 4;
        op = writeLength(dst, op, litLen - 15);
      } else {
        dst[token] = litLen << 4;
      }
      if (litLen < 32) for (let i = 0; i < litLen; i++) dst[op + i] = src[anchor + i]!;
      else dst.set(src.subarray(anchor, ip), op);
      op += litLen;
      for (;;) {
        const offset = ip - match;
        dst[op++] = offset & 255;
        dst[op++] = offset >>> 8;
        let p = ip + MINMATCH;
        let m = match + MINMATCH;
        while (p < matchlimit && src[p] === src[m]) {
          p++;
          m++;
        }
        const ml = p - ip - MINMATCH;
        ip = p;
        if (ml >= 15) {
          dst[token] |= 15;
          op = writeLength(dst, op, ml - 15);
        } else {
          dst[token] |= ml;
        }
        anchor = ip;
        if (ip >= mflimitPlusOne) {
          done = true;
          break;
        }
        table[hash(src, ip - 2)] = ip - 2 + g;
        const h = hash(src, ip);
        match = table[h]! - g;
        table[h] = ip + g;
        if (ip - match <= MAX_DISTANCE && read32(src, match) === read32(src, ip)) {
          token = op++;
          dst[token] = 0;
          continue;
        }
        break;
      }
      if (done) break;
      forwardH = hash(src, ++ip);
    }
  }
  const last = len - anchor;
  if (last >= 15) {
    dst[op++] = 15 << 4;
    op = writeLength(dst, op, last - 15);
  } else {
    dst[op++] = last << 4;
  }
  dst.set(src.subarray(anchor), op);
  return op + last - dstOff;
}

/**
 * Decompresses the block `src[start, end)` into exactly `dst.length` bytes.
 * Returns `dst.length` or a negative Lz4Code; touches nothing outside the two ranges.
 */
export function decompressBlockJs(src: Uint8Array, start: number, end: number, dst: Uint8Array): number {
  let ip = start;
  let op = 0;
  const oend = dst.length;
  while (ip < end) {
    const token = src[ip++]!;
    let litLen = token >> 4;
    if (litLen === 15) {
      let b: number;
      do {
        if (ip >= end) return Lz4Code.TRUNCATED;
        b = src[ip++]!;
        litLen += b;
      } while (b === 255 && litLen <= end);
    }
    if (litLen > end - ip) return Lz4Code.TRUNCATED;
    if (litLen > oend - op) return Lz4Code.OVERRUN;
    if (litLen < 16) for (let i = 0; i < litLen; i++) dst[op + i] = src[ip + i]!;
    else dst.set(src.subarray(ip, ip + litLen), op);
    ip += litLen;
    op += litLen;
    if (ip >= end) break;

    if (end - ip < 2) return Lz4Code.TRUNCATED;
    const offset = src[ip]! | (src[ip + 1]! << 8);
    ip += 2;
    if (offset === 0 || offset > op) return Lz4Code.BAD_OFFSET;
    let ml = token & 15;
    if (ml === 15) {
      let b: number;
      do {
        if (ip >= end) return Lz4Code.TRUNCATED;
        b = src[ip++]!;
        ml += b;
      } while (b === 255 && ml <= oend);
    }
    ml += MINMATCH;
    if (ml > oend - op) return Lz4Code.OVERRUN;
    const mend = op + ml;
    let m = op - offset;
    if (ml < 32) {
      while (op < mend) dst[op++] = dst[m++]!;
    } else if (offset === 1) {
      dst.fill(dst[m]!, op, mend);
      op = mend;
    } else {
      // [m, op) repeats with period `offset`: copying min(op - m, rest) bytes
      // from m never overlaps and doubles the span each time.
      while (op < mend) {
        const n = Math.min(op - m, mend - op);
        dst.copyWithin(op, m, m + n);
        op += n;
      }
    }
  }
  return op === oend ? oend : Lz4Code.SIZE_MISMATCH;
}
