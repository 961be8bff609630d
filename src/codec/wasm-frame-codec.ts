/**
 * The protobuf FrameCodec on the WASM core (assembly/frame/): flare-core's
 * Frame, byte-for-byte what prost writes, every batch in one call across the
 * JS/WASM boundary. Decoded bytes fields are views into the caller's input
 * (zero-copy, as in the JavaScript codec): copy the input first if its buffer
 * is going to be reused. Encoded frames never alias WASM memory; a batch of
 * up to 64 KB shares one new buffer. Large frames cost little extra: decoding
 * copies into WASM only the pages around their payloads, encoding copies a
 * large bytes value once, from the caller's array into the output.
 */
import { Limits, type FrameCodec } from './codec.ts';
import { CodecError, ErrorCode, FlareError } from './errors.ts';
import type { Frame } from './frame-types.ts';
import { invalidValue } from './frame-checks.ts';
import type { WasmCore } from './wasm-core.ts';
import { WasmFrameDecoder, type WasmDecoderOptions } from './wasm-frame-decoder.ts';
import { WasmFrameEncoder } from './wasm-frame-encoder.ts';
import { track, untrack } from './wasm-region.ts';

/** The WASM protobuf codec: a FrameCodec plus stream-ready encoding. */
export interface WasmFrameCodec extends FrameCodec {
  readonly format: 'protobuf';
  readonly implementation: 'wasm';
  /**
   * Encodes `frames` into one buffer of length-prefixed frames (4-byte
   * big-endian lengths), ready for a single stream write; `end: true` appends
   * the zero-length end-of-stream marker. Throws CodecError: FRAME_TOO_LARGE
   * for a frame over `maxFrameBytes` (default 10 MiB), INVALID_ARGUMENT for a
   * frame that encodes to zero bytes (its length would end the stream).
   */
  encodeFramed(frames: readonly Frame[], options?: { end?: boolean; maxFrameBytes?: number }): Uint8Array;
  /** Frees the codec's WASM buffers now (otherwise when the codec is garbage-collected). */
  dispose(): void;
}

function asFlareError(e: unknown): FlareError {
  return e instanceof FlareError ? e : new CodecError(ErrorCode.INTERNAL, `unexpected codec failure: ${String(e)}`, { cause: e });
}

/** Tuning of a WASM codec; the defaults suit every use (tests shrink the sizes to reach every path). */
export interface WasmFrameCodecOptions extends WasmDecoderOptions {
  /** Bytes values from this size on are copied straight into the encoded output (default 2 KB). */
  externalBytes?: number;
}

/**
 * Creates a protobuf codec on a loaded core (`await loadWasmCore()`). Each
 * codec owns its WASM buffers; create one per worker or connection and keep it.
 */
export function createWasmFrameCodec(core: WasmCore, options: WasmFrameCodecOptions = {}): WasmFrameCodec {
  const decoder = new WasmFrameDecoder(core, options);
  const encoder = new WasmFrameEncoder(core, options.externalBytes);
  const regions = [...decoder.regions, ...encoder.regions];

  const codec: WasmFrameCodec = {
    format: 'protobuf',
    implementation: 'wasm',
    encode(frame: Frame): Uint8Array {
      return encoder.encodeOne([frame], 0);
    },
    decode(bytes: Uint8Array): Frame {
      try {
        return decoder.decode(bytes);
      } catch (e) {
        if (e instanceof CodecError) throw e;
        decoder.reset(); // a bug (a WASM abort or a broken tape), never bad input
        throw asFlareError(e);
      }
    },
    encodeBatch(frames: readonly Frame[]): Uint8Array[] {
      if (!Array.isArray(frames)) throw invalidValue('frames', 'an array of frames', frames);
      return encoder.encodeEach(frames);
    },
    decodeBatch(chunks: readonly Uint8Array[]): Array<Frame | FlareError> {
      if (!Array.isArray(chunks)) throw invalidValue('chunks', 'an array of Uint8Array', chunks);
      try {
        return decoder.decodeBatch(chunks);
      } catch (e) {
        // Only a bug can get here (a WASM abort or a broken tape): fail every slot alike.
        decoder.reset();
        const error = asFlareError(e);
        return chunks.map(() => error);
      }
    },
    encodeFramed(frames: readonly Frame[], options: { end?: boolean; maxFrameBytes?: number } = {}): Uint8Array {
      if (!Array.isArray(frames)) throw invalidValue('frames', 'an array of frames', frames);
      const limit = options.maxFrameBytes ?? Limits.MAX_FRAME_BYTES;
      if (!Number.isInteger(limit) || limit < 1 || limit > 0x7fffffff) {
        throw invalidValue('maxFrameBytes', 'an integer in [1, 2^31)', limit);
      }
      return encoder.encodeOne(frames, limit, options.end ? 4 : 0);
    },
    dispose(): void {
      untrack(codec);
      for (const region of regions) region.release();
    },
  };
  track(codec, regions);
  return codec;
}
