/**
 * Loads the WASM codec core (assembly/, embedded by scripts/build-wasm.mjs) once
 * per realm. Where WebAssembly is missing or forbidden (a CSP without
 * 'wasm-unsafe-eval'), `loadWasmCore` rejects with WASM_UNAVAILABLE and callers
 * use the JavaScript fallback codecs instead.
 */
import { WASM_BASE64 } from './generated/wasm-module.ts';
import { FlareError, ErrorCode } from './errors.ts';

/** The raw exports of the module; each subsystem adds its own (see assembly/index.ts). */
export interface WasmExports {
  readonly memory: WebAssembly.Memory;
  alloc(size: number): number;
  dealloc(ptr: number): void;
  [name: string]: unknown;
}

/** A loaded core: its exports plus helpers to move bytes in and out of its memory. */
export class WasmCore {
  readonly exports: WasmExports;
  #u8: Uint8Array;

  constructor(instance: WebAssembly.Instance) {
    this.exports = instance.exports as unknown as WasmExports;
    this.#u8 = new Uint8Array(this.exports.memory.buffer);
  }

  /** A view of all of WASM memory, renewed after the memory grew (growth detaches old views). */
  get u8(): Uint8Array {
    if (this.#u8.buffer !== this.exports.memory.buffer) this.#u8 = new Uint8Array(this.exports.memory.buffer);
    return this.#u8;
  }

  /** Copies bytes into a fresh allocation; the caller frees it with `dealloc`. */
  copyIn(bytes: Uint8Array): number {
    const ptr = this.exports.alloc(Math.max(bytes.length, 1));
    this.u8.set(bytes, ptr);
    return ptr;
  }

  /** Copies `len` bytes at `ptr` out of WASM memory into a new array. */
  copyOut(ptr: number, len: number): Uint8Array {
    return this.u8.slice(ptr, ptr + len);
  }
}

let bytes: Uint8Array<ArrayBuffer> | null = null;
function moduleBytes(): Uint8Array<ArrayBuffer> {
  if (!bytes) {
    const bin = atob(WASM_BASE64);
    bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  }
  return bytes;
}

function imports(): WebAssembly.Imports {
  return {
    env: {
      // Reached only by a bug in assembly/ (untrusted input never throws there).
      abort(_msg: number, _file: number, line: number, col: number): never {
        throw new FlareError(ErrorCode.WASM_ABORT, `WASM codec aborted at ${line}:${col}`);
      },
      seed: () => Date.now() * Math.random(),
    },
  };
}

function unavailable(cause: unknown): FlareError {
  return new FlareError(ErrorCode.WASM_UNAVAILABLE, 'WebAssembly is not available here; using the JavaScript codecs', { cause });
}

let pending: Promise<WasmCore> | null = null;
let loaded: WasmCore | null = null;

/** Loads the core asynchronously (works on the main thread, in workers and on Deno). */
export function loadWasmCore(): Promise<WasmCore> {
  if (loaded) return Promise.resolve(loaded);
  pending ??= (async () => {
    if (typeof WebAssembly === 'undefined') throw unavailable(null);
    try {
      const module = await WebAssembly.compile(moduleBytes());
      loaded = new WasmCore(await WebAssembly.instantiate(module, imports()));
      return loaded;
    } catch (e) {
      pending = null;
      throw unavailable(e);
    }
  })();
  return pending;
}

/**
 * Loads the core synchronously. Fine in workers and on Deno; browsers refuse
 * synchronous compilation of large modules on the main thread, so pages use
 * `loadWasmCore`. Returns null when WebAssembly is unavailable.
 */
export function loadWasmCoreSync(): WasmCore | null {
  if (loaded) return loaded;
  if (typeof WebAssembly === 'undefined') return null;
  try {
    loaded = new WasmCore(new WebAssembly.Instance(new WebAssembly.Module(moduleBytes()), imports()));
    return loaded;
  } catch {
    return null;
  }
}
