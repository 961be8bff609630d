/**
 * Turns the WASM frame codec's negative returns into CodecErrors, with the
 * same codes and details the JavaScript codec gives: TRUNCATED when the input
 * ends early, MALFORMED_FRAME for everything else wrong with the bytes
 * (`details.offset` is the byte within the frame, `details.reason` names the
 * fault), FRAME_TOO_LARGE and INVALID_ARGUMENT from framing.
 */
import { CodecError, ErrorCode } from './errors.ts';
import { WasmStatus } from './wasm-frame-tape.ts';

const REASONS: Record<number, string> = {
  [WasmStatus.VARINT]: 'a varint longer than 10 bytes or over 64 bits',
  [WasmStatus.WIRE_TYPE]: 'a wire type that is invalid or wrong for its field',
  [WasmStatus.FIELD]: 'field number 0 or a key over 32 bits',
  [WasmStatus.UTF8]: 'invalid UTF-8 in a string field',
  [WasmStatus.GROUP]: 'an unexpected or mismatched end-group tag',
  [WasmStatus.NESTING]: 'groups nested too deeply',
};

/** The CodecError for a failed frame decode (`offset`: byte within the frame). */
export function decodeError(status: number, offset: number): CodecError {
  if (status === WasmStatus.TRUNCATED) {
    return CodecError.truncated(`a field runs past the end of its message at byte ${offset}`, { offset, reason: 'truncated' });
  }
  const reason = REASONS[status];
  if (reason === undefined) return internalError(status);
  return CodecError.malformed(`${reason} at byte ${offset}`, { offset, reason: reasonKey(status) });
}

function reasonKey(status: number): string {
  for (const [key, value] of Object.entries(WasmStatus)) if (value === status) return key.toLowerCase();
  return 'unknown';
}

/** A status that only a bug in the wrapper or the module can produce. */
export function internalError(status: number): CodecError {
  return new CodecError(ErrorCode.INTERNAL, `WASM frame codec returned unexpected status ${status}`, {
    details: { status },
  });
}

/** The CodecError for a frame that framing refused (`index`: which frame, `size`: its length). */
export function framingError(status: number, index: number, size: number, limit: number): CodecError {
  if (status === WasmStatus.TOO_LARGE) {
    const e = CodecError.tooLarge(size, limit);
    e.details!.index = index;
    return e;
  }
  if (status === WasmStatus.EMPTY) {
    return new CodecError(
      ErrorCode.INVALID_ARGUMENT,
      `frame ${index} is empty: a zero length marks the end of the stream`,
      { details: { index } },
    );
  }
  return internalError(status);
}
