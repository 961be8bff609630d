/**
 * Small frames skip compression (our extension; docs/PROTOCOL.md). flare-core
 * compresses every frame after negotiation, whatever its size; on a chat-sized
 * or RPC-sized frame that buys nothing and costs two codec calls per hop.
 *
 * Negotiation: the client puts `compress_min` (bytes) in CONNECT metadata;
 * a server that speaks the extension answers with `compress_min` in
 * CONNECT_ACK. Only then do both sides send frames shorter than that many
 * bytes (serialized, before compression) uncompressed. A flare-core peer
 * ignores the key and does not answer it, so nothing changes with it.
 *
 * An uncompressed frame is told apart from a compressed one by its first bytes:
 * - gzip: a compressed frame starts with the gzip magic `1f 8b`; a plain
 *   frame never does (a protobuf frame cannot start with 0x1f, a field-3 tag
 *   of the invalid wire type 7; JSON starts with `{` or blank), so it goes as
 *   it is;
 * - lz4 (size-prefixed block): a plain frame is sent behind the marker
 *   `ff ff ff ff`, which as a size prefix would announce 4 GiB, far past any
 *   decompression limit, so no compressed frame starts with it.
 */
import { CodecError, ErrorCode } from '../codec/errors.ts';

/** The CONNECT / CONNECT_ACK metadata key. */
export const COMPRESS_MIN_KEY = 'compress_min';
/** Default threshold the client asks for: frames under 256 bytes go uncompressed. */
export const DEFAULT_COMPRESS_MIN = 256;
/** Largest threshold accepted (a larger value is capped). */
export const MAX_COMPRESS_MIN = 64 * 1024;

const LZ4_PLAIN_MARKER = 0xff;
const LZ4_MARKER_LENGTH = 4;

/** The part of a compressor this needs (src/codec/compression.ts `Compressor` and the worker's `FrameCompressor` fit). */
export interface WholeFrameCompressor {
  readonly name: string;
  compress(bytes: Uint8Array): Uint8Array;
  decompress(bytes: Uint8Array, maxOutput?: number): Uint8Array;
  compressBatch?(frames: readonly Uint8Array[]): Uint8Array[];
  decompressBatch?(frames: readonly Uint8Array[], maxOutput?: number): Uint8Array[];
}

/** Reads a `compress_min` value: a whole number of bytes (capped), or 0 when absent or malformed. */
export function parseCompressMin(text: string | undefined): number {
  if (text === undefined || !/^\d{1,9}$/.test(text)) return 0;
  return Math.min(Number(text), MAX_COMPRESS_MIN);
}

/** Whether `bytes` is an uncompressed frame under `compression`'s rule above. */
export function isPlainFrame(compression: string, bytes: Uint8Array): boolean {
  if (compression === 'gzip') return !(bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b);
  return bytes.length >= LZ4_MARKER_LENGTH && bytes[0] === LZ4_PLAIN_MARKER && bytes[1] === LZ4_PLAIN_MARKER && bytes[2] === LZ4_PLAIN_MARKER && bytes[3] === LZ4_PLAIN_MARKER;
}

function plain(compression: string, bytes: Uint8Array): Uint8Array {
  if (compression === 'gzip') return bytes;
  const out = new Uint8Array(bytes.length + LZ4_MARKER_LENGTH);
  out.fill(LZ4_PLAIN_MARKER, 0, LZ4_MARKER_LENGTH);
  out.set(bytes, LZ4_MARKER_LENGTH);
  return out;
}

function unplain(compression: string, bytes: Uint8Array, maxOutput: number | undefined): Uint8Array {
  const body = compression === 'gzip' ? bytes : bytes.subarray(LZ4_MARKER_LENGTH);
  if (maxOutput !== undefined && body.length > maxOutput) throw CodecError.decompressedTooLarge(maxOutput);
  return body;
}

/**
 * `c`, except that frames shorter than `minBytes` are sent uncompressed and
 * uncompressed frames are recognised on the way in. `minBytes` 0 returns `c`.
 */
export function skipSmallFrames<C extends WholeFrameCompressor>(c: C, minBytes: number): C {
  if (!(minBytes > 0)) return c;
  const name = c.name;
  if (name !== 'gzip' && name !== 'lz4') throw new CodecError(ErrorCode.UNSUPPORTED, `small frames: no plain-frame rule for compression "${name}"`);
  const compressOne = (b: Uint8Array) => (b.length < minBytes ? plain(name, b) : c.compress(b));
  const decompressOne = (b: Uint8Array, max?: number) => (isPlainFrame(name, b) ? unplain(name, b, max) : c.decompress(b, max));
  return {
    ...c,
    name,
    compress: compressOne,
    decompress: decompressOne,
    compressBatch(frames: readonly Uint8Array[]): Uint8Array[] {
      const big = frames.filter((f) => f.length >= minBytes);
      if (big.length < 2 || !c.compressBatch) return frames.map(compressOne);
      const squeezed = c.compressBatch(big);
      let k = 0;
      return frames.map((f) => (f.length < minBytes ? plain(name, f) : squeezed[k++]!));
    },
    decompressBatch(frames: readonly Uint8Array[], maxOutput?: number): Uint8Array[] {
      const packed = frames.filter((f) => !isPlainFrame(name, f));
      if (packed.length < 2 || !c.decompressBatch) return frames.map((f) => decompressOne(f, maxOutput));
      const opened = c.decompressBatch(packed, maxOutput);
      let k = 0;
      return frames.map((f) => (isPlainFrame(name, f) ? unplain(name, f, maxOutput) : opened[k++]!));
    },
  };
}
