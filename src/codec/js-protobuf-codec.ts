/**
 * The pure-JavaScript protobuf codec: the fallback for pages whose CSP
 * forbids WebAssembly, with the same interface and the same bytes as the WASM
 * codec (and as prost, flare-core's encoder). Decoded byte fields are views
 * into the input (see js-protobuf-decode.ts).
 */
import type { FrameCodec } from './codec.ts';
import { CodecError, ErrorCode, FlareError } from './errors.ts';
import type { Frame } from './frame-types.ts';
import { invalidValue } from './frame-checks.ts';
import { decodeFrameProtobuf } from './js-protobuf-decode.ts';
import { encodeFrameProtobuf } from './js-protobuf-encode.ts';

function decode(bytes: Uint8Array): Frame {
  if (!(bytes instanceof Uint8Array)) throw invalidValue('bytes', 'a Uint8Array', bytes);
  return decodeFrameProtobuf(bytes);
}

function asFlareError(e: unknown): FlareError {
  return e instanceof FlareError ? e : new CodecError(ErrorCode.INTERNAL, `unexpected codec failure: ${String(e)}`, { cause: e });
}

/** The JavaScript protobuf codec; stateless, one instance can be shared. */
export function createJsProtobufCodec(): FrameCodec {
  return {
    format: 'protobuf',
    implementation: 'js',
    encode: encodeFrameProtobuf,
    decode,
    encodeBatch: (frames) => frames.map(encodeFrameProtobuf),
    decodeBatch: (chunks) =>
      chunks.map((chunk) => {
        try {
          return decode(chunk);
        } catch (e) {
          return asFlareError(e);
        }
      }),
  };
}
