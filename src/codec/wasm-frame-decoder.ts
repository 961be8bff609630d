/**
 * Batch protobuf decoding through the WASM core: the chunks are copied into
 * WASM memory (large ones by pages, only those the parser asks for: it skips
 * over bytes fields without reading them), one `frameDecodeBatch` call
 * parses all of them into a tape (see wasm-frame-tape.ts), and
 * wasm-frame-walk.ts builds the Frame objects from it.
 */
import type { FlareError } from './errors.ts';
import type { Frame } from './frame-types.ts';
import { invalidValue } from './frame-checks.ts';
import type { WasmCore } from './wasm-core.ts';
import { decodeError, internalError } from './wasm-frame-errors.ts';
import { INTERN_BYTES, INTERN_SLOTS, WasmStatus, type FrameExports } from './wasm-frame-tape.ts';
import { walk } from './wasm-frame-walk.ts';
import { WasmRegion, WasmViews } from './wasm-region.ts';

const NO_INPUT = new Uint8Array(0);

/** Tuning of the paged input (see assembly/frame/window.ts); tests use tiny pages. */
export interface WasmDecoderOptions {
  /** log2 of the page size in which large frames are copied into WASM memory (default 12: 4 KB). */
  pageShift?: number;
  /** Frames up to this many bytes are copied whole (default 16 KB). */
  eagerBytes?: number;
}

/** Decodes protobuf frames in batches through one WASM core. Not reentrant (nothing here is async). */
export class WasmFrameDecoder {
  readonly #x: FrameExports;
  readonly #views: WasmViews;
  readonly #input: WasmRegion;
  readonly #spans: WasmRegion;
  readonly #results: WasmRegion;
  readonly #tape: WasmRegion;
  readonly #pages: WasmRegion;
  /** The metadata-key intern table in WASM memory, and the strings of its slots. */
  readonly #keyTable: WasmRegion;
  #keyTableGeneration = 0;
  readonly #keys: string[] = new Array<string>(INTERN_SLOTS).fill('');
  readonly #pageShift: number;
  readonly #eager: number;

  constructor(core: WasmCore, options: WasmDecoderOptions = {}) {
    this.#x = core.exports as unknown as FrameExports;
    this.#views = new WasmViews(core);
    this.#input = new WasmRegion(core);
    this.#spans = new WasmRegion(core);
    this.#results = new WasmRegion(core);
    this.#tape = new WasmRegion(core);
    this.#pages = new WasmRegion(core);
    this.#keyTable = new WasmRegion(core);
    this.#pageShift = options.pageShift ?? 12;
    this.#eager = options.eagerBytes ?? 16384;
  }

  /** The WASM buffers this decoder holds (for freeing). */
  get regions(): readonly WasmRegion[] {
    return [this.#input, this.#spans, this.#results, this.#tape, this.#pages, this.#keyTable];
  }

  /** Decodes each chunk; a chunk that fails yields its CodecError in its slot. */
  decodeBatch(chunks: readonly Uint8Array[]): Array<Frame | FlareError> {
    const count = chunks.length;
    const out: Array<Frame | FlareError> = new Array(count);
    if (count === 0) return out;
    const shift = this.#pageShift;
    let total = 0;
    let bitmaps = 0;
    for (let k = 0; k < count; k++) {
      const chunk = chunks[k];
      if (!(chunk instanceof Uint8Array)) continue;
      total += chunk.length;
      if (chunk.length > this.#eager) bitmaps += ((((chunk.length - 1) >>> shift) >>> 5) + 1) * 4;
    }
    const input = this.#input.reserve(total + 1);
    const spans = this.#spans.reserve(count * 12);
    const results = this.#results.reserve(count * 16);
    const pages = bitmaps > 0 ? this.#pages.reserve(bitmaps) : 0;
    if (this.#tape.size < 4096) this.#tape.reserve(4096);
    const keyTable = this.#keyTable.reserve(INTERN_BYTES);
    this.#views.refresh();
    const u8 = this.#views.u8;
    if (this.#keyTable.generation !== this.#keyTableGeneration) {
      // A new table (first use, or after the regions were released): empty on both sides.
      u8.fill(0, keyTable, keyTable + INTERN_BYTES);
      this.#keys.fill('');
      this.#keyTableGeneration = this.#keyTable.generation;
    }
    if (pages !== 0) u8.fill(0, pages, pages + bitmaps);
    let i32 = this.#views.i32;
    const inputs = chunks as readonly unknown[];
    // Loaded page counts of paged frames (loads double them, bounding the retries).
    const loadedPages: number[] | null = bitmaps > 0 ? new Array<number>(count).fill(0) : null;
    for (let k = 0, at = input, bitmap = pages; k < count; k++) {
      const chunk = inputs[k];
      let bytes: Uint8Array = NO_INPUT;
      if (chunk instanceof Uint8Array) bytes = chunk;
      else out[k] = invalidValue(`chunks[${k}]`, 'a Uint8Array', chunk);
      const w = (spans >> 2) + 3 * k;
      i32[w] = at;
      i32[w + 1] = bytes.length;
      if (bytes.length > this.#eager) {
        // Paged: the first and the last page (headers before and after a big payload).
        i32[w + 2] = bitmap;
        const last = (bytes.length - 1) >>> shift;
        this.#load(bytes, at, bitmap, 0, 1);
        if (last > 0) this.#load(bytes, at, bitmap, last, 1);
        loadedPages![k] = last > 0 ? 2 : 1;
        bitmap += (((last >>> 5) + 1) * 4);
      } else {
        i32[w + 2] = 0;
        u8.set(bytes, at);
      }
      at += bytes.length;
    }
    let done = 0;
    while (done < count) {
      const tape = this.#tape;
      const got = this.#x.frameDecodeBatch(spans + 12 * done, count - done, tape.ptr, tape.size, results + 16 * done, keyTable, shift);
      const t = i32;
      const tape0 = tape.ptr >> 2;
      let from = tape0;
      for (let k = done, stop = done + got; k < stop; k++) {
        if (out[k] !== undefined) continue;
        const r = (results >> 2) + 4 * k;
        const status = t[r]!;
        if (status !== 0) {
          out[k] = decodeError(status, t[r + 1]!);
          continue;
        }
        const to = tape0 + t[r + 1]!;
        out[k] = walk(t, from, to, this.#views.u8, chunks[k]!, t[(spans >> 2) + 3 * k]!, this.#keys);
        from = to;
      }
      done += got;
      if (done === count) break;
      const r = (results >> 2) + 4 * done;
      const span = (spans >> 2) + 3 * done;
      if (t[r] === WasmStatus.NEED && t[span + 2] !== 0) {
        // More of a paged frame: the pages asked for, or as many as are loaded if more.
        const bytes = chunks[done]!;
        const first = t[r + 2]!;
        const n = Math.max(t[r + 3]!, loadedPages![done]!);
        if (this.#isLoaded(t[span + 2]!, first)) throw internalError(WasmStatus.NEED);
        loadedPages![done] += this.#load(bytes, t[span]!, t[span + 2]!, first, n);
      } else if (t[r] === WasmStatus.TAPE_FULL) {
        // The next frame did not fit. When it was the first of the call, grow to its worst
        // case (a 20-byte record per 2 input bytes); otherwise the emptied tape takes it.
        if (got === 0) {
          tape.reserve(Math.max(tape.size * 2, t[span + 1]! * 10 + 64));
          this.#views.refresh();
          i32 = this.#views.i32;
        }
      } else {
        throw internalError(t[r]!);
      }
    }
    this.#input.trim(total);
    this.#tape.trim(total * 2);
    return out;
  }

  /** Copies pages [first, first + n) of a paged frame into WASM memory; returns how many. */
  #load(bytes: Uint8Array, at: number, bitmap: number, first: number, n: number): number {
    const shift = this.#pageShift;
    const last = Math.min(first + n, ((bytes.length - 1) >>> shift) + 1);
    const u8 = this.#views.u8;
    u8.set(bytes.subarray(first << shift, Math.min(last << shift, bytes.length)), at + (first << shift));
    for (let p = first; p < last; p++) u8[bitmap + (p >>> 3)]! |= 1 << (p & 7);
    return last - first;
  }

  #isLoaded(bitmap: number, page: number): boolean {
    return (this.#views.u8[bitmap + (page >>> 3)]! & (1 << (page & 7))) !== 0;
  }

  /**
   * Forgets the interned metadata keys (both sides start over on the next
   * call): after an unexpected exception left the table and the strings out
   * of step.
   */
  reset(): void {
    this.#keyTableGeneration = -1;
  }

  /** Decodes one frame; throws its CodecError. */
  decode(bytes: Uint8Array): Frame {
    if (!(bytes instanceof Uint8Array)) throw invalidValue('bytes', 'a Uint8Array', bytes);
    const result = this.decodeBatch([bytes])[0]!;
    if (result instanceof Error) throw result;
    return result;
  }
}
