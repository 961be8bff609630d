/**
 * A strict protobuf wire reader over one Uint8Array, for the JavaScript codec.
 * It follows prost (flare-core's decoder): varints of at most 10 bytes that fit
 * 64 bits, keys within uint32 and field numbers >= 1, wire types 0-5 only,
 * lengths within the enclosing message, groups skipped (nested at most 100
 * deep), valid UTF-8 in strings. Every failure is a CodecError: TRUNCATED when
 * the input ends early, MALFORMED_FRAME otherwise, with the byte offset.
 *
 * Not reentrant: one read at a time per realm (reads are synchronous).
 */
import { CodecError } from './errors.ts';
import { readUtf8 } from './utf8.ts';

const TWO_32 = 4294967296;
const MAX_GROUP_DEPTH = 100;
const EMPTY = new Uint8Array(0);

/** A cursor over one message's bytes; the decoders share one instance per realm. */
export class PbReader {
  buf: Uint8Array = EMPTY;
  pos = 0;
  /** High 32 bits of the last varint read by `varint()`. */
  hi = 0;
  /** Offset of the last field key read by `key()` (errors about a field point there). */
  keyAt = 0;

  /** Starts reading `buf` from 0. */
  reset(buf: Uint8Array): void {
    this.buf = buf;
    this.pos = 0;
  }

  /** Drops the reference to the input. */
  release(): void {
    this.buf = EMPTY;
  }

  /** A TRUNCATED error at the current offset. */
  truncated(what: string): CodecError {
    return CodecError.truncated(`${what} runs past the end of its message at byte ${this.pos}`, { offset: this.pos });
  }

  /** A MALFORMED_FRAME error at `offset` (default: the current offset). */
  malformed(what: string, offset: number = this.pos): CodecError {
    return CodecError.malformed(`${what} at byte ${offset}`, { offset });
  }

  /** Reads a varint below `end`; returns its low 32 bits unsigned, high bits in `hi`. */
  varint(end: number): number {
    const buf = this.buf;
    let p = this.pos;
    if (p >= end) throw this.truncated('a varint');
    let b = buf[p++]!;
    if (b < 0x80) {
      this.pos = p;
      this.hi = 0;
      return b;
    }
    let lo = b & 0x7f;
    let hi = 0;
    let i = 1;
    for (;;) {
      if (p >= end) {
        this.pos = p;
        throw this.truncated('a varint');
      }
      b = buf[p++]!;
      if (i < 4) lo |= (b & 0x7f) << (7 * i);
      else if (i === 4) {
        lo |= (b & 0x0f) << 28;
        hi = (b & 0x7f) >> 4;
      } else hi |= (b & 0x7f) << (7 * i - 32);
      if (b < 0x80) break;
      if (++i === 10) throw this.malformed('a varint longer than 10 bytes', p);
    }
    if (i === 9 && b > 1) throw this.malformed('a varint that overflows 64 bits', p - 1);
    this.pos = p;
    this.hi = hi >>> 0;
    return lo >>> 0;
  }

  /** A uint64 varint as a number (exact below 2^53). */
  uint64(end: number): number {
    const lo = this.varint(end);
    return this.hi === 0 ? lo : lo + this.hi * TWO_32;
  }

  /** An int32 / enum varint (low 32 bits, signed, as prost truncates). */
  int32(end: number): number {
    return this.varint(end) | 0;
  }

  /** A field key: `fieldNumber << 3 | wireType`, checked. */
  key(end: number): number {
    const start = this.pos;
    this.keyAt = start;
    const key = this.varint(end);
    if (this.hi !== 0) throw this.malformed('a field key over 32 bits', start);
    if (key < 8) throw this.malformed('field number 0', start);
    const wt = key & 7;
    if (wt > 5) throw this.malformed(`wire type ${wt} (field ${key >>> 3})`, start);
    return key;
  }

  /** A length prefix; returns the end offset of the delimited bytes (checked against `end`). */
  len(end: number): number {
    const start = this.pos;
    const n = this.varint(end);
    if (this.hi !== 0 || n > end - this.pos) {
      this.pos = start;
      throw this.truncated('a length-delimited field');
    }
    return this.pos + n;
  }

  /** A length-delimited byte string, as a view into the input (no copy). */
  bytes(end: number): Uint8Array {
    const stop = this.len(end);
    const view = this.buf.subarray(this.pos, stop);
    this.pos = stop;
    return view;
  }

  /** A length-delimited UTF-8 string. */
  string(end: number, field: string): string {
    const stop = this.len(end);
    const s = readUtf8(this.buf, this.pos, stop);
    if (s === null) throw this.malformed(`invalid UTF-8 in ${field}`);
    this.pos = stop;
    return s;
  }

  /** Skips the field whose key was just read (an unknown field). */
  skip(key: number, end: number): void {
    switch (key & 7) {
      case 0:
        this.varint(end);
        return;
      case 1:
        return this.advance(8, end);
      case 2:
        this.pos = this.len(end);
        return;
      case 3:
        return this.skipGroup(key >>> 3, end);
      case 4:
        throw this.malformed(`an unexpected end-group tag (field ${key >>> 3})`, this.keyAt);
      default:
        return this.advance(4, end);
    }
  }

  private advance(n: number, end: number): void {
    if (end - this.pos < n) throw this.truncated(`a ${n * 8}-bit fixed field`);
    this.pos += n;
  }

  private skipGroup(field: number, end: number): void {
    const open = [field];
    while (open.length > 0) {
      const key = this.key(end);
      const wt = key & 7;
      if (wt === 4) {
        if (key >>> 3 !== open.pop()) throw this.malformed('a mismatched end-group tag', this.keyAt);
      } else if (wt === 3) {
        if (open.length >= MAX_GROUP_DEPTH) throw this.malformed('groups nested too deeply', this.keyAt);
        open.push(key >>> 3);
      } else this.skip(key, end);
    }
  }
}
