/**
 * Length-prefixed framing on the server, through the codec's own framing
 * (src/codec/js-stream-framing.ts): the WebTransport stream, and WebSocket
 * batches (several frames per message, once negotiated).
 */
import type { StreamDeframer } from '../src/codec/codec.ts';
import { createJsDeframer, packFrames } from '../src/codec/js-stream-framing.ts';

/** Frames joined with their 4-byte big-endian length prefixes (frames are checked against the limit on the way in). */
export function joinFrames(frames: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  return packFrames(frames, { maxFrameBytes: Number.MAX_SAFE_INTEGER }) as Uint8Array<ArrayBuffer>;
}

/** Splits one batch message into frames; null when the prefixes do not add up or a frame is over `maxFrameBytes`. */
export function splitBatch(bytes: Uint8Array, maxFrameBytes: number): Uint8Array[] | null {
  try {
    const d = createJsDeframer({ maxFrameBytes });
    const frames = d.push(bytes);
    return d.buffered > 0 || d.ended || frames.length === 0 ? null : frames;
  } catch {
    return null;
  }
}

/** A deframer for a stream transport; a declared length over the limit throws CodecError FRAME_TOO_LARGE before buffering. */
export function streamDeframer(maxFrameBytes: number): StreamDeframer {
  return createJsDeframer({ maxFrameBytes: Math.min(maxFrameBytes, 0xffffffff) });
}
