/**
 * Batch protobuf encoding through the WASM core: EncodeTape (wasm-frame-ops.ts)
 * writes the ops and data into WASM memory, one `frameEncodeBatch` call
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
  /** The first external value not yet copied out (values are copied in output order). */
  #nextBlob = 0;

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
   * Encodes `frames` one after the other into WASM memory at `out` (`total`
   * bytes, frame k ending at i32 `ends[k]`), to be copied out before the next
   * call. With `limit` > 0 each frame gets its 4-byte big-endian length prefix
   * and must be 1..limit bytes. `zeros`: room for zero bytes after the output.
   * Throws CodecError.
   */
  encode(frames: readonly Frame[], limit: number, zeros = 0): { out: number; total: number; ends: number } {
    const count = frames.length;
    const ops = this.#ops;
    this.#nextBlob = 0;
    ops.begin();
    for (let k = 0; k < count; k++) ops.frame(frames[k]!);
    const words = ops.words;
    // Each op word stands for at most 8 bytes of tags, lengths and varints.
    const bound = ops.dataBytes + ops.external + words * 8 + 64;
    const out = this.#out.reserve(bound + zeros);
    const ends = this.#ends.reserve(count * 4 + 4);
    const x = this.#x;
    const total = x.frameEncodeBatch(ops.tape.ptr, words, count, ops.data.ptr, out, bound, ends, limit > 0 ? 1 : 0, limit);
    this.#views.refresh();
    if (total < 0) {
      const index = x.frameEncodeFailed();
      if (total === WasmStatus.TOO_LARGE || total === WasmStatus.EMPTY) {
        throw framingError(total, index, this.#frameSize(frames[index]!), limit);
      }
      throw internalError(total);
    }
    this.#out.trim(total);
    return { out, total, ends };
  }

  /** Encodes `frames` into one new buffer (see `encode`). */
  encodeOne(frames: readonly Frame[], limit: number, zeros = 0): Uint8Array<ArrayBuffer> {
    const { out, total } = this.encode(frames, limit, zeros);
    const bytes = new Uint8Array(total + zeros);
    this.#copyOut(bytes, out, 0, total);
    return bytes;
  }

  /**
   * Encodes `frames` into one array each. Small batches share one new buffer
   * (one allocation); past 64 KB each frame gets its own, as big allocations
   * are slow to fault in and would tie every frame's memory together.
   */
  encodeEach(frames: readonly Frame[]): Uint8Array[] {
    const { out, total, ends } = this.encode(frames, 0);
    const list: Uint8Array[] = new Array(frames.length);
    const i32 = this.#views.i32;
    const shared = total <= 65536 ? new Uint8Array(total) : null;
    if (shared) this.#copyOut(shared, out, 0, total);
    for (let k = 0, start = 0; k < frames.length; k++) {
      const end = i32[(ends >> 2) + k]!;
      let bytes: Uint8Array;
      if (shared) bytes = shared.subarray(start, end);
      else this.#copyOut((bytes = new Uint8Array(end - start)), out, start, end);
      list[k] = bytes;
      start = end;
    }
    return list;
  }

  /**
   * Copies output bytes [start, end) into `dest`: WASM's bytes, with the
   * external values filled straight from the caller's arrays into their room.
   */
  #copyOut(dest: Uint8Array, out: number, start: number, end: number): void {
    const u8 = this.#views.u8;
    const { blobs, blobOps } = this.#ops;
    const i32 = this.#views.i32;
    const t0 = this.#ops.tape.ptr >> 2;
    let prev = start;
    // External values in output order; skip those before `start` (earlier frames).
    let j = this.#nextBlob;
    while (j < blobs.length && i32[t0 + blobOps[j]!]! < start) j++;
    for (; j < blobs.length; j++) {
      const at = i32[t0 + blobOps[j]!]!;
      if (at >= end) break;
      dest.set(u8.subarray(out + prev, out + at), prev - start);
      dest.set(blobs[j]!, at - start);
      prev = at + blobs[j]!.length;
    }
    this.#nextBlob = j;
    dest.set(u8.subarray(out + prev, out + end), prev - start);
  }

  /** The unframed size of one frame (for error details). */
  #frameSize(frame: Frame): number {
    return this.encode([frame], 0).total;
  }
}
