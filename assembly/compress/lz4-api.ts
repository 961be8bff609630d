// LZ4 frames for Flare Web: the WASM exports (re-exported by assembly/index.ts).
//
// A frame is the decompressed size as a u32 little-endian, then one LZ4 block
// (lz4.ts). That is lz4_flex's `compress_prepend_size` layout, which the
// lz4-wasm package uses too: a Rust peer (flare-core is Rust) can read and write
// it with `lz4_flex::{compress_prepend_size, decompress_size_prepended}`. The
// size lets the decoder refuse a bomb before allocating anything (it must not
// pass the caller's limit, nor 255 x the block size, LZ4's largest ratio) and
// lets it write into an exactly sized buffer.
//
// Batches pack messages as `[u32 LE length][bytes]...` in and out; one call
// compresses or decompresses them all. Decompression writes `[i32 LE r][r bytes]`
// per message, r < 0 being that message's error code, so one bad message does
// not hide the others. All lengths are i32; a negative return is an error code.
import { blockBound, compressBlock, decompressBlock, LZ4_MAX_INPUT, LZ4_TRUNCATED } from "./lz4";

/** The declared size passes the caller's limit. */
export const LZ4_TOO_LARGE: i32 = -5;
/** The output buffer is smaller than the result. */
export const LZ4_DST_TOO_SMALL: i32 = -6;
/** A length is negative or too large. */
export const LZ4_BAD_ARGUMENT: i32 = -7;
/** The declared size cannot come from a block that small (over 255:1). */
export const LZ4_IMPOSSIBLE_SIZE: i32 = -8;

const HEADER: i32 = 4;
const MAX_RATIO: u64 = 255;

/** Worst-case size of the frame of `len` bytes, or LZ4_BAD_ARGUMENT. */
export function lz4Bound(len: i32): i32 {
  if (len < 0 || len > LZ4_MAX_INPUT) return LZ4_BAD_ARGUMENT;
  return HEADER + blockBound(len);
}

/**
 * Compresses `len` bytes at `src` into a frame at `dst` (`dstCap` bytes, at
 * least `lz4Bound(len)`). `accel` 1 is the reference's default level. Returns
 * the frame's size or a negative code.
 */
export function lz4Compress(src: usize, len: i32, dst: usize, dstCap: i32, accel: i32): i32 {
  if (len < 0 || len > LZ4_MAX_INPUT) return LZ4_BAD_ARGUMENT;
  if (dstCap < HEADER + blockBound(len)) return LZ4_DST_TOO_SMALL;
  store<u32>(dst, <u32>len);
  return HEADER + compressBlock(src, len, dst + HEADER, accel);
}

/**
 * Reads and checks a frame's header: returns the decompressed size it declares,
 * or LZ4_TRUNCATED, LZ4_TOO_LARGE (over `limit`) or LZ4_IMPOSSIBLE_SIZE.
 */
export function lz4DecompressedSize(src: usize, len: i32, limit: i32): i32 {
  if (len < HEADER) return LZ4_TRUNCATED;
  const size = load<u32>(src);
  if (<u64>size > <u64>max(limit, 0)) return LZ4_TOO_LARGE;
  if (<u64>size > <u64>(len - HEADER) * MAX_RATIO) return LZ4_IMPOSSIBLE_SIZE;
  return <i32>size;
}

/**
 * Decompresses the frame of `len` bytes at `src` into `dst` (`dstCap` bytes).
 * Returns the decompressed size, or a negative code; never writes past `dstCap`
 * and never produces more than `limit` bytes.
 */
export function lz4Decompress(src: usize, len: i32, dst: usize, dstCap: i32, limit: i32): i32 {
  const size = lz4DecompressedSize(src, len, limit);
  if (size < 0) return size;
  if (size > dstCap) return LZ4_DST_TOO_SMALL;
  return decompressBlock(src + HEADER, len - HEADER, dst, size);
}

/**
 * Output bytes `lz4CompressBatch` needs for the packed messages at `src`, or
 * LZ4_TRUNCATED when the packing is cut short, LZ4_BAD_ARGUMENT for a message
 * over LZ4_MAX_INPUT or a total past 2 GiB.
 */
export function lz4CompressBatchBound(src: usize, len: i32): i32 {
  let p = src;
  const end = src + <usize>max(len, 0);
  let total: i64 = 0;
  while (p < end) {
    if (end - p < <usize>HEADER) return LZ4_TRUNCATED;
    const n = load<u32>(p);
    p += HEADER;
    if (<u64>n > <u64>(end - p)) return LZ4_TRUNCATED;
    if (n > <u32>LZ4_MAX_INPUT) return LZ4_BAD_ARGUMENT;
    p += <usize>n;
    total += <i64>(HEADER + HEADER + blockBound(<i32>n));
    if (total > <i64>i32.MAX_VALUE) return LZ4_BAD_ARGUMENT;
  }
  return <i32>total;
}

/**
 * Compresses every message of `[u32 len][bytes]...` at `src` into
 * `[u32 len][frame]...` at `dst`. Returns the bytes written or a negative code.
 */
export function lz4CompressBatch(src: usize, len: i32, dst: usize, dstCap: i32, accel: i32): i32 {
  const need = lz4CompressBatchBound(src, len);
  if (need < 0) return need;
  if (need > dstCap) return LZ4_DST_TOO_SMALL;
  let p = src;
  const end = src + <usize>len;
  let op = dst;
  while (p < end) {
    const n = <i32>load<u32>(p);
    p += HEADER;
    const m = lz4Compress(p, n, op + HEADER, HEADER + blockBound(n), accel);
    store<u32>(op, <u32>m);
    op += <usize>(HEADER + m);
    p += <usize>n;
  }
  return <i32>(op - dst);
}

/**
 * Output bytes `lz4DecompressBatch` needs for the packed frames at `src`: 4 per
 * message plus each valid declared size (an invalid header costs only its 4).
 * LZ4_TRUNCATED when the packing is cut short, LZ4_TOO_LARGE past 2 GiB.
 */
export function lz4DecompressBatchSize(src: usize, len: i32, limit: i32): i32 {
  let p = src;
  const end = src + <usize>max(len, 0);
  let total: i64 = 0;
  while (p < end) {
    if (end - p < <usize>HEADER) return LZ4_TRUNCATED;
    const n = load<u32>(p);
    p += HEADER;
    if (<u64>n > <u64>(end - p)) return LZ4_TRUNCATED;
    const size = lz4DecompressedSize(p, <i32>n, limit);
    total += <i64>HEADER + <i64>max(size, 0);
    if (total > <i64>i32.MAX_VALUE) return LZ4_TOO_LARGE;
    p += <usize>n;
  }
  return <i32>total;
}

/**
 * Decompresses every frame of `[u32 len][frame]...` at `src` into
 * `[i32 r][r bytes]...` at `dst` (r < 0: that frame's error code, no bytes).
 * Returns the bytes written, or a negative code for the batch as a whole.
 */
export function lz4DecompressBatch(src: usize, len: i32, dst: usize, dstCap: i32, limit: i32): i32 {
  const need = lz4DecompressBatchSize(src, len, limit);
  if (need < 0) return need;
  if (need > dstCap) return LZ4_DST_TOO_SMALL;
  let p = src;
  const end = src + <usize>len;
  let op = dst;
  while (p < end) {
    const n = <i32>load<u32>(p);
    p += HEADER;
    const size = lz4DecompressedSize(p, n, limit);
    const r = size < 0 ? size : lz4Decompress(p, n, op + HEADER, size, limit);
    store<i32>(op, r);
    op += <usize>(HEADER + max(r, 0));
    p += <usize>n;
  }
  return <i32>(op - dst);
}
