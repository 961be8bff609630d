/**
 * The one place where a negotiated compression name becomes a compressor.
 *
 * CONNECT offers a name and CONNECT_ACK settles it (see PROTOCOL-FACTS.md):
 * `none`, `gzip` (what flare-core peers speak; a member starts with the magic
 * 1f 8b) or `lz4` (ours, used only when the server accepts it). After that
 * every frame is compressed whole, and a decompressed frame may not pass
 * 16 MiB (Limits.MAX_DECOMPRESSED_BYTES) unless the caller says otherwise.
 *
 * ```ts
 * const c = createCompressor(ack.compression, { wasm: await loadWasmCore() });
 * const wire = c.compress(frameBytes);
 * const frame = c.decompress(wire); // CodecError on bad input or past 16 MiB
 * ```
 * Each implementation has a WASM backend and a JavaScript one (gzip: fflate,
 * see gzip-js.ts; lz4: lz4-js.ts); both read each other's output.
 */
import { Limits } from './codec.ts';
import { CodecError, ErrorCode } from './errors.ts';
import { createGzipCodec } from './gzip.ts';
import { createLz4Codec } from './lz4.ts';
import type { WasmCore } from './wasm-core.ts';

/** The compression names a peer may negotiate. */
export const COMPRESSION_NAMES = ['none', 'gzip', 'lz4'] as const;
export type CompressionName = (typeof COMPRESSION_NAMES)[number];

/** Compresses and decompresses whole frames. Every method throws only CodecError. */
export interface Compressor {
  readonly name: CompressionName;
  /** Which backend runs: the WASM core, the JavaScript fallback, or nothing at all for 'none'. */
  readonly implementation: 'wasm' | 'js' | 'none';
  compress(bytes: Uint8Array): Uint8Array;
  /** Decompresses; fails with DECOMPRESSED_TOO_LARGE past `maxOutput` bytes (default 16 MiB). */
  decompress(bytes: Uint8Array, maxOutput?: number): Uint8Array;
  /** Compresses many frames (one WASM call). */
  compressBatch(frames: readonly Uint8Array[]): Uint8Array[];
  /** Decompresses many frames (one WASM call); throws the first failure, `details.index` saying which. */
  decompressBatch(frames: readonly Uint8Array[], maxOutput?: number): Uint8Array[];
}

export interface CompressorOptions {
  /** A loaded WASM core; null or absent selects the JavaScript backends. */
  wasm?: WasmCore | null;
  /** gzip level, 0..9 (default 1: fast, for realtime frames). Ignored by the others. */
  level?: number;
}

/** Whether `name` is a compression this library speaks. */
export function isCompressionName(name: unknown): name is CompressionName {
  return typeof name === 'string' && (COMPRESSION_NAMES as readonly string[]).includes(name);
}

/** Whether `bytes` start like a gzip member (magic 1f 8b), as a flare-core peer tells gzip frames. */
export function looksLikeGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

const none: Compressor = {
  name: 'none',
  implementation: 'none',
  compress: (bytes) => bytes,
  decompress(bytes, maxOutput = Limits.MAX_DECOMPRESSED_BYTES) {
    if (bytes.length > maxOutput) throw CodecError.decompressedTooLarge(maxOutput);
    return bytes;
  },
  compressBatch: (frames) => [...frames],
  decompressBatch(frames, maxOutput = Limits.MAX_DECOMPRESSED_BYTES) {
    return frames.map((f, index) => {
      if (f.length <= maxOutput) return f;
      const e = CodecError.decompressedTooLarge(maxOutput);
      e.details!['index'] = index;
      throw e;
    });
  },
};

/**
 * The compressor for a negotiated name. Throws CodecError UNSUPPORTED for a
 * name this library does not speak.
 */
export function createCompressor(name: string, options: CompressorOptions = {}): Compressor {
  const core = options.wasm ?? null;
  switch (name) {
    case 'none':
      return none;
    case 'gzip': {
      const codec = createGzipCodec(core);
      const level = { level: options.level ?? 1 };
      // Check the level now rather than on the first frame.
      if (!Number.isInteger(level.level) || level.level < 0 || level.level > 9) {
        throw new CodecError(ErrorCode.INVALID_ARGUMENT, `gzip: level must be an integer in [0, 9], got ${level.level}`);
      }
      return {
        name: 'gzip',
        implementation: codec.backend,
        compress: (bytes) => codec.compress(bytes, level),
        decompress: (bytes, maxOutput) => codec.decompress(bytes, { maxOutput: maxOutput ?? Limits.MAX_DECOMPRESSED_BYTES }),
        compressBatch: (frames) => codec.compressBatch(frames, level),
        decompressBatch: (frames, maxOutput) =>
          codec.decompressBatch(frames, { maxOutput: maxOutput ?? Limits.MAX_DECOMPRESSED_BYTES }),
      };
    }
    case 'lz4': {
      const codec = createLz4Codec(core);
      return {
        name: 'lz4',
        implementation: codec.backend,
        compress: (bytes) => codec.compress(bytes),
        decompress: (bytes, maxOutput) => codec.decompress(bytes, { maxOutput: maxOutput ?? Limits.MAX_DECOMPRESSED_BYTES }),
        compressBatch: (frames) => codec.compressBatch(frames),
        decompressBatch: (frames, maxOutput) =>
          codec.decompressBatch(frames, { maxOutput: maxOutput ?? Limits.MAX_DECOMPRESSED_BYTES }),
      };
    }
    default:
      throw new CodecError(ErrorCode.UNSUPPORTED, `unsupported compression "${name}"`, { details: { compression: name } });
  }
}
