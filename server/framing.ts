/**
 * Length-prefixed framing on the server: each frame preceded by its length as
 * a 4-byte big-endian integer, a zero length ends the stream. It is the
 * codec's framing (src/codec/js-stream-framing.ts), shared with the client:
 * writes pack with it, the WebTransport stream is read by its deframer (which
 * reports a bad length prefix after the good frames before it in the same
 * chunk), and WebSocket batches are split by splitBatch below.
 */
import type { StreamDeframer } from '../src/codec/codec.ts';
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

/**
 * The codec's deframer for one stream, with the server's limit (clamped to what a
 * 4-byte prefix can declare). `push` returns `{frames, error, ended}`: a declared
 * length over the limit is a CodecError (FRAME_TOO_LARGE) after the frames before it.
 */
export function streamDeframer(maxFrameBytes: number): StreamDeframer {
  return createJsDeframer({ maxFrameBytes: Math.min(maxFrameBytes, 0xffffffff) });
}
