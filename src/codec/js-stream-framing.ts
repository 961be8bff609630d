/**
 * Length-prefixed stream framing in plain JavaScript: each frame is preceded
 * by its length as a 4-byte big-endian unsigned integer, a zero length ends
 * the stream (flare-core's QUIC / TCP framing, and ours on WebTransport).
 */
import { Limits, type Deframed, type StreamDeframer } from './codec.ts';
import { CodecError } from './errors.ts';
import { invalidValue } from './frame-checks.ts';

/** Options of a deframer. */
export interface DeframerOptions {
  /** Largest accepted declared frame length in bytes. Default: 10 MiB (flare-core's limit). */
  maxFrameBytes?: number;
}

/**
 * Reassembles frames from stream chunks split at arbitrary points. Frames
 * that lie wholly inside one chunk are returned as views into that chunk (no
 * copy); frames that span chunks are copied once into a buffer of their
 * declared size, allocated only after the length was checked against the limit.
 * A length over the limit is reported after the frames before it (see Deframed).
 */
export class JsStreamDeframer implements StreamDeframer {
  readonly #max: number;
  /** Length-prefix bytes seen so far when the prefix itself was split. */
  readonly #head = new Uint8Array(4);
  #headLen = 0;
  /** The frame being filled across chunks, or null. */
  #body: Uint8Array | null = null;
  #bodyLen = 0;
  #ended = false;
  #failed: CodecError | null = null;

  constructor(options: DeframerOptions = {}) {
    const max = options.maxFrameBytes ?? Limits.MAX_FRAME_BYTES;
    if (!Number.isInteger(max) || max < 0 || max > 0xffffffff) {
      throw invalidValue('maxFrameBytes', 'an integer in [0, 2^32)', max);
    }
    this.#max = max;
  }

  /** True after a zero-length frame; later bytes are ignored. */
  get ended(): boolean {
    return this.#ended;
  }

  /** Stream bytes received but not yet returned as a frame (length prefix included). */
  get buffered(): number {
    return this.#body === null ? this.#headLen : 4 + this.#bodyLen;
  }

  push(chunk: Uint8Array): Deframed {
    if (!(chunk instanceof Uint8Array)) throw invalidValue('chunk', 'a Uint8Array', chunk);
    const frames: Uint8Array[] = [];
    if (this.#ended || this.#failed) return { frames, error: this.#failed, ended: this.#ended };
    const n = chunk.length;
    let pos = 0;
    if (this.#body !== null) pos = this.#fill(chunk, 0, frames);
    while (pos < n) {
      let len: number;
      if (this.#headLen === 0 && n - pos >= 4) {
        len = ((chunk[pos]! << 24) | (chunk[pos + 1]! << 16) | (chunk[pos + 2]! << 8) | chunk[pos + 3]!) >>> 0;
        pos += 4;
      } else {
        while (this.#headLen < 4 && pos < n) this.#head[this.#headLen++] = chunk[pos++]!;
        if (this.#headLen < 4) break;
        const h = this.#head;
        len = ((h[0]! << 24) | (h[1]! << 16) | (h[2]! << 8) | h[3]!) >>> 0;
        this.#headLen = 0;
      }
      if (len === 0) {
        this.#ended = true;
        break;
      }
      if (len > this.#max) {
        this.#failed = CodecError.tooLarge(len, this.#max);
        break;
      }
      if (n - pos >= len) {
        frames.push(chunk.subarray(pos, pos + len));
        pos += len;
      } else {
        this.#body = new Uint8Array(len);
        this.#bodyLen = 0;
        pos = this.#fill(chunk, pos, frames);
      }
    }
    return { frames, error: this.#failed, ended: this.#ended };
  }

  /** Copies bytes from `chunk[pos..]` into the pending frame; returns the new position. */
  #fill(chunk: Uint8Array, pos: number, out: Uint8Array[]): number {
    const body = this.#body!;
    const take = Math.min(body.length - this.#bodyLen, chunk.length - pos);
    body.set(chunk.subarray(pos, pos + take), this.#bodyLen);
    this.#bodyLen += take;
    if (this.#bodyLen === body.length) {
      out.push(body);
      this.#body = null;
      this.#bodyLen = 0;
    }
    return pos + take;
  }
}

/** A deframer with the given limit (default 10 MiB). */
export function createJsDeframer(options: DeframerOptions = {}): StreamDeframer {
  return new JsStreamDeframer(options);
}

/**
 * Packs frames into one buffer for one write: each frame preceded by its
 * 4-byte big-endian length. Pass `{ end: true }` to append the zero-length
 * end-of-stream marker. Throws CodecError: INVALID_ARGUMENT for an empty frame
 * (it would read as the end of the stream), FRAME_TOO_LARGE for one over
 * `maxFrameBytes` (default 10 MiB).
 */
export function packFrames(
  frames: readonly Uint8Array[],
  options: { end?: boolean; maxFrameBytes?: number } = {},
): Uint8Array {
  const max = options.maxFrameBytes ?? Limits.MAX_FRAME_BYTES;
  let total = options.end ? 4 : 0;
  for (let i = 0; i < frames.length; i++) {
    const f = frames[i];
    if (!(f instanceof Uint8Array)) throw invalidValue(`frames[${i}]`, 'a Uint8Array', f);
    if (f.length === 0) throw invalidValue(`frames[${i}]`, 'a non-empty frame (length 0 marks the end of the stream)', 'an empty frame');
    if (f.length > max) throw CodecError.tooLarge(f.length, max);
    total += 4 + f.length;
  }
  const out = new Uint8Array(total);
  let pos = 0;
  for (const f of frames) {
    const n = f.length;
    out[pos] = n >>> 24;
    out[pos + 1] = n >>> 16;
    out[pos + 2] = n >>> 8;
    out[pos + 3] = n;
    out.set(f, pos + 4);
    pos += 4 + n;
  }
  return out;
}

/** What one batch message held: its frames, and the fault after them if the prefixes did not add up. */
export interface SplitBatch {
  /** The frames before any fault, in order (views into the message, no copy). */
  frames: Uint8Array[];
  /** Why the rest of the message was not read, or null when all of it was frames. */
  error: CodecError | null;
}

/**
 * Splits one batched WebSocket message (length-prefixed frames, our batching
 * extension) on either side. Unlike a stream, a batch stands alone: a frame
 * must end inside it, and a zero length (a stream's end marker) has no place
 * in it. The frames before a fault are returned with the error after them.
 * A plain loop rather than a deframer object: it runs once per message, on
 * the round-trip path of both client and server.
 */
export function splitBatch(bytes: Uint8Array, maxFrameBytes: number = Limits.MAX_FRAME_BYTES): SplitBatch {
  const frames: Uint8Array[] = [];
  const n = bytes.length;
  let i = 0;
  while (i < n) {
    if (n - i < 4) return { frames, error: CodecError.truncated(`batched message ends inside a length prefix (${n - i} of 4 bytes)`) };
    const len = bytes[i]! * 0x1000000 + ((bytes[i + 1]! << 16) | (bytes[i + 2]! << 8) | bytes[i + 3]!);
    i += 4;
    if (len === 0) return { frames, error: CodecError.malformed('zero-length frame in a batched message') };
    if (len > maxFrameBytes) return { frames, error: CodecError.tooLarge(len, maxFrameBytes) };
    if (len > n - i) return { frames, error: CodecError.truncated(`batched message ends inside a frame (${n - i} of ${len} bytes)`) };
    frames.push(bytes.subarray(i, i + len));
    i += len;
  }
  if (frames.length === 0) return { frames, error: CodecError.malformed('empty batched message') };
  return { frames, error: null };
}
