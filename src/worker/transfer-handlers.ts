/**
 * FlareError across the worker boundary. Comlink copies only `name`,
 * `message` and `stack` of a thrown error; these handlers keep `code`,
 * `details` and the `cause` chain, and turn the error back into a FlareError
 * (or CodecError) on the other side. Both sides call
 * `registerFlareTransferHandlers()` once (the worker entry and the SDK do).
 */
import { transferHandlers, type TransferHandler } from 'comlink';
import { CodecError, FlareError, type ErrorCode } from '../codec/errors.ts';

/** An error as plain, cloneable data. */
export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
  /** Present for FlareErrors. */
  code?: string;
  details?: Record<string, unknown>;
  cause?: SerializedError | { value: unknown };
}

function cloneable(value: unknown): unknown {
  try {
    return structuredClone(value);
  } catch {
    try {
      return JSON.parse(JSON.stringify(value));
    } catch {
      return String(value);
    }
  }
}

/** Turns any thrown value into cloneable data (cause chains up to `depth` deep). */
export function serializeError(e: unknown, depth = 4): SerializedError {
  if (!(e instanceof Error)) return { name: 'Error', message: String(e) };
  const out: SerializedError = { name: e.name, message: e.message };
  if (e.stack) out.stack = e.stack;
  if (e instanceof FlareError) {
    out.code = e.code;
    if (e.details) out.details = cloneable(e.details) as Record<string, unknown>;
  }
  if (e.cause !== undefined && depth > 0) {
    out.cause = e.cause instanceof Error ? serializeError(e.cause, depth - 1) : { value: cloneable(e.cause) };
  }
  return out;
}

/** Rebuilds an error from `serializeError` output: a FlareError (CodecError by name) when it had a code. */
export function deserializeError(s: SerializedError): Error {
  const cause = s.cause === undefined ? undefined : 'name' in s.cause && 'message' in s.cause ? deserializeError(s.cause as SerializedError) : (s.cause as { value: unknown }).value;
  let e: Error;
  if (s.code !== undefined) {
    const Ctor = s.name === 'CodecError' ? CodecError : FlareError;
    e = new Ctor(s.code as ErrorCode, s.message, { cause, details: s.details });
    if (s.name !== e.name) e.name = s.name;
  } else {
    e = new Error(s.message, cause === undefined ? undefined : { cause });
    e.name = s.name;
  }
  if (s.stack) e.stack = s.stack;
  return e;
}

const THROW_MARKER_KEY = 'value';

/** Replaces Comlink's 'throw' handler and adds one for FlareError values. Idempotent. */
export function registerFlareTransferHandlers(): void {
  if (transferHandlers.get('flare-error')) return;
  const builtin = transferHandlers.get('throw') as TransferHandler<{ value: unknown }, unknown>;
  const thrown: TransferHandler<{ value: unknown }, { error: SerializedError } | { other: unknown }> = {
    canHandle: (v): v is { value: unknown } => builtin.canHandle(v),
    serialize: (v) => {
      const value = v[THROW_MARKER_KEY];
      if (value instanceof Error) return [{ error: serializeError(value) }, []];
      return [{ other: value }, []];
    },
    deserialize: (s) => {
      throw 'error' in s ? deserializeError(s.error) : s.other;
    },
  };
  transferHandlers.set('throw', thrown as TransferHandler<unknown, unknown>);
  const value: TransferHandler<FlareError, SerializedError> = {
    canHandle: (v): v is FlareError => v instanceof FlareError,
    serialize: (e) => [serializeError(e), []],
    deserialize: (s) => deserializeError(s) as FlareError,
  };
  transferHandlers.set('flare-error', value as TransferHandler<unknown, unknown>);
}
