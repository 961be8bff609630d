/**
 * Value checks shared by the codecs: what a frame field may hold to be
 * encodable, and the errors for what it may not. Encoders call these on the
 * way through so that a bad value is a CodecError (INVALID_ARGUMENT) naming the
 * field, never a silently wrong byte.
 */
import { CodecError, ErrorCode } from './errors.ts';
import type { Metadata } from './frame-types.ts';

/** 2^64: one past the largest uint64. */
export const TWO_POW_64 = 18446744073709551616;
const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/** A CodecError (INVALID_ARGUMENT) for a frame value that cannot be encoded. */
export function invalidValue(path: string, expected: string, value: unknown): CodecError {
  const shown = typeof value === 'object' && value !== null ? Object.prototype.toString.call(value) : String(value);
  return new CodecError(ErrorCode.INVALID_ARGUMENT, `cannot encode ${path}: expected ${expected}, got ${shown}`, {
    details: { path },
  });
}

/** An enum (int32) field: any integer in int32 range, known value or not (proto3 open enums). */
export function checkEnum(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < INT32_MIN || value > INT32_MAX) {
    throw invalidValue(path, 'an int32 enum value', value);
  }
  return value;
}

/** A uint64 field as a JS number: an integer in [0, 2^64). */
export function checkUint64(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value >= TWO_POW_64) {
    throw invalidValue(path, 'an integer in [0, 2^64)', value);
  }
  return value;
}

/** A string field. */
export function checkString(value: unknown, path: string): string {
  if (typeof value !== 'string') throw invalidValue(path, 'a string', value);
  return value;
}

type WellFormed = { isWellFormed?(): boolean; toWellFormed?(): string };

/**
 * `s` with lone surrogates replaced by U+FFFD, as TextEncoder (and so every
 * protobuf codec here) writes them; JSON.stringify would escape them as
 * `\udXXX`, which flare-core's serde_json refuses.
 */
export function wellFormed(s: string): string {
  const w = s as unknown as WellFormed;
  return w.isWellFormed?.() === false ? w.toWellFormed!() : s;
}

/** A bytes field. */
export function checkBytes(value: unknown, path: string): Uint8Array {
  if (!(value instanceof Uint8Array)) throw invalidValue(path, 'a Uint8Array', value);
  return value;
}

/** A map<string, bytes> field; returns its keys (own enumerable, insertion order). */
export function checkMetadata(value: unknown, path: string): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Uint8Array) {
    throw invalidValue(path, 'a record of Uint8Array values', value);
  }
  const keys = Object.keys(value);
  for (const key of keys) {
    if (!((value as Metadata)[key] instanceof Uint8Array)) {
      throw invalidValue(`${path}[${JSON.stringify(key)}]`, 'a Uint8Array', (value as Metadata)[key]);
    }
  }
  return keys;
}
