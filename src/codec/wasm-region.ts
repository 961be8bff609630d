/**
 * Growable buffers in WASM memory for the codec wrappers, and the views to
 * reach them. Buffers come from the core's `alloc` (not GC-managed) and are
 * freed by `release`, or when their owner is garbage-collected (`track`).
 * Any allocation may grow the memory, which detaches earlier views: take
 * views through `WasmViews` after every reserve or grow.
 */
import type { WasmCore } from './wasm-core.ts';

const MIN_BYTES = 256;

/** One buffer in WASM memory: `ptr` and `size` change when it grows. */
export class WasmRegion {
  readonly #core: WasmCore;
  ptr = 0;
  size = 0;
  /** Counts allocations: a change means the contents are new (uninitialised) memory. */
  generation = 0;

  constructor(core: WasmCore) {
    this.#core = core;
  }

  /** Makes room for `bytes` (contents are not kept). Returns the pointer. */
  reserve(bytes: number): number {
    if (bytes > this.size) {
      this.release();
      const size = roundUp(bytes);
      this.ptr = this.#core.exports.alloc(size);
      this.size = size;
      this.generation++;
    }
    return this.ptr;
  }

  /** Makes room for `bytes`, keeping the first `keep` bytes. Returns the pointer. */
  grow(bytes: number, keep: number): number {
    if (bytes <= this.size) return this.ptr;
    const size = roundUp(bytes);
    const ptr = this.#core.exports.alloc(size);
    if (keep > 0) this.#core.u8.copyWithin(ptr, this.ptr, this.ptr + keep);
    this.release();
    this.ptr = ptr;
    this.size = size;
    this.generation++;
    return ptr;
  }

  /** Frees the buffer when it is much larger than the last use needed (after a rare big batch). */
  trim(used: number): void {
    if (this.size > 1 << 22 && used < this.size >>> 3) this.release();
  }

  /** Frees the buffer (it is allocated again on the next reserve). */
  release(): void {
    if (this.ptr !== 0) this.#core.exports.dealloc(this.ptr);
    this.ptr = 0;
    this.size = 0;
  }
}

function roundUp(n: number): number {
  let size = MIN_BYTES;
  while (size < n) size *= 2;
  return size;
}

const registry = new FinalizationRegistry<readonly WasmRegion[]>((regions) => {
  for (const region of regions) region.release();
});

/** Frees `regions` once `owner` is garbage-collected (unless released before). */
export function track(owner: object, regions: readonly WasmRegion[]): void {
  registry.register(owner, regions, owner);
}

/** Stops tracking `owner` (after its regions were released explicitly). */
export function untrack(owner: object): void {
  registry.unregister(owner);
}

/** Byte and word views of a core's memory, renewed when the memory grew. */
export class WasmViews {
  readonly #memory: WebAssembly.Memory;
  #u8: Uint8Array;
  #i32: Int32Array;

  constructor(core: WasmCore) {
    this.#memory = core.exports.memory;
    this.#u8 = new Uint8Array(this.#memory.buffer);
    this.#i32 = new Int32Array(this.#memory.buffer);
  }

  /** Renews the views if the memory grew since they were made. */
  refresh(): void {
    const buffer = this.#memory.buffer;
    if (this.#u8.buffer !== buffer) {
      this.#u8 = new Uint8Array(buffer);
      this.#i32 = new Int32Array(buffer);
    }
  }

  get u8(): Uint8Array {
    return this.#u8;
  }

  get i32(): Int32Array {
    return this.#i32;
  }
}
