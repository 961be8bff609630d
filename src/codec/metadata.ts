/**
 * Helpers for flare-core's `map<string, bytes>` metadata.
 *
 * Metadata records are null-prototype objects, so keys such as `__proto__` or
 * `constructor` from untrusted input are plain keys and never reach
 * `Object.prototype`. Values are bytes; flare-core puts UTF-8 text in them
 * (`format`, `user_id`, `token`, `platform`, ...).
 */
import type { Metadata } from './frame-types.ts';
import { utf8Bytes, utf8Text } from './utf8.ts';

/** A new, empty, null-prototype metadata record. */
export function emptyMetadata(): Metadata {
  // Measured in Chromium: cheaper overall than a fast-properties null-prototype
  // object (Object.setPrototypeOf({}, null)), whose creation costs more than it saves.
  return Object.create(null) as Metadata;
}

/**
 * Builds a metadata record from string or byte values (strings are UTF-8
 * encoded). Accepts a plain object, a Map, or an iterable of entries.
 */
export function textMeta(
  entries: Readonly<Record<string, string | Uint8Array>> | Iterable<readonly [string, string | Uint8Array]>,
): Metadata {
  const out = emptyMetadata();
  const list = Symbol.iterator in entries
    ? (entries as Iterable<readonly [string, string | Uint8Array]>)
    : Object.entries(entries as Record<string, string | Uint8Array>);
  for (const [key, value] of list) out[key] = typeof value === 'string' ? utf8Bytes(value) : value;
  return out;
}

/** The UTF-8 text of one metadata value, or undefined when the key is absent. */
export function metaText(meta: Metadata, key: string): string | undefined {
  if (!Object.prototype.hasOwnProperty.call(meta, key)) return undefined;
  return utf8Text(meta[key]!);
}

/** Every metadata value decoded as UTF-8 text, in a null-prototype record. */
export function metadataToText(meta: Metadata): Record<string, string> {
  const out = Object.create(null) as Record<string, string>;
  for (const key of Object.keys(meta)) out[key] = utf8Text(meta[key]!);
  return out;
}

/** Number of entries in a metadata record. */
export function metadataSize(meta: Metadata): number {
  return Object.keys(meta).length;
}

/** Whether two metadata records hold the same keys with byte-equal values. */
export function metadataEquals(a: Metadata, b: Metadata): boolean {
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (const key of keys) {
    if (!Object.prototype.hasOwnProperty.call(b, key)) return false;
    if (!bytesEqual(a[key]!, b[key]!)) return false;
  }
  return true;
}

/** Byte-wise equality of two arrays. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
