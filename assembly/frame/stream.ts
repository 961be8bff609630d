// Length-prefixed stream framing, as flare-core's QUIC / TCP transports and our
// WebTransport stream carry frames: each frame preceded by its length as a
// 4-byte big-endian unsigned integer; length 0 ends the stream; a declared
// length over the limit (flare-core: 10 MiB) is an error.
import { E_EMPTY, E_TOO_LARGE } from "./codes";

/** Scan stopped because the buffered bytes end inside a length or a frame. */
export const SCAN_MORE: i32 = 0;
/** Scan stopped at the zero-length end-of-stream marker (consumed). */
export const SCAN_ENDED: i32 = 1;
/** Scan stopped at a declared length over the limit (not consumed). */
export const SCAN_TOO_LARGE: i32 = 2;
/** Scan stopped because `maxFrames` frames were found; call again for more. */
export const SCAN_FULL: i32 = 3;

let packFailed: i32 = -1;

/**
 * Finds the complete frames in `len` buffered bytes at `buf`. Writes to `out`
 * (i32 words): [0] bytes consumed (complete frames with their prefixes, plus
 * the end marker if reached), [1] why the scan stopped (SCAN_*), [2] the
 * declared length that stopped it (the oversize one, or the partial frame's,
 * 0 if the prefix itself is incomplete), [3] unused; then from word 4 one
 * (offset, length) pair per frame, offsets relative to `buf`. Returns the
 * number of frames (at most `maxFrames`).
 */
export function streamScan(buf: usize, len: i32, limit: i32, out: usize, maxFrames: i32): i32 {
  let p: usize = 0;
  let n = <usize>len;
  let count = 0;
  let state = SCAN_MORE;
  let declared: u32 = 0;
  while (true) {
    if (count >= maxFrames) {
      state = SCAN_FULL;
      break;
    }
    if (n - p < 4) break;
    let size = bswap<u32>(load<u32>(buf + p));
    if (size == 0) {
      p += 4;
      state = SCAN_ENDED;
      break;
    }
    if (size > <u32>limit) {
      state = SCAN_TOO_LARGE;
      declared = size;
      break;
    }
    if (<usize>size > n - p - 4) {
      declared = size;
      break;
    }
    let slot = out + 16 + (<usize>count << 3);
    store<i32>(slot, <i32>(p + 4));
    store<i32>(slot, <i32>size, 4);
    count++;
    p += 4 + <usize>size;
  }
  store<i32>(out, <i32>p);
  store<i32>(out, state, 4);
  store<u32>(out, declared, 8);
  store<i32>(out, 0, 12);
  return count;
}

/**
 * Writes the 4-byte big-endian length prefixes of `count` frames laid out in
 * `buf` with a 4-byte gap before each: `lens` holds their lengths (u32).
 * Returns the total length, or E_EMPTY (a zero length would end the stream) /
 * E_TOO_LARGE (over `limit`) for the frame `streamPackFailed()` names.
 */
export function streamPack(buf: usize, lens: usize, count: i32, limit: i32): i32 {
  let p = buf;
  packFailed = -1;
  for (let i = 0; i < count; i++) {
    let size = load<u32>(lens + (<usize>i << 2));
    if (size == 0 || size > <u32>limit) {
      packFailed = i;
      return size == 0 ? E_EMPTY : E_TOO_LARGE;
    }
    store<u32>(p, bswap<u32>(size));
    p += 4 + <usize>size;
  }
  return <i32>(p - buf);
}

/** The index of the frame that made the last streamPack call fail (-1: none). */
export function streamPackFailed(): i32 {
  return packFailed;
}
