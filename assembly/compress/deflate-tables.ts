// Constant tables of DEFLATE (RFC 1951 section 3.2.5 and 3.2.7), shared by the
// decoder (inflate.ts) and the encoder (deflate.ts).

/** Base match length of length codes 257..285 (index code - 257). */
export const LEN_BASE: usize = memory.data<u16>([
  3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31,
  35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258, 0, 0, 0,
]);
/** Extra bits of length codes 257..285. */
export const LEN_EXTRA: usize = memory.data<u8>([
  0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2,
  3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0, 0, 0, 0,
]);
/** Base distance of distance codes 0..29. */
export const DIST_BASE: usize = memory.data<u16>([
  1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193,
  257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577, 0, 0,
]);
/** Extra bits of distance codes 0..29. */
export const DIST_EXTRA: usize = memory.data<u8>([
  0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6,
  7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13, 0, 0,
]);
/** Order in which a dynamic block sends the code-length code lengths. */
export const CLEN_ORDER: usize = memory.data<u8>([
  16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15,
]);

/** Literal/length symbols a block may use (286 and 287 exist only in the fixed code). */
export const NUM_LITLEN: i32 = 286;
/** Distance symbols a block may use. */
export const NUM_DIST: i32 = 30;
/** Code-length code symbols. */
export const NUM_CLEN: i32 = 19;
/** Symbol that ends a block. */
export const END_OF_BLOCK: i32 = 256;
/** Longest code of the literal/length and distance codes. */
export const MAX_CODE_LEN: i32 = 15;
/** Longest code of the code-length code. */
export const MAX_CLEN_LEN: i32 = 7;
/** Farthest distance a match may reach back. */
export const WINDOW: i32 = 32768;
/** Longest match. */
export const MAX_MATCH: i32 = 258;

/** Code length of literal/length symbol `s` in the fixed code (section 3.2.6). */
// @ts-ignore: decorator
@inline export function fixedLitLenLength(s: i32): u8 {
  return s < 144 ? 8 : s < 256 ? 9 : s < 280 ? 7 : 8;
}
