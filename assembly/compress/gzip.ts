// gzip members (RFC 1952) around DEFLATE streams: header, CRC-32 and ISIZE.
//
// The encoder writes the smallest header (no name, no time, OS "unknown"); the
// decoder reads every optional field (FEXTRA, FNAME, FCOMMENT, FHCRC), checks
// the trailer of each member and reads members one after the other, as
// `gzip -d` does. Anything after the last member is an error.

import { crc32 } from "./crc32";
import { deflate, deflateBound } from "./deflate";
import { Z_BAD_CRC, Z_BAD_HEADER, Z_BAD_LENGTH, Z_TRAILING, Z_TRUNCATED } from "./errors";
import { inflate, inflatedLength } from "./inflate";
import { outBuf, reserveOut } from "./scratch";

const FHCRC: u32 = 2;
const FEXTRA: u32 = 4;
const FNAME: u32 = 8;
const FCOMMENT: u32 = 16;
const FRESERVED: u32 = 0xe0;
const HEADER: usize = 10;
const TRAILER: usize = 8;
/** DEFLATE cannot expand by more than 1032:1 (258 bytes from 2 bits). */
const MAX_RATIO: u64 = 1032;

/** Worst-case size of gzip() output for `len` input bytes (with slack for the bit writer). */
export function gzipBound(len: usize): usize {
  return HEADER + deflateBound(len) + TRAILER;
}

/** Writes a gzip member of the `len` bytes at `src` to `dst` (gzipBound(len) bytes); returns its size. */
export function gzip(src: usize, len: usize, dst: usize, level: i32): usize {
  store<u32>(dst, 0x00088b1f); // magic, CM = 8 (deflate), FLG = 0
  store<u32>(dst, 0, 4); // MTIME: none
  store<u8>(dst, level == 1 ? 4 : level >= 9 ? 2 : 0, 8); // XFL: fastest / maximum
  store<u8>(dst, 255, 9); // OS: unknown
  const n = deflate(src, len, dst + HEADER, level);
  const t = dst + HEADER + n;
  store<u32>(t, crc32(0, src, len));
  store<u32>(t, <u32>len, 4);
  return HEADER + n + TRAILER;
}

/** Whether the bytes at `p` (before `end`) start a gzip member. */
// @ts-ignore: decorator
@inline function isMember(p: usize, end: usize): bool {
  return end - p >= 2 && load<u16>(p) == 0x8b1f;
}

/** Size of the member header at `p`, or a negative code. */
function readHeader(p: usize, end: usize): i32 {
  const avail = end - p;
  if (avail >= 1 && load<u8>(p) != 0x1f) return Z_BAD_HEADER;
  if (avail >= 2 && load<u8>(p, 1) != 0x8b) return Z_BAD_HEADER;
  if (avail >= 3 && load<u8>(p, 2) != 8) return Z_BAD_HEADER;
  if (avail >= 4 && <u32>load<u8>(p, 3) & FRESERVED) return Z_BAD_HEADER;
  if (avail < HEADER) return Z_TRUNCATED;
  const flags = <u32>load<u8>(p, 3);
  let q = p + HEADER;
  if (flags & FEXTRA) {
    if (end - q < 2) return Z_TRUNCATED;
    const x = <usize>load<u16>(q);
    q += 2;
    if (end - q < x) return Z_TRUNCATED;
    q += x;
  }
  if (flags & FNAME) {
    while (q < end && load<u8>(q) != 0) q++;
    if (q == end) return Z_TRUNCATED;
    q++;
  }
  if (flags & FCOMMENT) {
    while (q < end && load<u8>(q) != 0) q++;
    if (q == end) return Z_TRUNCATED;
    q++;
  }
  if (flags & FHCRC) {
    if (end - q < 2) return Z_TRUNCATED;
    if ((crc32(0, p, q - p) & 0xffff) != <u32>load<u16>(q)) return Z_BAD_HEADER;
    q += 2;
  }
  return <i32>(q - p);
}

/**
 * Decodes the gzip data at `src` (`len` bytes: one member or several) into the
 * output buffer from offset `at`, at most `limit` bytes. Returns the output
 * size or a negative code.
 */
export function gunzip(src: usize, len: usize, at: usize, limit: usize): i32 {
  const end = src + len;
  // Size the output from the last ISIZE (exact for one member), within what
  // the input could possibly expand to and within the limit.
  if (len >= HEADER + TRAILER) {
    const hint = <usize>min(min(<u64>load<u32>(end - 4), <u64>limit), <u64>len * MAX_RATIO);
    reserveOut(at, at + hint + 512, at + limit + 512);
  }
  let p = src;
  let total: usize = 0;
  do {
    const h = readHeader(p, end);
    if (h < 0) return h;
    p += <usize>h;
    const c = inflate(p, end - p, at + total, limit - total);
    if (c < 0) return c;
    const n = inflatedLength;
    p += <usize>c;
    if (end - p < TRAILER) return Z_TRUNCATED;
    if (crc32(0, outBuf + at + total, n) != load<u32>(p)) return Z_BAD_CRC;
    if (<u32>n != load<u32>(p, 4)) return Z_BAD_LENGTH;
    p += TRAILER;
    total += n;
  } while (isMember(p, end));
  if (p != end) return Z_TRAILING;
  return <i32>total;
}
