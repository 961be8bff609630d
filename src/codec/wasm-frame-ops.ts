/**
 * The encode tape writer of the WASM frame codec: walks Frame objects,
 * checks every value, and writes ops (see wasm-frame-tape.ts) plus a data
 * area straight into WASM memory: string contents by a short ASCII loop or
 * TextEncoder.encodeInto, bytes by `set`. Bytes values of EXTERNAL_BYTES or
 * more are not copied in: their ops carry FLAG_EXTERNAL and the encoder fills
 * them into the output afterwards (one copy instead of three).
 */
import type { Command, Frame, Metadata } from './frame-types.ts';
import { checkEnum, checkUint64, invalidValue } from './frame-checks.ts';
import type { WasmCore } from './wasm-core.ts';
import { Code, FLAG_EXTERNAL } from './wasm-frame-tape.ts';
import { WasmRegion, WasmViews } from './wasm-region.ts';

const TWO_32 = 4294967296;
const encoder = new TextEncoder();
/** Strings up to this many characters are tried as ASCII with a plain loop. */
const SHORT = 64;
/** Bytes values from this size on stay outside WASM memory (see FLAG_EXTERNAL). */
export const EXTERNAL_BYTES = 2048;

/** Writes the encode tape and data area for a batch of frames. Not reentrant. */
export class EncodeTape {
  readonly #views: WasmViews;
  readonly tape: WasmRegion;
  readonly data: WasmRegion;
  readonly #externalMin: number;
  /** Current views and write positions (tape: words from the tape start; data: bytes from its start). */
  #t: Int32Array;
  #u8: Uint8Array;
  #t0 = 0;
  #tEnd = 0;
  #ti = 0;
  #d0 = 0;
  #dEnd = 0;
  #dp = 0;
  /** External bytes values in output order, the tape words (from the start) WASM stores their offsets in, their total size. */
  readonly blobs: Uint8Array[] = [];
  readonly blobOps: number[] = [];
  external = 0;

  constructor(core: WasmCore, views: WasmViews, externalMin = EXTERNAL_BYTES) {
    this.#views = views;
    this.tape = new WasmRegion(core);
    this.data = new WasmRegion(core);
    this.#externalMin = externalMin;
    this.#t = views.i32;
    this.#u8 = views.u8;
  }

  /** Tape words written. */
  get words(): number {
    return this.#ti;
  }

  /** Data bytes written. */
  get dataBytes(): number {
    return this.#dp;
  }

  /** Empties the tape for a new batch. */
  begin(): void {
    if (this.tape.size === 0) this.tape.reserve(16384);
    if (this.data.size === 0) this.data.reserve(65536);
    this.#ti = 0;
    this.#dp = 0;
    this.blobs.length = 0;
    this.blobOps.length = 0;
    this.external = 0;
    this.#renew();
  }

  #renew(): void {
    this.#views.refresh();
    this.#t = this.#views.i32;
    this.#u8 = this.#views.u8;
    this.#t0 = this.tape.ptr >> 2;
    this.#tEnd = this.tape.size >> 2;
    this.#d0 = this.data.ptr;
    this.#dEnd = this.data.size;
  }

  /** Makes room for `words` more tape words. */
  #words(words: number): number {
    if (this.#ti + words > this.#tEnd) {
      this.tape.grow((this.#ti + words) * 4, this.#ti * 4);
      this.#renew();
    }
    return this.#t0 + this.#ti;
  }

  /** Makes room for `bytes` more data bytes; returns the absolute write address. */
  #room(bytes: number): number {
    if (this.#dp + bytes > this.#dEnd) {
      this.data.grow(this.#dp + bytes, this.#dp);
      this.#renew();
    }
    return this.#d0 + this.#dp;
  }

  /** Copies a string's UTF-8 into the data area; returns its offset (length in #len). */
  #len = 0;
  #text(s: string): number {
    const n = s.length;
    const at = this.#room(n * 3);
    const u8 = this.#u8;
    let written = -1;
    if (n <= SHORT) {
      let i = 0;
      for (; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        u8[at + i] = c;
      }
      if (i === n) written = n;
    }
    if (written < 0) written = encoder.encodeInto(s, u8.subarray(at, at + n * 3)).written;
    const off = this.#dp;
    this.#dp += written;
    this.#len = written;
    return off;
  }

  #bytes(b: Uint8Array): number {
    const at = this.#room(b.length);
    this.#u8.set(b, at);
    const off = this.#dp;
    this.#dp += b.length;
    return off;
  }

  #str(code: number, value: unknown, path: string): void {
    if (typeof value !== 'string') throw invalidValue(path, 'a string', value);
    if (value.length === 0) return;
    const off = this.#text(value);
    const w = this.#words(3);
    const t = this.#t;
    t[w] = code;
    t[w + 1] = off;
    t[w + 2] = this.#len;
    this.#ti += 3;
  }

  #blob(code: number, value: unknown, path: string): void {
    if (!(value instanceof Uint8Array)) throw invalidValue(path, 'a Uint8Array', value);
    if (value.length === 0) return;
    const w = this.#words(3);
    let off = 0;
    if (value.length >= this.#externalMin) {
      code |= FLAG_EXTERNAL;
      this.#externalOp(value, this.#ti + 1);
    } else off = this.#bytes(value);
    const t = this.#t;
    t[w] = code;
    t[w + 1] = off;
    t[w + 2] = value.length;
    this.#ti += 3;
  }

  #externalOp(value: Uint8Array, word: number): void {
    this.blobs.push(value);
    this.blobOps.push(word);
    this.external += value.length;
  }

  #enum(code: number, value: unknown, path: string): void {
    const v = typeof value === 'number' && (value | 0) === value ? value : checkEnum(value, path);
    if (v === 0) return;
    const w = this.#words(2);
    this.#t[w] = code;
    this.#t[w + 1] = v;
    this.#ti += 2;
  }

  #u64(code: number, value: unknown, path: string): void {
    const v = checkUint64(value, path);
    if (v === 0) return;
    const w = this.#words(3);
    const hi = Math.floor(v / TWO_32);
    const t = this.#t;
    t[w] = code;
    t[w + 1] = v - hi * TWO_32;
    t[w + 2] = hi;
    this.#ti += 3;
  }

  #meta(code: number, value: unknown, path: string): void {
    if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Uint8Array) {
      throw invalidValue(path, 'a record of Uint8Array values', value);
    }
    const meta = value as Metadata;
    const keys = Object.keys(meta);
    for (let k = 0; k < keys.length; k++) {
      const key = keys[k]!;
      const v = meta[key];
      if (!(v instanceof Uint8Array)) throw invalidValue(`${path}[${JSON.stringify(key)}]`, 'a Uint8Array', v);
      const koff = this.#text(key);
      const klen = this.#len;
      const external = v.length >= this.#externalMin;
      const voff = external ? 0 : this.#bytes(v);
      const w = this.#words(5);
      if (external) this.#externalOp(v, this.#ti + 3);
      const t = this.#t;
      t[w] = external ? code | FLAG_EXTERNAL : code;
      t[w + 1] = koff;
      t[w + 2] = klen;
      t[w + 3] = voff;
      t[w + 4] = v.length;
      this.#ti += 5;
    }
  }

  #case(code: number): void {
    const w = this.#words(2);
    this.#t[w] = code;
    this.#t[w + 1] = 0; // the body size, filled in by WASM
    this.#ti += 2;
  }

  #command(cmd: Command): void {
    if (typeof cmd !== 'object') throw invalidValue('command', 'a Command or null', cmd);
    const v = cmd.value as unknown;
    if (typeof v !== 'object' || v === null) throw invalidValue(`command.${String(cmd.case)}`, 'a command object', v);
    switch (cmd.case) {
      case 'system': {
        const c = cmd.value;
        this.#case(Code.SYSTEM);
        this.#enum(Code.SYSTEM_TYPE, c.type, 'command.system.type');
        this.#enum(Code.SYSTEM_FORMAT, c.format, 'command.system.format');
        this.#str(Code.SYSTEM_MESSAGE, c.message, 'command.system.message');
        this.#meta(Code.SYSTEM_METADATA, c.metadata, 'command.system.metadata');
        this.#blob(Code.SYSTEM_DATA, c.data, 'command.system.data');
        this.#str(Code.SYSTEM_COMPRESSION, c.compression, 'command.system.compression');
        this.#str(Code.SYSTEM_ENCRYPTION, c.encryption, 'command.system.encryption');
        return;
      }
      case 'payload': {
        const c = cmd.value;
        this.#case(Code.PAYLOAD);
        this.#enum(Code.PAYLOAD_TYPE, c.type, 'command.payload.type');
        this.#str(Code.PAYLOAD_MESSAGE_ID, c.messageId, 'command.payload.messageId');
        this.#blob(Code.PAYLOAD_PAYLOAD, c.payload, 'command.payload.payload');
        this.#meta(Code.PAYLOAD_METADATA, c.metadata, 'command.payload.metadata');
        this.#u64(Code.PAYLOAD_SEQ, c.seq, 'command.payload.seq');
        return;
      }
      case 'notification': {
        const c = cmd.value;
        this.#case(Code.NOTIFICATION);
        this.#enum(Code.NOTIFICATION_TYPE, c.type, 'command.notification.type');
        this.#str(Code.NOTIFICATION_TITLE, c.title, 'command.notification.title');
        this.#blob(Code.NOTIFICATION_CONTENT, c.content, 'command.notification.content');
        this.#meta(Code.NOTIFICATION_METADATA, c.metadata, 'command.notification.metadata');
        return;
      }
      case 'custom': {
        const c = cmd.value;
        this.#case(Code.CUSTOM);
        this.#str(Code.CUSTOM_NAME, c.name, 'command.custom.name');
        this.#blob(Code.CUSTOM_DATA, c.data, 'command.custom.data');
        this.#meta(Code.CUSTOM_METADATA, c.metadata, 'command.custom.metadata');
        return;
      }
      default:
        throw invalidValue('command.case', "'system' | 'payload' | 'notification' | 'custom'", (cmd as { case: unknown }).case);
    }
  }

  /** Writes one frame's ops. Throws CodecError (INVALID_ARGUMENT) on a value it cannot encode. */
  frame(frame: Frame): void {
    if (typeof frame !== 'object' || frame === null) throw invalidValue('frame', 'a Frame object', frame);
    const cmd = frame.command;
    if (cmd !== null && cmd !== undefined) this.#command(cmd);
    this.#str(Code.MESSAGE_ID, frame.messageId, 'messageId');
    this.#enum(Code.RELIABILITY, frame.reliability, 'reliability');
    this.#u64(Code.TIMESTAMP, frame.timestamp, 'timestamp');
    this.#meta(Code.METADATA, frame.metadata, 'metadata');
    const w = this.#words(1);
    this.#t[w] = Code.END;
    this.#ti += 1;
  }
}
