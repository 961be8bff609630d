// gzip for Flare Web: the WASM exports (re-exported by assembly/index.ts).
//
// The JS side copies input into `gzipInput(size)`, makes one call, and copies
// the result out of `gzipOutput()` before the next call (both buffers are the
// module's own and are reused). Batches pack messages as `[u32 LE length]
// [bytes]...`; compression writes `[u32 len][member]...`, decompression writes
// `[i32 r][r bytes]...` with r < 0 the error code of that message, so one bad
// message does not hide the others. Every export returns a byte count or a
// negative code from errors.ts, whatever the input.

import { crc32 } from "./crc32";
import { DEFLATE_MAX_INPUT } from "./deflate";
import { Z_BAD_ARGUMENT } from "./errors";
import { gunzip, gzip, gzipBound } from "./gzip";
import { inputArea, outBuf, releaseScratch, reserveOut, startOut } from "./scratch";

const PREFIX: usize = 4;

/** An input area of at least `size` bytes for the next call (valid until the next gzipInput). */
export function gzipInput(size: i32): usize {
  if (size < 0) return 0;
  return inputArea(<usize>max(size, 1));
}

/** Where the last call wrote its result. */
export function gzipOutput(): usize {
  return outBuf;
}

/** Frees the module's gzip buffers (they come back on the next call). */
export function gzipRelease(): void {
  releaseScratch();
}

/** CRC-32 (as gzip computes it) of `len` bytes at `src`. */
export function gzipCrc32(src: usize, len: i32): u32 {
  return len > 0 ? crc32(0, src, <usize>len) : 0;
}

/**
 * Compresses `len` bytes at `src` into one gzip member at gzipOutput().
 * Level 0 (stored) .. 9; 1 is the fast default for realtime frames.
 */
export function gzipCompress(src: usize, len: i32, level: i32): i32 {
  if (len < 0 || <usize>len > DEFLATE_MAX_INPUT || level < 0 || level > 9) return Z_BAD_ARGUMENT;
  startOut(gzipBound(<usize>len));
  return <i32>gzip(src, <usize>len, outBuf, level);
}

/**
 * Decompresses the gzip data (one or more members) of `len` bytes at `src`
 * into gzipOutput(); fails with Z_TOO_LARGE past `limit` output bytes.
 */
export function gzipDecompress(src: usize, len: i32, limit: i32): i32 {
  if (len < 0 || limit < 0) return Z_BAD_ARGUMENT;
  startOut(min(<usize>len * 4, <usize>limit) + 1024);
  return gunzip(src, <usize>len, 0, <usize>limit);
}

/** Walks a `[u32 len][bytes]...` packing; returns the sum of f(len) over messages, or a negative code. */
function packedTotal(src: usize, len: i32, bound: bool): i64 {
  let p = src;
  const end = src + <usize>len;
  let total: i64 = 0;
  while (p < end) {
    if (end - p < PREFIX) return Z_BAD_ARGUMENT;
    const n = <usize>load<u32>(p);
    p += PREFIX;
    if (n > end - p) return Z_BAD_ARGUMENT;
    p += n;
    total += <i64>PREFIX + <i64>(bound ? gzipBound(n) : min(n * 4, 1 << 20));
  }
  return total;
}

/** Compresses every message of `[u32 len][bytes]...` at `src` into `[u32 len][member]...`. */
export function gzipCompressBatch(src: usize, len: i32, level: i32): i32 {
  if (len < 0 || level < 0 || level > 9) return Z_BAD_ARGUMENT;
  const need = packedTotal(src, len, true);
  if (need < 0) return <i32>need;
  if (need > <i64>DEFLATE_MAX_INPUT) return Z_BAD_ARGUMENT;
  startOut(<usize>need);
  let p = src;
  const end = src + <usize>len;
  let at: usize = 0;
  while (p < end) {
    const n = <usize>load<u32>(p);
    p += PREFIX;
    const m = gzip(p, n, outBuf + at + PREFIX, level);
    store<u32>(outBuf + at, <u32>m);
    at += PREFIX + m;
    p += n;
  }
  return <i32>at;
}

/**
 * Decompresses every message of `[u32 len][gzip]...` at `src` into
 * `[i32 r][r bytes]...`, each message at most `limit` bytes.
 */
export function gzipDecompressBatch(src: usize, len: i32, limit: i32): i32 {
  if (len < 0 || limit < 0) return Z_BAD_ARGUMENT;
  const guess = packedTotal(src, len, false);
  if (guess < 0) return <i32>guess;
  startOut(<usize>min(guess, 1 << 26) + 1024);
  let p = src;
  const end = src + <usize>len;
  let at: usize = 0;
  while (p < end) {
    const n = <usize>load<u32>(p);
    p += PREFIX;
    reserveOut(at, at + PREFIX + 1024, at + PREFIX + <usize>limit + 1024);
    const r = gunzip(p, n, at + PREFIX, <usize>limit);
    store<i32>(outBuf + at, r);
    at += PREFIX + <usize>max(r, 0);
    if (at > <usize>i32.MAX_VALUE - 1024) return Z_BAD_ARGUMENT;
    p += n;
  }
  return <i32>at;
}
