/**
 * Batch protobuf encoding through the WASM core: EncodeTape (wasm-frame-ops.ts)
 * writes the ops and data into WASM memory, one `frame_encode_batch` call
 * computes sizes, varints and nested lengths and writes the protobuf bytes,
 * and the result is copied out once, large bytes values going straight from
 * the caller's arrays into it.
 */
import type { Frame } from './frame-types.ts';
import type { WasmCore } from './wasm-core.ts';
import { framingError, internalError } from './wasm-frame-errors.ts';
import { EncodeTape } from './wasm-frame-ops.ts';
import { WasmStatus, type FrameExports } from './wasm-frame-tape.ts';
import { WasmRegion, WasmViews } from './wasm-region.ts';

/** Encodes frames in batches through one WASM core. Not reentrant (nothing here is async). */
export class WasmFrameEncoder {
  readonly #x: FrameExports;
  readonly #views: WasmViews;
  readonly #ops: EncodeTape;
  readonly #out: WasmRegion;
  readonly #ends: WasmRegion;

  /** `externalBytes`: bytes values from this size on are copied straight into the output (tests lower it). */
  constructor(core: WasmCore, externalBytes?: number) {
    this.#x = core.exports as unknown as FrameExports;
    this.#views = new WasmViews(core);
    this.#ops = new EncodeTape(core, this.#views, externalBytes);
    this.#out = new WasmRegion(core);
    this.#ends = new WasmRegion(core);
  }

  /** The WASM buffers this encoder holds (for freeing). */
  get regions(): readonly WasmRegion[] {
    return [this.#ops.tape, this.#ops.data, this.#out, this.#ends];
  }

  /**
   * Encodes `frames` one after the other into one new buffer; returns it and
   * where each frame ends. With `limit` > 0 each frame gets its 4-byte
   * big-endian length prefix and must be 1..limit bytes. `zeros` zero bytes
   * are appended (the stream's end marker). Throws CodecError.
   */
  encode(frames: readonly Frame[], limit: number, zeros = 0): { bytes: Uint8Array<ArrayBuffer>; ends: Int32Array } {
    const count = frames.length;
    const ops = this.#ops;
    ops.begin();
    for (let k = 0; k < count; k++) ops.frame(frames[k]!);
    const words = ops.words;
    // Each op word stands for at most 8 bytes of tags, lengths and varints.
    const bound = ops.dataBytes + ops.external + words * 8 + 64;
    const out = this.#out.reserve(bound + zeros);
    const ends = this.#ends.reserve(count * 4 + 4);
    const x = this.#x;
    const total = x.frame_encode_batch(ops.tape.ptr, words, count, ops.data.ptr, out, bound, ends, limit > 0 ? 1 : 0, limit);
    this.#views.refresh();
    if (total < 0) {
      const index = x.frame_encode_failed();
      if (total === WasmStatus.TOO_LARGE || total === WasmStatus.EMPTY) {
        throw framingError(total, index, this.#frameSize(frames[index]!), limit);
      }
      throw internalError(total);
    }
    const bytes = this.#copyOut(out, total, zeros);
    const endList = this.#views.i32.slice(ends >> 2, (ends >> 2) + count);
    ops.data.trim(ops.dataBytes);
    this.#out.trim(total);
    return { bytes, ends: endList };
  }

  /** The output in a new array: WASM's bytes, with the external values filled into their room. */
  #copyOut(out: number, total: number, zeros: number): Uint8Array<ArrayBuffer> {
    const u8 = this.#views.u8;
    const { blobs, blobOps } = this.#ops;
    if (blobs.length === 0) {
      if (zeros > 0) u8.fill(0, out + total, out + total + zeros);
      return u8.slice(out, out + total + zeros);
    }
    const bytes = new Uint8Array(total + zeros);
    const i32 = this.#views.i32;
    const t0 = this.#ops.tape.ptr >> 2;
    let prev = 0;
    for (let j = 0; j < blobs.length; j++) {
      const at = i32[t0 + blobOps[j]!]!;
      bytes.set(u8.subarray(out + prev, out + at), prev);
      bytes.set(blobs[j]!, at);
      prev = at + blobs[j]!.length;
    }
    bytes.set(u8.subarray(out + prev, out + total), prev);
    blobs.length = 0;
    return bytes;
  }

  /** The unframed size of one frame (for error details). */
  #frameSize(frame: Frame): number {
    return this.encode([frame], 0).bytes.length;
  }
}
