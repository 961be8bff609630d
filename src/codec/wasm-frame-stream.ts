/**
 * Length-prefixed stream framing on the WASM core (assembly/frame/stream.ts):
 * each frame preceded by its length as a 4-byte big-endian integer, a zero
 * length ends the stream, declared lengths over a limit (default 10 MiB, as
 * flare-core) are refused, after the frames before them (see Deframed). The
 * deframer keeps the bytes of an unfinished frame in WASM memory across chunks
 * and finds all complete frames of a chunk in one call; the framer packs many
 * frames into one buffer for one write.
 */
import { Limits, type Deframed, type StreamDeframer } from './codec.ts';
import { CodecError } from './errors.ts';
import { invalidValue } from './frame-checks.ts';
import type { WasmCore } from './wasm-core.ts';
import { framingError, internalError } from './wasm-frame-errors.ts';
import { ScanState, type FrameExports } from './wasm-frame-tape.ts';
import { WasmRegion, WasmViews, track, untrack } from './wasm-region.ts';

/** Options of the WASM framer and deframer. */
export interface WasmFramingOptions {
  /** Largest frame in bytes, declared or packed. Default: 10 MiB (flare-core's limit). */
  maxFrameBytes?: number;
}

/** Frames found per scan call; a chunk holding more takes several calls. */
const SCAN_BATCH = 1024;

function checkLimit(options: WasmFramingOptions): number {
  const max = options.maxFrameBytes ?? Limits.MAX_FRAME_BYTES;
  if (!Number.isInteger(max) || max < 1 || max > 0x7fffffff) {
    throw invalidValue('maxFrameBytes', 'an integer in [1, 2^31)', max);
  }
  return max;
}

/**
 * Reassembles frames from stream chunks split anywhere. Returned frames are
 * copies (views into one new buffer per push), never views into WASM memory
 * or into the chunk. Call `dispose()` when the stream is done to free the
 * WASM buffer at once (it is otherwise freed when the deframer is collected).
 */
export class WasmStreamDeframer implements StreamDeframer {
  readonly #x: FrameExports;
  readonly #views: WasmViews;
  readonly #max: number;
  /** Unconsumed stream bytes, at the start of #buf. */
  readonly #buf: WasmRegion;
  readonly #scan: WasmRegion;
  #held = 0;
  #ended = false;
  #failed: CodecError | null = null;

  constructor(core: WasmCore, options: WasmFramingOptions = {}) {
    this.#x = core.exports as unknown as FrameExports;
    this.#views = new WasmViews(core);
    this.#max = checkLimit(options);
    this.#buf = new WasmRegion(core);
    this.#scan = new WasmRegion(core);
    track(this, [this.#buf, this.#scan]);
  }

  /** True after the zero-length end-of-stream marker; later bytes are ignored. */
  get ended(): boolean {
    return this.#ended;
  }

  /** Bytes held waiting for the rest of a frame. */
  get buffered(): number {
    return this.#held;
  }

  push(chunk: Uint8Array): Deframed {
    if (!(chunk instanceof Uint8Array)) throw invalidValue('chunk', 'a Uint8Array', chunk);
    const frames: Uint8Array[] = [];
    if (this.#ended || this.#failed || chunk.length === 0) return { frames, error: this.#failed, ended: this.#ended };
    const held = this.#held;
    const buf = this.#buf.grow(held + chunk.length, held);
    const header = this.#scan.reserve(16 + SCAN_BATCH * 8);
    this.#views.refresh();
    this.#views.u8.set(chunk, buf + held);
    let size = held + chunk.length;
    let at = 0;
    for (;;) {
      const count = this.#x.streamScan(buf + at, size - at, this.#max, header, SCAN_BATCH);
      const i32 = this.#views.i32;
      const h = header >> 2;
      const consumed = i32[h]!;
      const state = i32[h + 1]!;
      if (count > 0) {
        // One copy for all frames of this scan: they are views into it.
        const first = i32[h + 4]!;
        const last = h + 4 + 2 * (count - 1);
        const stop = i32[last]! + i32[last + 1]!;
        const copy = this.#views.u8.slice(buf + at + first, buf + at + stop);
        for (let k = 0; k < count; k++) {
          const off = i32[h + 4 + 2 * k]! - first;
          frames.push(copy.subarray(off, off + i32[h + 5 + 2 * k]!));
        }
      }
      at += consumed;
      if (state === ScanState.FULL) continue;
      if (state === ScanState.ENDED) {
        this.#ended = true;
        at = size; // bytes after the end marker are ignored
      } else if (state === ScanState.TOO_LARGE) {
        // The frames above are copies, so the buffers can go now; nothing of the bad frame is kept.
        this.#failed = CodecError.tooLarge(i32[h + 2]! >>> 0, this.#max);
        this.#release();
        return { frames, error: this.#failed, ended: false };
      } else if (state !== ScanState.MORE) {
        throw internalError(state);
      }
      break;
    }
    // Keep the unfinished tail at the start of the buffer.
    if (at > 0 && at < size) this.#views.u8.copyWithin(buf, buf + at, buf + size);
    this.#held = size - at;
    if (this.#held === 0) this.#buf.trim(0);
    return { frames, error: null, ended: this.#ended };
  }

  /** Frees the WASM buffers; the deframer then reports end of stream. */
  dispose(): void {
    this.#ended = true;
    this.#release();
  }

  #release(): void {
    this.#held = 0;
    this.#buf.release();
    this.#scan.release();
    untrack(this);
  }
}

/**
 * Packs frames into one buffer for one write: each preceded by its 4-byte
 * big-endian length; `end: true` appends the zero-length end-of-stream
 * marker. Throws CodecError: INVALID_ARGUMENT for an empty frame (it would
 * read as the end of the stream), FRAME_TOO_LARGE for one over the limit.
 */
export class WasmFramer {
  readonly #x: FrameExports;
  readonly #views: WasmViews;
  readonly #max: number;
  readonly #buf: WasmRegion;
  readonly #lens: WasmRegion;

  constructor(core: WasmCore, options: WasmFramingOptions = {}) {
    this.#x = core.exports as unknown as FrameExports;
    this.#views = new WasmViews(core);
    this.#max = checkLimit(options);
    this.#buf = new WasmRegion(core);
    this.#lens = new WasmRegion(core);
    track(this, [this.#buf, this.#lens]);
  }

  packFrames(frames: readonly Uint8Array[], options: { end?: boolean } = {}): Uint8Array {
    if (!Array.isArray(frames)) throw invalidValue('frames', 'an array of Uint8Array', frames);
    const count = frames.length;
    let total = options.end ? 4 : 0;
    for (let k = 0; k < count; k++) {
      const f = frames[k] as unknown;
      if (!(f instanceof Uint8Array)) throw invalidValue(`frames[${k}]`, 'a Uint8Array', f);
      total += 4 + f.length;
    }
    const buf = this.#buf.reserve(total);
    const lens = this.#lens.reserve(count * 4 + 4);
    this.#views.refresh();
    const u8 = this.#views.u8;
    const i32 = this.#views.i32;
    for (let k = 0, at = buf; k < count; k++) {
      const f = frames[k]!;
      u8.set(f, at + 4);
      i32[(lens >> 2) + k] = f.length;
      at += 4 + f.length;
    }
    const written = this.#x.streamPack(buf, lens, count, this.#max);
    if (written < 0) {
      const index = this.#x.streamPackFailed();
      throw framingError(written, index, frames[index]?.length ?? 0, this.#max);
    }
    if (options.end) u8.fill(0, buf + written, buf + written + 4);
    const out = u8.slice(buf, buf + total);
    this.#buf.trim(total);
    return out;
  }

  /** Frees the WASM buffers now (they are allocated again on the next pack). */
  dispose(): void {
    this.#buf.release();
    this.#lens.release();
  }
}

/** A framer and deframers that share one core and one limit. */
export interface WasmFrameStream {
  /** Packs frames for one write (see WasmFramer.packFrames). */
  packFrames(frames: readonly Uint8Array[], options?: { end?: boolean }): Uint8Array;
  /** A new deframer for one incoming stream. */
  deframer(): WasmStreamDeframer;
  /** The limit in bytes this framing enforces. */
  readonly maxFrameBytes: number;
}

/** Length-prefixed framing on the WASM core, with `maxFrameBytes` (default 10 MiB). */
export function wasmFrameStream(core: WasmCore, options: WasmFramingOptions = {}): WasmFrameStream {
  const maxFrameBytes = checkLimit(options);
  const framer = new WasmFramer(core, { maxFrameBytes });
  return {
    maxFrameBytes,
    packFrames: (frames, packOptions) => framer.packFrames(frames, packOptions),
    deframer: () => new WasmStreamDeframer(core, { maxFrameBytes }),
  };
}
