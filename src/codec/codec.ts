/**
 * The one interface every frame codec implements: the WASM protobuf codec,
 * the JavaScript protobuf fallback, and the JSON codec. Callers pick by format
 * (and by whether WebAssembly may run) and never care which one they hold.
 */
import type { Frame, FormatName } from './frame-types.ts';
import type { FlareError } from './errors.ts';

export interface FrameCodec {
  /** The wire format this codec speaks. */
  readonly format: FormatName;
  /** Which implementation: 'wasm', 'js' (same bytes, no WebAssembly) or 'json'. */
  readonly implementation: 'wasm' | 'js' | 'json';
  /** Serializes one frame. Throws CodecError on a value that cannot be encoded. */
  encode(frame: Frame): Uint8Array;
  /** Parses one frame. Throws CodecError (never anything else) on bad input. */
  decode(bytes: Uint8Array): Frame;
  /** Serializes many frames in one call (one boundary crossing for WASM). */
  encodeBatch(frames: readonly Frame[]): Uint8Array[];
  /**
   * Parses many frames in one call. A bad frame yields its FlareError in its
   * slot and does not affect the others.
   */
  decodeBatch(chunks: readonly Uint8Array[]): Array<Frame | FlareError>;
}

/**
 * Length-prefixed stream framing (4-byte big-endian length, as flare-core's
 * QUIC/TCP transports and our WebTransport stream use it).
 */
export interface StreamDeframer {
  /**
   * Feeds a chunk of the stream; returns the complete frames it finished, in
   * order. Throws CodecError (FRAME_TOO_LARGE) on a declared length over the
   * limit; after that the deframer is unusable (the stream is corrupt).
   */
  push(chunk: Uint8Array): Uint8Array[];
  /** True after a zero-length frame (flare-core's end-of-stream marker). */
  readonly ended: boolean;
  /** Bytes held waiting for the rest of a frame. */
  readonly buffered: number;
}

/** Default limits, as flare-core has them. */
export const Limits = {
  /** Largest frame on a stream (flare-core: 10 MiB). */
  MAX_FRAME_BYTES: 10 * 1024 * 1024,
  /** Largest decompressed frame (flare-core: 16 MiB). */
  MAX_DECOMPRESSED_BYTES: 16 * 1024 * 1024,
} as const;
