/**
 * The public entry of Flare Web's codec (`flare-web/codec`): wire types,
 * errors, metadata helpers, frame builders, and the codecs behind one
 * interface. Pick a codec by format with `createFrameCodec`, or get both
 * formats at once with `loadCodecs`, which uses the WASM core where
 * WebAssembly may run and the JavaScript fallback where it may not.
 */
import type { FrameCodec, StreamDeframer } from './codec.ts';
import { CodecError, ErrorCode, FlareError } from './errors.ts';
import type { FormatName } from './frame-types.ts';
import { createJsonCodec } from './json-codec.ts';
import { createJsProtobufCodec } from './js-protobuf-codec.ts';
import { loadWasmCore, type WasmCore } from './wasm-core.ts';
import { createWasmFrameCodec } from './wasm-frame-codec.ts';
import { WasmStreamDeframer } from './wasm-frame-stream.ts';
import { createJsDeframer, type DeframerOptions } from './js-stream-framing.ts';

export * from './frame-types.ts';
export * from './errors.ts';
export { Limits, type Deframed, type FrameCodec, type StreamDeframer } from './codec.ts';
export * from './metadata.ts';
export * from './frames.ts';
export { createJsonCodec, encodeFrameJsonText, decodeFrameJsonText } from './json-codec.ts';
export { frameToJson, type FrameJson } from './json-shape.ts';
export { frameFromJson } from './json-reader.ts';
export { createJsProtobufCodec } from './js-protobuf-codec.ts';
export { createJsDeframer, JsStreamDeframer, packFrames, splitBatch, type DeframerOptions, type SplitBatch } from './js-stream-framing.ts';
export { loadWasmCore, loadWasmCoreSync, WasmCore } from './wasm-core.ts';
export { createWasmFrameCodec, type WasmFrameCodec } from './wasm-frame-codec.ts';
export { wasmFrameStream, WasmFramer, WasmStreamDeframer, type WasmFrameStream, type WasmFramingOptions } from './wasm-frame-stream.ts';
export {
  createCompressor,
  isCompressionName,
  looksLikeGzip,
  COMPRESSION_NAMES,
  type Compressor,
  type CompressionName,
  type CompressorOptions,
} from './compression.ts';
export { TransportScorer, DEFAULT_SCORING, SampleKind, type ScoringConfig, type TransportSnapshot, type Decision } from './scoring.ts';

/** What `createFrameCodec` needs to know. */
export interface FrameCodecOptions {
  format: FormatName;
  /**
   * A loaded WASM core for the protobuf codec; null or absent selects the
   * JavaScript fallback (same bytes, no WebAssembly).
   */
  wasm?: WasmCore | null;
}

let json: FrameCodec | null = null;
let jsProtobuf: FrameCodec | null = null;
const wasmCodecs = new WeakMap<WasmCore, FrameCodec>();

/**
 * The codec for one format, shared per realm (codecs are synchronous, so one
 * instance serves every caller). The JSON codec never needs WebAssembly; the
 * protobuf codec is the WASM one when `wasm` is given (one per core), else the
 * JavaScript one. For a codec of your own (and `dispose()`), call
 * `createWasmFrameCodec(core)`.
 */
export function createFrameCodec(options: FrameCodecOptions): FrameCodec {
  if (options.format === 'json') return (json ??= createJsonCodec());
  if (options.format === 'protobuf') {
    const core = options.wasm;
    if (!core) return (jsProtobuf ??= createJsProtobufCodec());
    let codec = wasmCodecs.get(core);
    if (!codec) wasmCodecs.set(core, (codec = createWasmFrameCodec(core)));
    return codec;
  }
  throw new CodecError(ErrorCode.INVALID_ARGUMENT, `unknown format ${String(options.format)}`);
}

/** Both codecs, ready to use, and which protobuf implementation was chosen. */
export interface Codecs {
  protobuf: FrameCodec;
  json: FrameCodec;
  /** The WASM core when it loaded, else null (the JavaScript fallback is in use). */
  wasm: WasmCore | null;
}

/** Options of `loadCodecs`. */
export interface LoadCodecsOptions {
  /** false: use the JavaScript protobuf codec without trying WebAssembly. Default true. */
  preferWasm?: boolean;
  /** Loads the core (default `loadWasmCore`); a seam for tests and custom loading. */
  loadWasm?: () => Promise<WasmCore>;
}

/**
 * Loads the WASM core and returns both codecs; where WebAssembly is
 * unavailable (WASM_UNAVAILABLE) the protobuf codec is the JavaScript fallback.
 * Any other failure is rethrown.
 */
export async function loadCodecs(options: LoadCodecsOptions = {}): Promise<Codecs> {
  let wasm: WasmCore | null = null;
  if (options.preferWasm !== false) {
    try {
      wasm = await (options.loadWasm ?? loadWasmCore)();
    } catch (e) {
      if (!FlareError.is(e, ErrorCode.WASM_UNAVAILABLE)) throw e;
    }
  }
  return { protobuf: createFrameCodec({ format: 'protobuf', wasm }), json: createFrameCodec({ format: 'json' }), wasm };
}

/**
 * A deframer for one incoming length-prefixed stream: on the WASM core when
 * one is given, else in JavaScript. Same behaviour either way (limit default
 * 10 MiB, a larger declared length reported as FRAME_TOO_LARGE after the
 * frames before it, zero length = end).
 */
export function createDeframer(options: DeframerOptions & { wasm?: WasmCore | null } = {}): StreamDeframer {
  const { wasm, ...rest } = options;
  return wasm ? new WasmStreamDeframer(wasm, rest) : createJsDeframer(rest);
}
