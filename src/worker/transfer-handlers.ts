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
  const sink: TransferHandler<OneWay<never> | ((value: never) => void), MessagePort> = {
    canHandle: (v): v is OneWay<never> => typeof v === 'function' && (v as Partial<OneWay<never>>)[ONE_WAY] === true,
    serialize: (v) => {
      const fn = v as OneWay<never>;
      const { port1, port2 } = new MessageChannel();
      port1.onmessage = (e) => fn(e.data as never);
      fn.port = port1;
      return [port2, [port2]];
    },
    deserialize: (port) => postingFunction(port),
  };
  transferHandlers.set('flare-one-way', sink as TransferHandler<unknown, unknown>);
}

const ONE_WAY = Symbol.for('flare.one-way');

/** A function marked with {@link oneWay}; `port` is set once it crossed (the page's end of its channel). */
export type OneWay<T> = ((value: T) => void) & { [ONE_WAY]: true; port?: MessagePort };

/**
 * Marks `fn` to cross the worker boundary as a plain one-way channel instead
 * of a comlink proxy: the other side gets a function that posts its argument
 * (no answer message back, no proxy bookkeeping per call) and may transfer
 * buffers with it through {@link postWith}. For hot paths such as the event
 * sink; `fn.port.close()` ends it.
 */
export function oneWay<T>(fn: (value: T) => void): OneWay<T> {
  return Object.assign(fn, { [ONE_WAY]: true as const });
}

/** Far ends of one-way channels, with their port (a WeakSet/Map: asking a comlink proxy for a property would answer anything). */
const posting = new WeakMap<object, MessagePort>();

/** A function that receives what it is called with on the other end of `port`. */
function postingFunction(port: MessagePort): (value: unknown) => void {
  const fn = (value: unknown) => port.postMessage(value);
  posting.set(fn, port);
  return fn;
}

/** Calls `fn` with `value`, transferring `transfer` when `fn` is the far end of a {@link oneWay} channel (else false: call it yourself). */
export function postWith<T>(fn: (value: T) => unknown, value: T, transfer: Transferable[]): boolean {
  const port = posting.get(fn);
  if (!port) return false;
  port.postMessage(value, transfer);
  return true;
}
