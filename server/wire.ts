/**
 * Frames to bytes and back for one connection: the negotiated codec (format)
 * and compression. This is the one place compression plugs in: a Compressor
 * (src/codec/compression.ts) registered in `ServerCodecs.compressors` becomes
 * negotiable.
 */
import type { FrameCodec } from '../src/codec/codec.ts';
import { CodecError, ErrorCode } from '../src/codec/errors.ts';
import type { Frame, FormatName } from '../src/codec/frame-types.ts';
import type { Compressor } from '../src/codec/compression.ts';
import { skipSmallFrames } from '../src/protocol/small-frames.ts';

export type { Compressor };

/** The codecs and compressions this server can speak. */
export interface ServerCodecs {
  json: FrameCodec;
  /** Null when no protobuf codec is available (the server then offers JSON only). */
  protobuf: FrameCodec | null;
  /** By name (`gzip`, `lz4`); `none` is implicit and never listed. */
  compressors: ReadonlyMap<string, Compressor>;
}

/** Encoder/decoder for one (format, compression) pair. */
export class Wire {
  /** `format/compression`: frames encoded once are shared by every connection with the same key. */
  readonly key: string;
  readonly format: FormatName;
  readonly compression: string;

  readonly compressor: Compressor | null;

  /** `compressMin` > 0: frames shorter than that go uncompressed (agreed in the handshake; src/protocol/small-frames.ts). */
  constructor(
    readonly codec: FrameCodec,
    compressor: Compressor | null,
    readonly maxDecompressedBytes: number,
    readonly compressMin = 0,
  ) {
    this.compressor = compressor && compressMin > 0 ? skipSmallFrames(compressor, compressMin) : compressor;
    this.format = codec.format;
    this.compression = compressor?.name ?? 'none';
    this.key = `${this.format}/${this.compression}${this.compressor && compressMin > 0 ? `<${compressMin}` : ''}`;
  }

  encode(frame: Frame): Uint8Array {
    const bytes = this.codec.encode(frame);
    return this.compressor ? this.compressor.compress(bytes) : bytes;
  }

  /** Throws CodecError on bytes that do not decode. */
  decode(bytes: Uint8Array): Frame {
    const plain = this.compressor ? this.compressor.decompress(bytes, this.maxDecompressedBytes) : bytes;
    return this.codec.decode(plain);
  }
}

const GZIP_MAGIC_0 = 0x1f;
const GZIP_MAGIC_1 = 0x8b;

/**
 * Decodes a frame before negotiation is complete, whatever its format:
 * JSON (first non-blank byte `{`), else protobuf; gzip is recognised by its
 * magic. This is flare-core's leniency before NEGOTIATION_READY.
 */
export function decodeLenient(codecs: ServerCodecs, bytes: Uint8Array, maxDecompressedBytes: number): Frame {
  return decodeLenientWith(codecs, bytes, maxDecompressedBytes).frame;
}

/** `decodeLenient`, also naming the codec that read the frame (an answer before negotiation goes out in it, uncompressed). */
export function decodeLenientWith(codecs: ServerCodecs, bytes: Uint8Array, maxDecompressedBytes: number): { frame: Frame; codec: FrameCodec } {
  let b = bytes;
  if (b.length > 2 && b[0] === GZIP_MAGIC_0 && b[1] === GZIP_MAGIC_1) {
    const gzip = codecs.compressors.get('gzip');
    if (!gzip) throw new CodecError(ErrorCode.UNSUPPORTED, 'gzip frame before negotiation, and gzip is not available');
    b = gzip.decompress(b, maxDecompressedBytes);
  }
  let i = 0;
  while (i < b.length && (b[i] === 0x20 || b[i] === 0x0a || b[i] === 0x0d || b[i] === 0x09)) i++;
  const codec = b[i] === 0x7b /* { */ || !codecs.protobuf ? codecs.json : codecs.protobuf;
  return { frame: codec.decode(b), codec };
}

/**
 * Picks the compression from the client's request: a single name as
 * flare-core sends it (`gzip`, `none`), or our comma-separated preference
 * list (`lz4,gzip,none`). Unknown names are skipped; the fallback is none.
 */
export function chooseCompression(requested: string | undefined, available: ReadonlyMap<string, Compressor>): Compressor | null {
  if (!requested) return null;
  for (const name of requested.split(',').map((s) => s.trim().toLowerCase())) {
    if (name === 'none' || name === '') return null;
    const c = available.get(name);
    if (c) return c;
  }
  return null;
}

/**
 * A frame sent to many connections (room fan-out, broadcast): encoded once
 * per (format, compression) and shared, instead of once per connection.
 */
export class SharedFrame {
  readonly #cache = new Map<string, Uint8Array>();

  constructor(
    readonly frame: Frame,
    /** May be dropped from a full send queue (best-effort reliability). */
    readonly droppable = false,
  ) {}

  bytes(wire: Wire): Uint8Array {
    let b = this.#cache.get(wire.key);
    if (!b) {
      b = wire.encode(this.frame);
      this.#cache.set(wire.key, b);
    }
    return b;
  }
}
