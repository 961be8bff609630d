// LZ4 block format (https://github.com/lz4/lz4/blob/dev/doc/lz4_Block_format.md).
// The compressor follows the reference LZ4_compress_generic at acceleration 1:
// a single-probe hash table of positions, skip acceleration on incompressible
// runs, backward catch-up, and the immediate re-match test after each match.
// The decompressor is the "safe" kind: every literal length, match length and
// offset is checked against both buffers, and it never throws.
//
// Buffers are raw pointers into linear memory; callers (lz4-api.ts) own them.

/** Error codes of the block decoder (negative, as every export of the core). */
export const LZ4_TRUNCATED: i32 = -1; // input ends inside a sequence
export const LZ4_BAD_OFFSET: i32 = -2; // match offset 0 or before the output start
export const LZ4_OVERRUN: i32 = -3; // output would pass the declared size
export const LZ4_SIZE_MISMATCH: i32 = -4; // input ended before the declared size was produced

const MINMATCH: i32 = 4;
const MFLIMIT: i32 = 12; // the last match must start at least 12 bytes before the end
const LASTLITERALS: i32 = 5; // the last 5 bytes are always literals
const MAX_DISTANCE: u32 = 65535;
const SKIP_TRIGGER: u32 = 6;
const HASH_LOG: u32 = 12;
const HASH_BYTES: i32 = 4 << HASH_LOG;

// Positions are stored as `gen + offset in the input`. Each call moves `gen` past
// the previous call's positions by more than MAX_DISTANCE, so stale entries read
// as out of range and the 16 KiB table needs no clearing per call (it is cleared
// only when `gen` would pass GEN_MAX, i.e. once per ~2^30 input bytes).
const GEN_START: u32 = 1 << 16;
const GEN_MAX: u32 = 1 << 30;
/** Largest input the block compressor accepts (so that `gen + position` fits in u31). */
export const LZ4_MAX_INPUT: i32 = 1 << 30;

const table: usize = memory.data(HASH_BYTES, 16);
let gen: u32 = GEN_START;

/** Worst-case compressed size of `n` input bytes (LZ4_compressBound). */
// @ts-ignore: decorator
@inline export function blockBound(n: i32): i32 {
  return n + n / 255 + 16;
}

// @ts-ignore: decorator
@inline function hashAt(p: usize): usize {
  return <usize>((load<u32>(p) * 2654435761) >>> (32 - HASH_LOG)) << 2;
}

/** Length of the common run of `p` and `m` (m < p), stopping at `limit`. */
// @ts-ignore: decorator
@inline function countMatch(p: usize, m: usize, limit: usize): usize {
  const start = p;
  while (p + 8 <= limit) {
    const diff = load<u64>(m) ^ load<u64>(p);
    if (diff) return p + <usize>(ctz(diff) >> 3) - start;
    p += 8;
    m += 8;
  }
  if (p + 4 <= limit && load<u32>(m) == load<u32>(p)) {
    p += 4;
    m += 4;
  }
  if (p + 2 <= limit && load<u16>(m) == load<u16>(p)) {
    p += 2;
    m += 2;
  }
  if (p < limit && load<u8>(m) == load<u8>(p)) p++;
  return p - start;
}

// @ts-ignore: decorator
@inline function writeLength(op: usize, n: i32): usize {
  while (n >= 255) {
    store<u8>(op++, 255);
    n -= 255;
  }
  store<u8>(op++, <u8>n);
  return op;
}

/**
 * Compresses `len` bytes at `src` into one LZ4 block at `dst`, which must hold
 * `blockBound(len)` bytes (the wild copies stay inside that bound). Returns the
 * block's size. `accel` >= 1 trades ratio for speed as in the reference.
 */
export function compressBlock(src: usize, len: i32, dst: usize, accel: i32): i32 {
  const iend = src + <usize>len;
  let op = dst;
  let anchor = src;
  if (len >= MFLIMIT + 1) {
    if (gen > GEN_MAX - <u32>len) {
      memory.fill(table, 0, HASH_BYTES);
      gen = GEN_START;
    }
    const g = gen;
    gen += <u32>len + GEN_START;
    const mflimitPlusOne = iend - <usize>MFLIMIT + 1;
    const matchlimit = iend - <usize>LASTLITERALS;
    const base = src - <usize>g; // base + stored value = position
    let ip = src;
    store<u32>(table + hashAt(ip), <u32>(ip - base));
    ip++;
    let forwardH = hashAt(ip);
    const accelStart: u32 = <u32>max(accel, 1) << SKIP_TRIGGER;

    let done = false;
    while (true) {
      // Find a match: probe one table slot per position, stepping faster
      // through data that keeps missing.
      let match: usize = 0;
      let forwardIp = ip;
      let step: usize = 1;
      let searchMatchNb = accelStart;
      while (true) {
        const h = forwardH;
        ip = forwardIp;
        forwardIp += step;
        step = <usize>(searchMatchNb++ >> SKIP_TRIGGER);
        if (forwardIp > mflimitPlusOne) {
          done = true;
          break;
        }
        match = base + <usize>load<u32>(table + h);
        forwardH = hashAt(forwardIp);
        store<u32>(table + h, <u32>(ip - base));
        // Unsigned distance: stale entries (match < src) read as far away.
        if (<u32>(ip - match) <= MAX_DISTANCE && load<u32>(match) == load<u32>(ip)) break;
      }
      if (done) break;
      // Catch up backwards over equal bytes before the match.
      while (ip > anchor && match > src && load<u8>(ip - 1) == load<u8>(match - 1)) {
        ip--;
        match--;
      }
      // Token and literals.
      const litLen = <i32>(ip - anchor);
      let token = op++;
      if (litLen >= 15) {
        store<u8>(token, 15 << 4);
        op = writeLength(op, litLen - 15);
      } else {
        store<u8>(token, <u8>(litLen << 4));
      }
      wildCopy(op, anchor, <usize>litLen);
      op += <usize>litLen;

      // One or more matches back to back (the immediate re-match test).
      while (true) {
        store<u16>(op, <u16>(ip - match));
        op += 2;
        const ml = countMatch(ip + <usize>MINMATCH, match + <usize>MINMATCH, matchlimit);
        ip += <usize>MINMATCH + ml;
        if (ml >= 15) {
          store<u8>(token, load<u8>(token) | 15);
          op = writeLength(op, <i32>ml - 15);
        } else {
          store<u8>(token, load<u8>(token) | <u8>ml);
        }
        anchor = ip;
        if (ip >= mflimitPlusOne) {
          done = true;
          break;
        }
        store<u32>(table + hashAt(ip - 2), <u32>(ip - 2 - base));
        const h = hashAt(ip);
        match = base + <usize>load<u32>(table + h);
        store<u32>(table + h, <u32>(ip - base));
        if (<u32>(ip - match) <= MAX_DISTANCE && load<u32>(match) == load<u32>(ip)) {
          token = op++;
          store<u8>(token, 0);
          continue;
        }
        break;
      }
      if (done) break;
      forwardH = hashAt(++ip);
    }
  }
  // Last literals.
  const last = <i32>(iend - anchor);
  if (last >= 15) {
    store<u8>(op++, 15 << 4);
    op = writeLength(op, last - 15);
  } else {
    store<u8>(op++, <u8>(last << 4));
  }
  memory.copy(op, anchor, <usize>last);
  op += <usize>last;
  return <i32>(op - dst);
}

/** Copies `n` bytes in 8-byte steps; may write up to 7 bytes past `dst + n`. */
// @ts-ignore: decorator
@inline function wildCopy(dst: usize, src: usize, n: usize): void {
  if (n > 32) {
    memory.copy(dst, src, n);
    return;
  }
  const end = dst + n;
  do {
    store<u64>(dst, load<u64>(src));
    dst += 8;
    src += 8;
  } while (dst < end);
}

/**
 * Decompresses the block of `srcLen` bytes at `src` into exactly `dstLen` bytes
 * at `dst`. Reads only `[src, src + srcLen)` and writes only `[dst, dst + dstLen)`.
 * Returns `dstLen`, or a negative LZ4_* code.
 */
export function decompressBlock(src: usize, srcLen: i32, dst: usize, dstLen: i32): i32 {
  let ip = src;
  const iend = src + <usize>srcLen;
  let op = dst;
  const oend = dst + <usize>dstLen;
  // Up to these marks 32 bytes can be read (input) or written (output), so the
  // common short copies run as fixed 8-byte moves that over-copy inside the buffers.
  const ifast = srcLen >= 32 ? iend - 32 : 0;
  const ofast = dstLen >= 32 ? oend - 32 : 0;

  // The shortcut below needs 32 readable input bytes and 48 writable output bytes.
  const ishort = srcLen >= 32 ? iend - 32 : 0;
  const oshort = dstLen >= 48 ? oend - 48 : 0;

  while (ip < iend) {
    const token = <u32>load<u8>(ip++);
    let litLen = <usize>(token >> 4);
    if (litLen < 15 && ip <= ishort && op <= oshort) {
      // Shortcut for the most common sequences (as the reference decoder has
      // it), far from both ends: literals move as 16 bytes; a match of at most
      // 18 bytes from 8 or more bytes back moves as 24. A match always follows
      // here, since the input goes on for at least 17 more bytes.
      store<u64>(op, load<u64>(ip));
      store<u64>(op + 8, load<u64>(ip + 8));
      ip += litLen;
      op += litLen;
      if ((token & 15) != 15) {
        const off = <usize>load<u16>(ip);
        if (off >= 8 && off <= op - dst) {
          ip += 2;
          const m = op - off;
          store<u64>(op, load<u64>(m));
          store<u64>(op + 8, load<u64>(m + 8));
          store<u64>(op + 16, load<u64>(m + 16));
          op += <usize>(token & 15) + <usize>MINMATCH;
          continue;
        }
      }
    } else {
      if (litLen == 15) {
        let b: u32;
        do {
          if (ip >= iend) return LZ4_TRUNCATED;
          b = load<u8>(ip++);
          litLen += b;
        } while (b == 255 && litLen <= <usize>srcLen);
      }
      if (litLen > iend - ip) return LZ4_TRUNCATED;
      if (litLen > oend - op) return LZ4_OVERRUN;
      if (litLen <= 32 && ip <= ifast && op <= ofast) {
        store<u64>(op, load<u64>(ip));
        store<u64>(op + 8, load<u64>(ip + 8));
        if (litLen > 16) {
          store<u64>(op + 16, load<u64>(ip + 16));
          store<u64>(op + 24, load<u64>(ip + 24));
        }
      } else {
        memory.copy(op, ip, litLen);
      }
      ip += litLen;
      op += litLen;
      if (ip >= iend) break; // the last sequence has literals only
    }

    if (iend - ip < 2) return LZ4_TRUNCATED;
    const offset = <usize>load<u16>(ip);
    ip += 2;
    if (offset == 0 || offset > op - dst) return LZ4_BAD_OFFSET;
    let ml = <usize>(token & 15);
    if (ml == 15) {
      let b: u32;
      do {
        if (ip >= iend) return LZ4_TRUNCATED;
        b = load<u8>(ip++);
        ml += b;
      } while (b == 255 && ml <= <usize>dstLen);
    }
    ml += <usize>MINMATCH;
    if (ml > oend - op) return LZ4_OVERRUN;
    let m = op - offset;
    const mend = op + ml;
    if (oend - mend >= 8 && (offset < ml || ml < 64)) {
      // Room for an 8-byte over-copy past the match.
      if (offset >= 8) {
        do {
          store<u64>(op, load<u64>(m));
          op += 8;
          m += 8;
        } while (op < mend);
      } else if (offset == 1) {
        memory.fill(op, load<u8>(m), ml);
      } else {
        overlapCopy(op, m, offset, mend);
      }
      op = mend;
    } else {
      // Long copy without overlap, or near the end: exact copies. [m, op)
      // repeats with period `offset`, so copying min(op - m, rest) bytes from m
      // never overlaps and doubles the copied span each time.
      while (op < mend) {
        const n = min(op - m, mend - op);
        memory.copy(op, m, n);
        op += n;
      }
    }
  }
  if (op != oend) return LZ4_SIZE_MISMATCH;
  return dstLen;
}

/**
 * Copies an overlapping match (1 < offset < 8) up to `mend`, writing at most 7
 * bytes past it (the caller checked that 8 bytes are available).
 */
// @ts-ignore: decorator
@inline function overlapCopy(op: usize, m: usize, offset: usize, mend: usize): void {
  // Bytes repeat with period `offset`; write single bytes until the distance
  // can grow to a multiple of `offset` that is >= 8, then copy 8 at a time.
  const dist = offset * ((8 + offset - 1) / offset);
  const first = op + (dist - offset);
  while (op < first) store<u8>(op++, load<u8>(m++));
  m = op - dist;
  while (op < mend) {
    store<u64>(op, load<u64>(m));
    op += 8;
    m += 8;
  }
}
