// CRC-32 as gzip uses it (RFC 1952 section 8: ISO 3309 / ITU-T V.42 polynomial,
// reflected 0xEDB88320, initial and final XOR 0xFFFFFFFF).
//
// Slicing-by-8: eight 256-entry tables let the main loop fold 8 input bytes per
// step with independent lookups (about 5x the byte-at-a-time loop in V8). The
// 8 KiB of tables live in a static segment and are filled on first use.

const TABLES: usize = memory.data(8 * 256 * 4, 64);
let ready = false;

function init(): void {
  for (let n: u32 = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    store<u32>(TABLES + (<usize>n << 2), c);
  }
  for (let n: usize = 0; n < 256; n++) {
    let c = load<u32>(TABLES + (n << 2));
    for (let k: usize = 1; k < 8; k++) {
      c = load<u32>(TABLES + ((<usize>c & 0xff) << 2)) ^ (c >>> 8);
      store<u32>(TABLES + (k << 10) + (n << 2), c);
    }
  }
  ready = true;
}

// @ts-ignore: decorator
@inline function t(k: usize, i: u32): u32 {
  return load<u32>(TABLES + (k << 10) + ((<usize>i & 0xff) << 2));
}

/** Continues a CRC-32 over `len` bytes at `ptr`; start with `crc = 0`. */
export function crc32(crc: u32, ptr: usize, len: usize): u32 {
  if (!ready) init();
  let c = ~crc;
  const end = ptr + len;
  while (ptr + 8 <= end) {
    const a = load<u32>(ptr) ^ c;
    const b = load<u32>(ptr, 4);
    c =
      t(7, a) ^ t(6, a >>> 8) ^ t(5, a >>> 16) ^ t(4, a >>> 24) ^
      t(3, b) ^ t(2, b >>> 8) ^ t(1, b >>> 16) ^ t(0, b >>> 24);
    ptr += 8;
  }
  while (ptr < end) {
    c = t(0, c ^ <u32>load<u8>(ptr)) ^ (c >>> 8);
    ptr++;
  }
  return ~c;
}
