/**
 * Builds Frame objects from the tape `frameDecodeBatch` writes (see
 * wasm-frame-tape.ts). Strings are read from WASM memory (short ASCII ones
 * without TextDecoder, metadata keys from the intern table); bytes fields are
 * views into the caller's chunks (zero-copy, as in the JavaScript codec),
 * never into WASM memory.
 */
import type { CustomCommand, Frame, Metadata, NotificationCommand, PayloadCommand, SystemCommand } from './frame-types.ts';
import { CODE_MASK, Code, FLAG_ASCII, FLAG_KEY_HIT, FLAG_KEY_MISS } from './wasm-frame-tape.ts';

const TWO_32 = 4294967296;
const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });

/** Strings up to this many ASCII bytes are built with fromCharCode (cheaper than a TextDecoder call). */
const SHORT_ASCII = 48;

function text(u8: Uint8Array, off: number, len: number, word: number): string {
  if (len === 0) return '';
  if ((word & FLAG_ASCII) !== 0 && len <= SHORT_ASCII) {
    const codes: number[] = new Array(len);
    for (let i = 0; i < len; i++) codes[i] = u8[off + i]!;
    return String.fromCharCode.apply(null, codes);
  }
  return utf8.decode(u8.subarray(off, off + len));
}

/** A metadata key: interned (built once per slot, see assembly/frame/intern.ts) or built now. */
function key(keys: string[], u8: Uint8Array, off: number, len: number, word: number): string {
  if ((word & FLAG_KEY_HIT) !== 0) return keys[word >>> 16]!;
  const s = text(u8, off, len, word);
  if ((word & FLAG_KEY_MISS) !== 0) keys[word >>> 16] = s;
  return s;
}

function meta(): Metadata {
  return Object.create(null) as Metadata;
}
/** The value of every absent bytes field: shared, and frozen (it has no elements to change). */
const NO_BYTES: Uint8Array = Object.freeze(new Uint8Array(0)) as Uint8Array;
function noBytes(): Uint8Array {
  return NO_BYTES;
}
function newSystem(): SystemCommand {
  return { type: 0, format: 0, message: '', metadata: meta(), data: noBytes(), compression: '', encryption: '' };
}
function newPayload(): PayloadCommand {
  return { type: 0, messageId: '', payload: noBytes(), metadata: meta(), seq: 0 };
}
function newNotification(): NotificationCommand {
  return { type: 0, title: '', content: noBytes(), metadata: meta() };
}
function newCustom(): CustomCommand {
  return { name: '', data: noBytes(), metadata: meta() };
}

/**
 * Builds one Frame from tape words `t[i, end)`. `chunk` is the caller's input,
 * copied to WASM address `base` (tape offsets are WASM addresses); `keys`
 * holds the interned metadata keys.
 */
export function walk(t: Int32Array, i: number, end: number, u8: Uint8Array, chunk: Uint8Array, base: number, keys: string[]): Frame {
  const f: Frame = { command: null, messageId: '', reliability: 0, timestamp: 0, metadata: meta() };
  // The current oneof member; a later record of the same case merges into it.
  let s = null as unknown as SystemCommand;
  let p = null as unknown as PayloadCommand;
  let n = null as unknown as NotificationCommand;
  let c = null as unknown as CustomCommand;
  while (i < end) {
    const w = t[i]!;
    const a = t[i + 1]!;
    const b = t[i + 2]!;
    switch (w & CODE_MASK) {
      case Code.MESSAGE_ID: f.messageId = text(u8, a, b, w); i += 3; break;
      case Code.RELIABILITY: f.reliability = a; i += 2; break;
      case Code.TIMESTAMP: f.timestamp = (a >>> 0) + (b >>> 0) * TWO_32; i += 3; break;
      case Code.METADATA: f.metadata[key(keys, u8, a, b, w)] = chunk.subarray(t[i + 3]! - base, t[i + 3]! - base + t[i + 4]!); i += 5; break;

      case Code.SYSTEM:
        if (f.command?.case !== 'system') f.command = { case: 'system', value: (s = newSystem()) };
        i += 1;
        break;
      case Code.SYSTEM_TYPE: s.type = a; i += 2; break;
      case Code.SYSTEM_FORMAT: s.format = a; i += 2; break;
      case Code.SYSTEM_MESSAGE: s.message = text(u8, a, b, w); i += 3; break;
      case Code.SYSTEM_METADATA: s.metadata[key(keys, u8, a, b, w)] = chunk.subarray(t[i + 3]! - base, t[i + 3]! - base + t[i + 4]!); i += 5; break;
      case Code.SYSTEM_DATA: s.data = chunk.subarray(a - base, a - base + b); i += 3; break;
      case Code.SYSTEM_COMPRESSION: s.compression = text(u8, a, b, w); i += 3; break;
      case Code.SYSTEM_ENCRYPTION: s.encryption = text(u8, a, b, w); i += 3; break;

      case Code.PAYLOAD:
        if (f.command?.case !== 'payload') f.command = { case: 'payload', value: (p = newPayload()) };
        i += 1;
        break;
      case Code.PAYLOAD_TYPE: p.type = a; i += 2; break;
      case Code.PAYLOAD_MESSAGE_ID: p.messageId = text(u8, a, b, w); i += 3; break;
      case Code.PAYLOAD_PAYLOAD: p.payload = chunk.subarray(a - base, a - base + b); i += 3; break;
      case Code.PAYLOAD_METADATA: p.metadata[key(keys, u8, a, b, w)] = chunk.subarray(t[i + 3]! - base, t[i + 3]! - base + t[i + 4]!); i += 5; break;
      case Code.PAYLOAD_SEQ: p.seq = (a >>> 0) + (b >>> 0) * TWO_32; i += 3; break;

      case Code.NOTIFICATION:
        if (f.command?.case !== 'notification') f.command = { case: 'notification', value: (n = newNotification()) };
        i += 1;
        break;
      case Code.NOTIFICATION_TYPE: n.type = a; i += 2; break;
      case Code.NOTIFICATION_TITLE: n.title = text(u8, a, b, w); i += 3; break;
      case Code.NOTIFICATION_CONTENT: n.content = chunk.subarray(a - base, a - base + b); i += 3; break;
      case Code.NOTIFICATION_METADATA: n.metadata[key(keys, u8, a, b, w)] = chunk.subarray(t[i + 3]! - base, t[i + 3]! - base + t[i + 4]!); i += 5; break;

      case Code.CUSTOM:
        if (f.command?.case !== 'custom') f.command = { case: 'custom', value: (c = newCustom()) };
        i += 1;
        break;
      case Code.CUSTOM_NAME: c.name = text(u8, a, b, w); i += 3; break;
      case Code.CUSTOM_DATA: c.data = chunk.subarray(a - base, a - base + b); i += 3; break;
      case Code.CUSTOM_METADATA: c.metadata[key(keys, u8, a, b, w)] = chunk.subarray(t[i + 3]! - base, t[i + 3]! - base + t[i + 4]!); i += 5; break;

      default:
        throw new Error(`WASM frame tape: unknown record ${w}`); // a bug, not bad input
    }
  }
  return f;
}

