/**
 * The negative return codes of the LZ4 codecs (assembly/compress/lz4.ts and
 * lz4-api.ts, and their JavaScript twin lz4-js.ts), and their CodecErrors.
 */
import { CodecError, ErrorCode } from './errors.ts';

export const Lz4Code = {
  TRUNCATED: -1,
  BAD_OFFSET: -2,
  OVERRUN: -3,
  SIZE_MISMATCH: -4,
  TOO_LARGE: -5,
  DST_TOO_SMALL: -6,
  BAD_ARGUMENT: -7,
  IMPOSSIBLE_SIZE: -8,
} as const;
export type Lz4Code = (typeof Lz4Code)[keyof typeof Lz4Code];

const REASONS: Record<number, string> = {
  [Lz4Code.TRUNCATED]: 'input ends inside a sequence',
  [Lz4Code.BAD_OFFSET]: 'match offset is 0 or points before the output start',
  [Lz4Code.OVERRUN]: 'data decompresses past the declared size',
  [Lz4Code.SIZE_MISMATCH]: 'data ends before the declared size',
  [Lz4Code.IMPOSSIBLE_SIZE]: 'declared size is larger than the block can produce',
};

/** The CodecError for a negative code (`limit` for TOO_LARGE, `index` of a batch member). */
export function lz4Error(code: number, limit: number, index?: number): CodecError {
  if (code === Lz4Code.TOO_LARGE) {
    const e = CodecError.decompressedTooLarge(limit);
    if (index !== undefined) e.details!['index'] = index;
    return e;
  }
  if (code === Lz4Code.BAD_ARGUMENT || code === Lz4Code.DST_TOO_SMALL) {
    return new CodecError(ErrorCode.INVALID_ARGUMENT, `lz4: input too large or buffer too small (code ${code})`, {
      details: { algorithm: 'lz4', code, index },
    });
  }
  const reason = REASONS[code] ?? `code ${code}`;
  return new CodecError(ErrorCode.DECOMPRESSION_FAILED, `lz4 decompression failed: ${reason}`, {
    details: { algorithm: 'lz4', code, reason, index },
  });
}
