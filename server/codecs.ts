/**
 * Loads the codecs the server speaks: the same modules as the browser
 * (src/codec), with the WASM core where it loads. The compressions come from
 * the codec's compression factory; whatever it provides becomes negotiable
 * (see wire.ts).
 */
import { createFrameCodec, loadWasmCore, type WasmCore } from '../src/codec/index.ts';
import { COMPRESSION_NAMES, createCompressor, type Compressor } from '../src/codec/compression.ts';
import { ErrorCode, FlareError } from '../src/codec/errors.ts';
import type { ServerCodecs } from './wire.ts';

/** What was loaded, for the start-up log. */
export interface CodecReport {
  protobuf: 'wasm' | 'js';
  compressions: string[];
}

async function wasmCore(): Promise<WasmCore | null> {
  try {
    return await loadWasmCore();
  } catch (e) {
    if (!FlareError.is(e, ErrorCode.WASM_UNAVAILABLE)) throw e;
    return null;
  }
}

/** Every compression the codec provides (besides `none`), keyed by name. */
function loadCompressors(wasm: WasmCore | null): Map<string, Compressor> {
  const out = new Map<string, Compressor>();
  for (const name of COMPRESSION_NAMES) {
    if (name === 'none') continue;
    try {
      out.set(name, createCompressor(name, { wasm }));
    } catch (e) {
      if (!FlareError.is(e, ErrorCode.UNSUPPORTED)) throw e;
    }
  }
  return out;
}

export async function loadServerCodecs(): Promise<{ codecs: ServerCodecs; report: CodecReport }> {
  const wasm = await wasmCore();
  const protobuf = createFrameCodec({ format: 'protobuf', wasm });
  const compressors = loadCompressors(wasm);
  return {
    codecs: { json: createFrameCodec({ format: 'json' }), protobuf, compressors },
    report: {
      protobuf: protobuf.implementation === 'wasm' ? 'wasm' : 'js',
      compressions: ['none', ...[...compressors.values()].map((c) => `${c.name}(${c.implementation})`)],
    },
  };
}
