// Error codes of the gzip/DEFLATE exports (negative, as every export of the core
// returns them; src/codec/gzip.ts maps them to CodecError).

/** The input ends before the stream does. */
export const Z_TRUNCATED: i32 = -1;
/** Not a gzip member: wrong magic, method or reserved flags, or a bad header CRC. */
export const Z_BAD_HEADER: i32 = -2;
/** Block type 3, or a stored block whose length check fails. */
export const Z_BAD_BLOCK: i32 = -3;
/** A code that is over-subscribed, incomplete, or lacks an end-of-block symbol. */
export const Z_BAD_CODE: i32 = -4;
/** A symbol the code does not define, or code lengths that repeat past their count. */
export const Z_BAD_SYMBOL: i32 = -5;
/** A match reaching back before the start of the output. */
export const Z_BAD_DISTANCE: i32 = -6;
/** The data does not match the CRC-32 of the trailer. */
export const Z_BAD_CRC: i32 = -7;
/** The data does not match the length (ISIZE) of the trailer. */
export const Z_BAD_LENGTH: i32 = -8;
/** The output would pass the caller's limit. */
export const Z_TOO_LARGE: i32 = -9;
/** Bytes that are not a gzip member after the last member. */
export const Z_TRAILING: i32 = -10;
/** A negative length, a bad level, or a batch whose packing is cut short. */
export const Z_BAD_ARGUMENT: i32 = -11;
