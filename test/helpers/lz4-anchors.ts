/**
 * The two independent LZ4 implementations our LZ4 is checked against, loaded in
 * the test browser without a bundler:
 * - lz4js ships CommonJS only; its three files are fetched from node_modules
 *   and run with a minimal `require`.
 * - lz4-wasm (lz4_flex compiled to WASM) imports its `.wasm` as an ES module,
 *   which browsers cannot; its module is fetched and driven through the
 *   wasm-bindgen ABI directly. Its format is ours: u32 LE size + one block.
 */

/** The raw-block part of lz4js's API. */
export interface Lz4js {
  compressBlock(src: Uint8Array, dst: Uint8Array, sIndex: number, sLength: number, hashTable: Uint32Array): number;
  decompressBlock(src: Uint8Array, dst: Uint8Array, sIndex: number, sLength: number, dIndex: number): number;
  compressBound(n: number): number;
}

export async function loadLz4js(): Promise<Lz4js> {
  const files = new Map<string, string>();
  for (const f of ['lz4.js', 'util.js', 'xxh32.js']) {
    files.set(`./${f}`, await (await fetch(`/node_modules/lz4js/${f}`)).text());
  }
  const cache = new Map<string, unknown>();
  const require = (name: string): unknown => {
    const key = name.endsWith('.js') ? name : `${name}.js`;
    if (!cache.has(key)) {
      const module = { exports: {} as Record<string, unknown> };
      cache.set(key, module.exports);
      new Function('exports', 'require', 'module', files.get(key)!)(module.exports, require, module);
      cache.set(key, module.exports);
    }
    return cache.get(key);
  };
  return require('./lz4.js') as Lz4js;
}

/** lz4-wasm's `compress` / `decompress` (size-prefixed blocks). */
export interface Lz4Wasm {
  compress(data: Uint8Array): Uint8Array;
  decompress(frame: Uint8Array): Uint8Array;
}

interface BindgenExports {
  memory: WebAssembly.Memory;
  compress(ret: number, ptr: number, len: number): void;
  decompress(ret: number, ptr: number, len: number): void;
  __wbindgen_add_to_stack_pointer(delta: number): number;
  __wbindgen_malloc(size: number): number;
  __wbindgen_free(ptr: number, size: number): void;
}

/** lz4-wasm from the test server's node_modules. */
export async function loadLz4Wasm(): Promise<Lz4Wasm> {
  return lz4WasmFromBytes(await (await fetch('/node_modules/lz4-wasm/lz4_wasm_bg.wasm')).arrayBuffer());
}

/** lz4-wasm from the bytes of its `lz4_wasm_bg.wasm` (for pages that cannot fetch node_modules). */
export async function lz4WasmFromBytes(bytes: BufferSource): Promise<Lz4Wasm> {
  const { instance } = await WebAssembly.instantiate(bytes, {
    './lz4_wasm_bg.js': { __wbindgen_string_new: () => 0 },
  });
  const w = instance.exports as unknown as BindgenExports;
  const call = (fn: 'compress' | 'decompress', input: Uint8Array): Uint8Array => {
    const ret = w.__wbindgen_add_to_stack_pointer(-16);
    try {
      const ptr = w.__wbindgen_malloc(input.length);
      new Uint8Array(w.memory.buffer).set(input, ptr);
      w[fn](ret, ptr, input.length);
      const words = new Int32Array(w.memory.buffer, ret, 4);
      if (fn === 'decompress' && words[3]) throw new Error('lz4-wasm: decompression failed');
      const [p, n] = [words[0]!, words[1]!];
      const out = new Uint8Array(w.memory.buffer).slice(p, p + n);
      w.__wbindgen_free(p, n);
      return out;
    } finally {
      w.__wbindgen_add_to_stack_pointer(16);
    }
  };
  return { compress: (d) => call('compress', d), decompress: (f) => call('decompress', f) };
}
