/**
 * Length-prefixed framing on the server: each frame preceded by its length as
 * a 4-byte big-endian integer, a zero length ends the stream. It is the
 * codec's framing (src/codec/js-stream-framing.ts), shared with the client:
 * writes pack with it, the WebTransport stream is read by its deframer (which
 * reports a bad length prefix after the good frames before it in the same
 * chunk), and WebSocket batches are split by the codec's splitBatch.
 */
import type { StreamDeframer } from '../src/codec/codec.ts';
import { createJsDeframer, packFrames } from '../src/codec/js-stream-framing.ts';

/** Frames joined with their 4-byte big-endian length prefixes (frames are checked against the limit on the way in). */
export function joinFrames(frames: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  return packFrames(frames, { maxFrameBytes: Number.MAX_SAFE_INTEGER }) as Uint8Array<ArrayBuffer>;
}

/**
 * The codec's deframer for one stream, with the server's limit (clamped to what a
 * 4-byte prefix can declare). `push` returns `{frames, error, ended}`: a declared
 * length over the limit is a CodecError (FRAME_TOO_LARGE) after the frames before it.
 */
export function streamDeframer(maxFrameBytes: number): StreamDeframer {
  return createJsDeframer({ maxFrameBytes: Math.min(maxFrameBytes, 0xffffffff) });
}
