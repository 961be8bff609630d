// CRC-32 as gzip uses it (RFC 1952 section 8: ISO 3309 / ITU-T V.42 polynomial,
// reflected 0xEDB88320, initial and final XOR 0xFFFFFFFF).
//
// Braided, as zlib computes it without carry-less multiply: the input is read
// as 8-byte words dealt round-robin to LANES independent CRCs, each advanced
// past the other lanes' words by its own tables, so the lanes' table lookups
// overlap instead of waiting on each other (a plain slicing-by-8 loop is bound
// by the latency of one chain). The last block folds the lanes together with
// slicing-by-8 steps. About twice the speed of slicing-by-8 in V8.
//
// Tables (16 KiB: slicing-by-8 and the braid's) live in a static segment and
// are filled on first use.

const LANES: usize = 5;
const WORD: usize = 8;
const BLOCK: usize = LANES * WORD;

/** slice[k][b]: byte b followed by k zero bytes (k = 0: the classic byte table). */
const SLICE: usize = memory.data(8 * 256 * 4, 64);
/** braid[k][b]: byte k of a word, carried past a whole block (LANES words). */
const BRAID: usize = memory.data(8 * 256 * 4, 64);
let ready = false;

function init(): void {
  for (let n: u32 = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    store<u32>(SLICE + (<usize>n << 2), c);
  }
  for (let n: usize = 0; n < 256; n++) {
    let c = load<u32>(SLICE + (n << 2));
    for (let k: usize = 1; k < 8; k++) {
      c = load<u32>(SLICE + ((<usize>c & 0xff) << 2)) ^ (c >>> 8);
      store<u32>(SLICE + (k << 10) + (n << 2), c);
    }
  }
  // braid[k][b]: the register holding byte b at byte k, run through BLOCK - k zero bytes
  // (one more word of the lane's own, then the other lanes' words).
  for (let k: usize = 0; k < WORD; k++) {
    for (let b: usize = 0; b < 256; b++) {
      let c: u64 = <u64>b << (<u64>k << 3);
      for (let i: usize = 0; i < BLOCK; i++) c = <u64>load<u32>(SLICE + ((<usize>c & 0xff) << 2)) ^ (c >> 8);
      store<u32>(BRAID + (k << 10) + (b << 2), <u32>c);
    }
  }
  ready = true;
}

// @ts-ignore: decorator
@inline function sl(k: usize, i: u32): u32 {
  return load<u32>(SLICE + (k << 10) + (<usize>i << 2));
}

// @ts-ignore: decorator
@inline function br(k: usize, i: u32): u32 {
  return load<u32>(BRAID + (k << 10) + (<usize>i << 2));
}

/** The register after the 8 bytes `lo`, `hi` (register already xored into `lo`). */
// @ts-ignore: decorator
@inline function word(lo: u32, hi: u32): u32 {
  return (
    sl(7, lo & 0xff) ^ sl(6, (lo >> 8) & 0xff) ^ sl(5, (lo >> 16) & 0xff) ^ sl(4, lo >> 24) ^
    sl(3, hi & 0xff) ^ sl(2, (hi >> 8) & 0xff) ^ sl(1, (hi >> 16) & 0xff) ^ sl(0, hi >> 24)
  );
}

/**
 * One lane's step: its word at `p` (the register `c` xored into its low half),
 * carried past the block. The high half is read byte by byte: a byte load
 * costs less than the shift and mask that would extract it.
 */
// @ts-ignore: decorator
@inline function braid(p: usize, c: u32): u32 {
  const lo = load<u32>(p) ^ c;
  return (
    br(0, lo & 0xff) ^ br(1, (lo >> 8) & 0xff) ^ br(2, (lo >> 16) & 0xff) ^ br(3, lo >> 24) ^
    br(4, load<u8>(p, 4)) ^ br(5, load<u8>(p, 5)) ^ br(6, load<u8>(p, 6)) ^ br(7, load<u8>(p, 7))
  );
}

/** Continues a CRC-32 over `len` bytes at `ptr`; start with `crc = 0`. */
export function crc32(crc: u32, ptr: usize, len: usize): u32 {
  if (!ready) init();
  let c = ~crc;
  let p = ptr;
  const end = ptr + len;
  if (len >= 2 * BLOCK) {
    // Lane 0 starts from the register, the others from zero.
    let c0: u32 = c;
    let c1: u32 = 0;
    let c2: u32 = 0;
    let c3: u32 = 0;
    let c4: u32 = 0;
    const last = end - BLOCK;
    while (p + BLOCK <= last) {
      c0 = braid(p, c0);
      c1 = braid(p + 8, c1);
      c2 = braid(p + 16, c2);
      c3 = braid(p + 24, c3);
      c4 = braid(p + 32, c4);
      p += BLOCK;
    }
    // The last block folds the lanes into one register, word by word.
    c = word(load<u32>(p) ^ c0, load<u32>(p, 4));
    c = word(load<u32>(p, 8) ^ c1 ^ c, load<u32>(p, 12));
    c = word(load<u32>(p, 16) ^ c2 ^ c, load<u32>(p, 20));
    c = word(load<u32>(p, 24) ^ c3 ^ c, load<u32>(p, 28));
    c = word(load<u32>(p, 32) ^ c4 ^ c, load<u32>(p, 36));
    p += BLOCK;
  }
  while (p + 8 <= end) {
    c = word(load<u32>(p) ^ c, load<u32>(p, 4));
    p += 8;
  }
  while (p < end) {
    c = sl(0, (c ^ <u32>load<u8>(p)) & 0xff) ^ (c >>> 8);
    p++;
  }
  return ~c;
}
