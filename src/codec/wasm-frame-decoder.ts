/**
 * Batch protobuf decoding through the WASM core: the chunks are copied into
 * WASM memory once, one `frame_decode_batch` call parses all of them into a
 * tape (see wasm-frame-tape.ts), and this file walks the tape to build the
 * Frame objects. Strings are read from WASM memory (ASCII without
 * TextDecoder); bytes fields are views into the caller's chunks (zero-copy,
 * as in the JavaScript codec), never into WASM memory.
 */
import type { FlareError } from './errors.ts';
import type { CustomCommand, Frame, Metadata, NotificationCommand, PayloadCommand, SystemCommand } from './frame-types.ts';
import { invalidValue } from './frame-checks.ts';
import type { WasmCore } from './wasm-core.ts';
import { decodeError } from './wasm-frame-errors.ts';
import { CODE_MASK, Code, FLAG_ASCII, FLAG_KEY_HIT, FLAG_KEY_MISS, INTERN_BYTES, INTERN_SLOTS, type FrameExports } from './wasm-frame-tape.ts';
import { WasmRegion, WasmViews } from './wasm-region.ts';

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
function walk(t: Int32Array, i: number, end: number, u8: Uint8Array, chunk: Uint8Array, base: number, keys: string[]): Frame {
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

const NO_INPUT = new Uint8Array(0);

/** Decodes protobuf frames in batches through one WASM core. Not reentrant (nothing here is async). */
export class WasmFrameDecoder {
  readonly #x: FrameExports;
  readonly #views: WasmViews;
  readonly #input: WasmRegion;
  readonly #spans: WasmRegion;
  readonly #results: WasmRegion;
  readonly #tape: WasmRegion;
  /** The metadata-key intern table in WASM memory, and the strings of its slots. */
  readonly #keyTable: WasmRegion;
  #keyTableGeneration = 0;
  readonly #keys: string[] = new Array<string>(INTERN_SLOTS).fill('');

  constructor(core: WasmCore) {
    this.#x = core.exports as unknown as FrameExports;
    this.#views = new WasmViews(core);
    this.#input = new WasmRegion(core);
    this.#spans = new WasmRegion(core);
    this.#results = new WasmRegion(core);
    this.#tape = new WasmRegion(core);
    this.#keyTable = new WasmRegion(core);
  }

  /** The WASM buffers this decoder holds (for freeing). */
  get regions(): readonly WasmRegion[] {
    return [this.#input, this.#spans, this.#results, this.#tape, this.#keyTable];
  }

  /** Decodes each chunk; a chunk that fails yields its CodecError in its slot. */
  decodeBatch(chunks: readonly Uint8Array[]): Array<Frame | FlareError> {
    const count = chunks.length;
    const out: Array<Frame | FlareError> = new Array(count);
    if (count === 0) return out;
    let total = 0;
    for (let k = 0; k < count; k++) {
      const chunk = chunks[k];
      if (chunk instanceof Uint8Array) total += chunk.length;
    }
    const input = this.#input.reserve(total + 1);
    const spans = this.#spans.reserve(count * 8);
    const results = this.#results.reserve(count * 8);
    if (this.#tape.size < 4096) this.#tape.reserve(4096);
    const keyTable = this.#keyTable.reserve(INTERN_BYTES);
    this.#views.refresh();
    if (this.#keyTable.generation !== this.#keyTableGeneration) {
      // A new table (first use, or after the regions were released): empty on both sides.
      this.#views.u8.fill(0, keyTable, keyTable + INTERN_BYTES);
      this.#keys.fill('');
      this.#keyTableGeneration = this.#keyTable.generation;
    }
    const u8 = this.#views.u8;
    let i32 = this.#views.i32;
    const inputs = chunks as readonly unknown[];
    for (let k = 0, at = input; k < count; k++) {
      const chunk = inputs[k];
      let bytes: Uint8Array = NO_INPUT;
      if (chunk instanceof Uint8Array) bytes = chunk;
      else out[k] = invalidValue(`chunks[${k}]`, 'a Uint8Array', chunk);
      u8.set(bytes, at);
      i32[(spans >> 2) + 2 * k] = at;
      i32[(spans >> 2) + 2 * k + 1] = bytes.length;
      at += bytes.length;
    }
    let done = 0;
    while (done < count) {
      const tape = this.#tape;
      const got = this.#x.frame_decode_batch(spans + 8 * done, count - done, tape.ptr, tape.size, results + 8 * done, keyTable);
      if (got === 0) {
        // Not even one frame fits: grow to its worst case (a 20-byte record per 2 input bytes).
        const len = i32[(spans >> 2) + 2 * done + 1]!;
        tape.reserve(Math.max(tape.size * 2, len * 10 + 64));
        this.#views.refresh();
        i32 = this.#views.i32;
        continue;
      }
      const t = i32;
      const tape0 = tape.ptr >> 2;
      let from = tape0;
      for (let k = done, stop = done + got; k < stop; k++) {
        if (out[k] !== undefined) continue;
        const status = t[(results >> 2) + 2 * k]!;
        const word = t[(results >> 2) + 2 * k + 1]!;
        if (status !== 0) {
          out[k] = decodeError(status, word);
          continue;
        }
        const to = tape0 + word;
        out[k] = walk(t, from, to, this.#views.u8, chunks[k]!, t[(spans >> 2) + 2 * k]!, this.#keys);
        from = to;
      }
      done += got;
    }
    this.#input.trim(total);
    this.#tape.trim(total * 2);
    return out;
  }

  /** Decodes one frame; throws its CodecError. */
  decode(bytes: Uint8Array): Frame {
    if (!(bytes instanceof Uint8Array)) throw invalidValue('bytes', 'a Uint8Array', bytes);
    const result = this.decodeBatch([bytes])[0]!;
    if (result instanceof Error) throw result;
    return result;
  }
}
