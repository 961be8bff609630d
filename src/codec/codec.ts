/**
 * The one interface every frame codec implements: the WASM protobuf codec,
 * the JavaScript protobuf fallback, and the JSON codec. Callers pick by format
 * (and by whether WebAssembly may run) and never care which one they hold.
 */
import type { Frame, FormatName } from './frame-types.ts';
import type { CodecError, FlareError } from './errors.ts';

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

/** What a stream deframer made of one chunk. */
export interface Deframed {
  /**
   * The frames the chunk completed, in order: also those that came before a
   * bad length prefix in the same chunk, so no good frame is lost to it.
   */
  readonly frames: Uint8Array[];
  /**
   * CodecError (FRAME_TOO_LARGE) when a declared length is over the limit,
   * found after `frames`. The stream cannot be resynchronised: every later
   * push returns no frames and this same error.
   */
  readonly error: CodecError | null;
  /** A zero-length frame (flare-core's end-of-stream marker) was reached, now or before. */
  readonly ended: boolean;
}

/**
 * Length-prefixed stream framing (4-byte big-endian length, as flare-core's
 * QUIC/TCP transports and our WebTransport stream use it). One implementation
 * for the client and the reference server, in JavaScript and on the WASM core.
 */
export interface StreamDeframer {
  /**
   * Feeds a chunk of the stream. Bad input is reported in the result, never
   * thrown: a declared length over the limit is refused as soon as its prefix
   * is read, before any of its body is held. After an error or the end marker,
   * chunks yield no frames (and bytes after the end marker are ignored).
   * Throws only on a programming error (a chunk that is not a Uint8Array).
   */
  push(chunk: Uint8Array): Deframed;
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
