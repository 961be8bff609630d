/**
 * Length-prefixed framing on the server: each frame preceded by its length as
 * a 4-byte big-endian integer, a zero length ends the stream. Writing and
 * WebSocket batches go through the codec's framing (src/codec/js-stream-framing.ts);
 * the WebTransport stream is read by StreamFrames, which reports a bad length
 * prefix *after* the good frames before it in the same chunk (the codec's
 * deframer throws, and they would be lost).
 */
import type { StreamDeframer } from '../src/codec/codec.ts';
import { CodecError } from '../src/codec/errors.ts';
import { createJsDeframer, packFrames } from '../src/codec/js-stream-framing.ts';

/** Frames joined with their 4-byte big-endian length prefixes (frames are checked against the limit on the way in). */
export function joinFrames(frames: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  return packFrames(frames, { maxFrameBytes: Number.MAX_SAFE_INTEGER }) as Uint8Array<ArrayBuffer>;
}

/**
 * Splits one batch message into frames (views into `bytes`, no copy); null when the prefixes do not
 * add up, a length is zero (an end marker has no place in a batch) or a frame is over `maxFrameBytes`.
 * A plain loop: it runs once per WebSocket message, and a deframer object per message showed in the
 * round-trip profile.
 */
export function splitBatch(bytes: Uint8Array, maxFrameBytes: number): Uint8Array[] | null {
  const out: Uint8Array[] = [];
  const n = bytes.length;
  let i = 0;
  while (i < n) {
    if (n - i < 4) return null;
    const len = bytes[i]! * 0x1000000 + ((bytes[i + 1]! << 16) | (bytes[i + 2]! << 8) | bytes[i + 3]!);
    i += 4;
    if (len === 0 || len > maxFrameBytes || len > n - i) return null;
    out.push(bytes.subarray(i, i + len));
    i += len;
  }
  return out.length > 0 ? out : null;
}

/** What one chunk of a stream held. */
export interface Deframed {
  /** Complete frames, in order (views into the chunk when they lie wholly inside it). */
  frames: Uint8Array[];
  /** A declared length over the limit, after `frames`: the stream cannot be resynchronised. */
  error: CodecError | null;
  /** A zero length ended the stream, after `frames`. */
  ended: boolean;
}

/**
 * Reassembles a stream's frames from chunks split anywhere. A declared length
 * over the limit is refused before anything of it is buffered; the frames
 * before it are still returned. After an error or the end, chunks yield nothing.
 */
export class StreamFrames {
  readonly #max: number;
  readonly #head = new Uint8Array(4);
  #headLen = 0;
  /** The frame being filled across chunks. */
  #body: Uint8Array | null = null;
  #bodyLen = 0;
  #ended = false;
  #error: CodecError | null = null;

  constructor(maxFrameBytes: number) {
    this.#max = Math.min(maxFrameBytes, 0xffffffff);
  }

  push(chunk: Uint8Array): Deframed {
    const frames: Uint8Array[] = [];
    const n = chunk.length;
    let pos = 0;
    while (pos < n && !this.#ended && !this.#error) {
      if (this.#body) {
        const take = Math.min(this.#body.length - this.#bodyLen, n - pos);
        this.#body.set(chunk.subarray(pos, pos + take), this.#bodyLen);
        this.#bodyLen += take;
        pos += take;
        if (this.#bodyLen === this.#body.length) {
          frames.push(this.#body);
          this.#body = null;
        }
        continue;
      }
      while (this.#headLen < 4 && pos < n) this.#head[this.#headLen++] = chunk[pos++]!;
      if (this.#headLen < 4) break;
      this.#headLen = 0;
      const h = this.#head;
      const len = ((h[0]! << 24) | (h[1]! << 16) | (h[2]! << 8) | h[3]!) >>> 0;
      if (len === 0) this.#ended = true;
      else if (len > this.#max) this.#error = CodecError.tooLarge(len, this.#max);
      else if (n - pos >= len) {
        frames.push(chunk.subarray(pos, pos + len));
        pos += len;
      } else {
        this.#body = new Uint8Array(len);
        this.#bodyLen = 0;
      }
    }
    return { frames, error: this.#error, ended: this.#ended };
  }
}

/** The codec's deframer for a stream (throws CodecError FRAME_TOO_LARGE on a declared length over the limit). */
export function streamDeframer(maxFrameBytes: number): StreamDeframer {
  return createJsDeframer({ maxFrameBytes: Math.min(maxFrameBytes, 0xffffffff) });
}
