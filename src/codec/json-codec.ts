/**
 * The JSON frame codec: flare-core's JSON format (json-shape.ts) behind the
 * FrameCodec interface. Encoding writes the JSON text directly (no
 * intermediate arrays of numbers); decoding uses the native JSON.parse and
 * then reads the value strictly (json-reader.ts).
 */
import type { FrameCodec } from './codec.ts';
import { CodecError, FlareError, ErrorCode } from './errors.ts';
import type { Command, Frame, Metadata } from './frame-types.ts';
import { checkBytes, checkEnum, checkMetadata, checkString, checkUint64, invalidValue, wellFormed } from './frame-checks.ts';
import { frameFromJson } from './json-reader.ts';

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });
/** A JSON string literal; lone surrogates become U+FFFD as in the protobuf codecs. */
const quote = (s: string): string => JSON.stringify(wellFormed(s));

function bytesText(value: unknown, path: string): string {
  const b = checkBytes(value, path);
  return b.length === 0 ? '[]' : `[${b.join(',')}]`;
}

function metadataText(value: unknown, path: string): string {
  const keys = checkMetadata(value, path);
  if (keys.length === 0) return '{}';
  const meta = value as Metadata;
  let out = '{';
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const b = meta[key]!;
    out += `${i === 0 ? '' : ','}${quote(key)}:${b.length === 0 ? '[]' : `[${b.join(',')}]`}`;
  }
  return `${out}}`;
}

function commandText(command: Command): string {
  switch (command.case) {
    case 'system': {
      const c = command.value;
      const p = 'command.system';
      return (
        `{"type":{"system":{"type":${checkEnum(c.type, `${p}.type`)},"format":${checkEnum(c.format, `${p}.format`)}` +
        `,"message":${quote(checkString(c.message, `${p}.message`))},"metadata":${metadataText(c.metadata, `${p}.metadata`)}` +
        `,"data":${bytesText(c.data, `${p}.data`)},"compression":${quote(checkString(c.compression, `${p}.compression`))}` +
        `,"encryption":${quote(checkString(c.encryption, `${p}.encryption`))}}}}`
      );
    }
    case 'payload': {
      const c = command.value;
      const p = 'command.payload';
      return (
        `{"type":{"payload":{"type":${checkEnum(c.type, `${p}.type`)},"message_id":${quote(checkString(c.messageId, `${p}.messageId`))}` +
        `,"payload":${bytesText(c.payload, `${p}.payload`)},"metadata":${metadataText(c.metadata, `${p}.metadata`)}` +
        `,"seq":${checkUint64(c.seq, `${p}.seq`)}}}}`
      );
    }
    case 'notification': {
      const c = command.value;
      const p = 'command.notification';
      return (
        `{"type":{"notification":{"type":${checkEnum(c.type, `${p}.type`)},"title":${quote(checkString(c.title, `${p}.title`))}` +
        `,"content":${bytesText(c.content, `${p}.content`)},"metadata":${metadataText(c.metadata, `${p}.metadata`)}}}}`
      );
    }
    case 'custom': {
      const c = command.value;
      const p = 'command.custom';
      return (
        `{"type":{"custom":{"name":${quote(checkString(c.name, `${p}.name`))},"data":${bytesText(c.data, `${p}.data`)}` +
        `,"metadata":${metadataText(c.metadata, `${p}.metadata`)}}}}`
      );
    }
    default:
      throw invalidValue('command.case', "'system' | 'payload' | 'notification' | 'custom'", (command as { case: unknown }).case);
  }
}

/**
 * The frame as flare-core's JSON text (keys in serde's declaration order).
 * Throws CodecError (INVALID_ARGUMENT) on a field that cannot be encoded.
 */
export function encodeFrameJsonText(frame: Frame): string {
  if (typeof frame !== 'object' || frame === null) throw invalidValue('frame', 'a Frame object', frame);
  const command = frame.command;
  return (
    `{"command":${command === null || command === undefined ? 'null' : commandText(command)}` +
    `,"message_id":${quote(checkString(frame.messageId, 'messageId'))}` +
    `,"reliability":${checkEnum(frame.reliability, 'reliability')}` +
    `,"timestamp":${checkUint64(frame.timestamp, 'timestamp')}` +
    `,"metadata":${metadataText(frame.metadata, 'metadata')}}`
  );
}

/**
 * Parses flare-core JSON text into a Frame. Throws CodecError: MALFORMED_FRAME
 * for text that is not JSON or not a frame.
 */
export function decodeFrameJsonText(text: string): Frame {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new CodecError(ErrorCode.MALFORMED_FRAME, `malformed frame: not JSON (${(e as Error).message})`, {
      cause: e,
      details: { path: 'frame' },
    });
  }
  return frameFromJson(value);
}

function decodeBytes(bytes: Uint8Array): Frame {
  if (!(bytes instanceof Uint8Array)) throw invalidValue('bytes', 'a Uint8Array', bytes);
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch (e) {
    throw new CodecError(ErrorCode.MALFORMED_FRAME, 'malformed frame: JSON text is not valid UTF-8', {
      cause: e,
      details: { path: 'frame' },
    });
  }
  return decodeFrameJsonText(text);
}

function asFlareError(e: unknown): FlareError {
  return e instanceof FlareError ? e : new CodecError(ErrorCode.INTERNAL, `unexpected codec failure: ${String(e)}`, { cause: e });
}

/** The JSON codec (format 'json'); stateless, one instance can be shared. */
export function createJsonCodec(): FrameCodec {
  return {
    format: 'json',
    implementation: 'json',
    encode: (frame) => encoder.encode(encodeFrameJsonText(frame)),
    decode: decodeBytes,
    encodeBatch: (frames) => frames.map((f) => encoder.encode(encodeFrameJsonText(f))),
    decodeBatch: (chunks) =>
      chunks.map((chunk) => {
        try {
          return decodeBytes(chunk);
        } catch (e) {
          return asFlareError(e);
        }
      }),
  };
}
