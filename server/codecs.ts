/**
 * Loads the codecs the server speaks: the same modules as the browser
 * (src/codec), with the WASM core where it loads. Compression plugs in here
 * (see wire.ts); until the compression modules exist only `none` is offered.
 */
import { createFrameCodec, loadWasmCore } from '../src/codec/index.ts';
import { ErrorCode, FlareError } from '../src/codec/errors.ts';
import type { FrameCodec } from '../src/codec/codec.ts';
import type { Compressor, ServerCodecs } from './wire.ts';

/** What was loaded, for the start-up log. */
export interface CodecReport {
  protobuf: 'wasm' | 'js' | 'unavailable';
  compressions: string[];
}

async function loadProtobuf(): Promise<FrameCodec | null> {
  let wasm = null;
  try {
    wasm = await loadWasmCore();
  } catch (e) {
    if (!FlareError.is(e, ErrorCode.WASM_UNAVAILABLE)) throw e;
  }
  try {
    return createFrameCodec({ format: 'protobuf', wasm });
  } catch (e) {
    // A codec build without protobuf support: the server offers JSON only.
    if (FlareError.is(e, ErrorCode.UNSUPPORTED)) return null;
    throw e;
  }
}

/** Compressions from the codec's compression modules (none yet: negotiates `none`). */
function loadCompressors(): Map<string, Compressor> {
  return new Map();
}

export async function loadServerCodecs(): Promise<{ codecs: ServerCodecs; report: CodecReport }> {
  const protobuf = await loadProtobuf();
  const compressors = loadCompressors();
  return {
    codecs: { json: createFrameCodec({ format: 'json' }), protobuf, compressors },
    report: { protobuf: protobuf ? protobuf.implementation === 'wasm' ? 'wasm' : 'js' : 'unavailable', compressions: ['none', ...compressors.keys()] },
  };
}
