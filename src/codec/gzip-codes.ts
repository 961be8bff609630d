/**
 * The negative return codes of the gzip exports (assembly/compress/errors.ts),
 * shared by the JavaScript fallback (gzip-js.ts), and their CodecErrors.
 */
import { CodecError, ErrorCode } from './errors.ts';

export const GzipCode = {
  TRUNCATED: -1,
  BAD_HEADER: -2,
  BAD_BLOCK: -3,
  BAD_CODE: -4,
  BAD_SYMBOL: -5,
  BAD_DISTANCE: -6,
  BAD_CRC: -7,
  BAD_LENGTH: -8,
  TOO_LARGE: -9,
  TRAILING: -10,
  BAD_ARGUMENT: -11,
} as const;
export type GzipCode = (typeof GzipCode)[keyof typeof GzipCode];

const REASONS: Record<number, string> = {
  [GzipCode.TRUNCATED]: 'input ends before the stream does',
  [GzipCode.BAD_HEADER]: 'not a gzip member (magic, method, flags or header CRC)',
  [GzipCode.BAD_BLOCK]: 'invalid block type or stored block length',
  [GzipCode.BAD_CODE]: 'invalid Huffman code (over-subscribed, incomplete or no end-of-block)',
  [GzipCode.BAD_SYMBOL]: 'invalid symbol or code-length repeat',
  [GzipCode.BAD_DISTANCE]: 'match distance reaches before the start of the data',
  [GzipCode.BAD_CRC]: 'CRC-32 mismatch',
  [GzipCode.BAD_LENGTH]: 'length (ISIZE) mismatch',
  [GzipCode.TRAILING]: 'unexpected bytes after the last member',
};

/** The CodecError for a negative code (`limit` for TOO_LARGE, `index` of a batch member). */
export function gzipError(code: number, limit: number, index?: number): CodecError {
  if (code === GzipCode.TOO_LARGE) {
    const e = CodecError.decompressedTooLarge(limit);
    e.details!['algorithm'] = 'gzip';
    if (index !== undefined) e.details!['index'] = index;
    return e;
  }
  if (code === GzipCode.BAD_ARGUMENT) {
    return new CodecError(ErrorCode.INVALID_ARGUMENT, `gzip: input too large or bad argument (code ${code})`, {
      details: { algorithm: 'gzip', code, index },
    });
  }
  const reason = REASONS[code] ?? `code ${code}`;
  return new CodecError(ErrorCode.DECOMPRESSION_FAILED, `gzip decompression failed: ${reason}`, {
    details: { algorithm: 'gzip', code, reason, index },
  });
}
