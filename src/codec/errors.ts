/**
 * The one error hierarchy of Flare Web. Every failure the library reports is a
 * `FlareError` with a string-literal `code`; the worker boundary keeps `code`,
 * `cause` and `details` intact (see worker/transfer-handlers.ts).
 */

/** Every error code, grouped by where it arises. */
export const ErrorCode = {
  // codec
  MALFORMED_FRAME: 'malformed_frame',
  TRUNCATED: 'truncated',
  FRAME_TOO_LARGE: 'frame_too_large',
  UNSUPPORTED: 'unsupported',
  INVALID_ARGUMENT: 'invalid_argument',
  DECOMPRESSION_FAILED: 'decompression_failed',
  DECOMPRESSED_TOO_LARGE: 'decompressed_too_large',
  WASM_UNAVAILABLE: 'wasm_unavailable',
  WASM_ABORT: 'wasm_abort',
  // connection and session
  CONNECT_TIMEOUT: 'connect_timeout',
  TRANSPORT_CLOSED: 'transport_closed',
  TRANSPORT_UNAVAILABLE: 'transport_unavailable',
  AUTH_FAILED: 'auth_failed',
  KICKED: 'kicked',
  HANDSHAKE_FAILED: 'handshake_failed',
  RATE_LIMITED: 'rate_limited',
  // messaging and RPC
  MESSAGE_EXPIRED: 'message_expired',
  QUEUE_FULL: 'queue_full',
  REQUEST_TIMEOUT: 'request_timeout',
  ABORTED: 'aborted',
  UNKNOWN_METHOD: 'unknown_method',
  REMOTE_ERROR: 'remote_error',
  NOT_CONNECTED: 'not_connected',
  INVALID_STATE: 'invalid_state',
  /** Refused by a server middleware (`processRequest` returned null). */
  INTERCEPTED: 'intercepted',
  /** A shared service (the server's Redis broker) is unreachable for now; retry later. */
  UNAVAILABLE: 'unavailable',
  INTERNAL: 'internal',
  // calls
  /** Camera / microphone capture or the media connection failed (ICE restart, Agora SDK, ...). */
  MEDIA_FAILED: 'media_failed',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export interface FlareErrorOptions {
  cause?: unknown;
  /** Structured, cloneable facts about the failure (offsets, limits, ids). */
  details?: Record<string, unknown>;
}

/** Base class of every error Flare Web throws or reports. */
export class FlareError extends Error {
  override name = 'FlareError';
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options: FlareErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details;
  }

  /** Whether `e` is a FlareError, optionally with the given code. */
  static is(e: unknown, code?: ErrorCode): e is FlareError {
    return e instanceof FlareError && (code === undefined || e.code === code);
  }
}

/** Errors from decoding, encoding, framing and compression. */
export class CodecError extends FlareError {
  override name = 'CodecError';

  static malformed(what: string, details?: Record<string, unknown>): CodecError {
    return new CodecError(ErrorCode.MALFORMED_FRAME, `malformed frame: ${what}`, { details });
  }
  static truncated(what: string, details?: Record<string, unknown>): CodecError {
    return new CodecError(ErrorCode.TRUNCATED, `truncated input: ${what}`, { details });
  }
  static tooLarge(size: number, limit: number): CodecError {
    return new CodecError(ErrorCode.FRAME_TOO_LARGE, `frame of ${size} bytes exceeds the limit of ${limit} bytes`, {
      details: { size, limit },
    });
  }
  static decompressedTooLarge(limit: number): CodecError {
    return new CodecError(ErrorCode.DECOMPRESSED_TOO_LARGE, `decompressed data exceeds the limit of ${limit} bytes`, {
      details: { limit },
    });
  }
  static decompressionFailed(algorithm: string, why: string): CodecError {
    return new CodecError(ErrorCode.DECOMPRESSION_FAILED, `${algorithm} decompression failed: ${why}`, {
      details: { algorithm },
    });
  }
}
