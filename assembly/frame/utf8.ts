// Strict UTF-8 validation: well-formed sequences as in the Unicode Standard,
// Table 3-7 (no overlongs, no surrogates, nothing above U+10FFFF), which is what
// TextDecoder's fatal mode and prost accept.

/** `len` bytes at `p` are invalid UTF-8. */
export const UTF8_INVALID: i32 = 0;
/** Valid and pure ASCII. */
export const UTF8_ASCII: i32 = 1;
/** Valid, with multi-byte sequences. */
export const UTF8_VALID: i32 = 2;

/** Classifies `len` bytes at `p` (the caller checked they are in bounds). */
export function utf8Check(p: usize, len: usize): i32 {
  let end = p + len;
  // ASCII runs 8 bytes at a time: the common case (ids, keys, names).
  while (p + 8 <= end) {
    if ((load<u64>(p) & 0x8080808080808080) != 0) break;
    p += 8;
  }
  while (p < end && load<u8>(p) < 0x80) p++;
  if (p == end) return UTF8_ASCII;
  return utf8Rest(p, end) ? UTF8_VALID : UTF8_INVALID;
}

@inline function cont(b: u32): bool {
  return (b & 0xc0) == 0x80;
}

function utf8Rest(p: usize, end: usize): bool {
  while (p < end) {
    let b = <u32>load<u8>(p);
    if (b < 0x80) {
      p++;
      continue;
    }
    if (b < 0xc2) return false; // continuation byte or overlong 2-byte lead
    if (b < 0xe0) {
      if (end - p < 2 || !cont(load<u8>(p + 1))) return false;
      p += 2;
    } else if (b < 0xf0) {
      if (end - p < 3) return false;
      let c1 = <u32>load<u8>(p + 1);
      let lo: u32 = b == 0xe0 ? 0xa0 : 0x80; // overlong
      let hi: u32 = b == 0xed ? 0x9f : 0xbf; // surrogates
      if (c1 < lo || c1 > hi || !cont(load<u8>(p + 2))) return false;
      p += 3;
    } else if (b < 0xf5) {
      if (end - p < 4) return false;
      let c1 = <u32>load<u8>(p + 1);
      let lo: u32 = b == 0xf0 ? 0x90 : 0x80; // overlong
      let hi: u32 = b == 0xf4 ? 0x8f : 0xbf; // above U+10FFFF
      if (c1 < lo || c1 > hi || !cont(load<u8>(p + 2)) || !cont(load<u8>(p + 3))) return false;
      p += 4;
    } else return false;
  }
  return true;
}
