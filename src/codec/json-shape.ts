/**
 * flare-core's JSON format as plain values: serde_json over the prost structs.
 * snake_case keys, the `Command` oneof externally tagged
 * (`"command":{"type":{"system":{...}}}`), enums as integers, `bytes` fields
 * and map values as arrays of numbers, every field present, and a missing
 * command as `null`. See ../../docs/PROTOCOL.md.
 */
import type { Command, Frame, Metadata } from './frame-types.ts';
import { checkBytes, checkEnum, checkMetadata, checkString as checkRawString, checkUint64, invalidValue, wellFormed } from './frame-checks.ts';

/** Bytes as serde_json writes `Vec<u8>`. */
export type BytesJson = number[];
/** map<string, bytes> as serde_json writes `HashMap<String, Vec<u8>>`. */
export type MetadataJson = Record<string, BytesJson>;

/** SystemCommand in flare-core's JSON shape. */
export interface SystemCommandJson {
  type: number;
  format: number;
  message: string;
  metadata: MetadataJson;
  data: BytesJson;
  compression: string;
  encryption: string;
}
/** PayloadCommand in flare-core's JSON shape. */
export interface PayloadCommandJson {
  type: number;
  message_id: string;
  payload: BytesJson;
  metadata: MetadataJson;
  seq: number;
}
/** NotificationCommand in flare-core's JSON shape. */
export interface NotificationCommandJson {
  type: number;
  title: string;
  content: BytesJson;
  metadata: MetadataJson;
}
/** CustomCommand in flare-core's JSON shape. */
export interface CustomCommandJson {
  name: string;
  data: BytesJson;
  metadata: MetadataJson;
}

/** `Command { type: Option<command::Type> }` with the enum externally tagged. */
export interface CommandJson {
  type:
    | { system: SystemCommandJson }
    | { payload: PayloadCommandJson }
    | { notification: NotificationCommandJson }
    | { custom: CustomCommandJson }
    | null;
}

/** A frame in flare-core's JSON shape. */
export interface FrameJson {
  command: CommandJson | null;
  message_id: string;
  reliability: number;
  timestamp: number;
  metadata: MetadataJson;
}

/** A string field, lone surrogates replaced by U+FFFD (as the protobuf codecs write them). */
function checkString(value: unknown, path: string): string {
  return wellFormed(checkRawString(value, path));
}

function bytesJson(value: unknown, path: string): BytesJson {
  return Array.from(checkBytes(value, path));
}

function metadataJson(value: unknown, path: string): MetadataJson {
  const keys = checkMetadata(value, path);
  const out = Object.create(null) as MetadataJson;
  for (const key of keys) out[wellFormed(key)] = Array.from((value as Metadata)[key]!);
  return out;
}

function commandJson(command: Command): CommandJson {
  switch (command.case) {
    case 'system': {
      const c = command.value;
      const p = 'command.system';
      return {
        type: {
          system: {
            type: checkEnum(c.type, `${p}.type`),
            format: checkEnum(c.format, `${p}.format`),
            message: checkString(c.message, `${p}.message`),
            metadata: metadataJson(c.metadata, `${p}.metadata`),
            data: bytesJson(c.data, `${p}.data`),
            compression: checkString(c.compression, `${p}.compression`),
            encryption: checkString(c.encryption, `${p}.encryption`),
          },
        },
      };
    }
    case 'payload': {
      const c = command.value;
      const p = 'command.payload';
      return {
        type: {
          payload: {
            type: checkEnum(c.type, `${p}.type`),
            message_id: checkString(c.messageId, `${p}.messageId`),
            payload: bytesJson(c.payload, `${p}.payload`),
            metadata: metadataJson(c.metadata, `${p}.metadata`),
            seq: checkUint64(c.seq, `${p}.seq`),
          },
        },
      };
    }
    case 'notification': {
      const c = command.value;
      const p = 'command.notification';
      return {
        type: {
          notification: {
            type: checkEnum(c.type, `${p}.type`),
            title: checkString(c.title, `${p}.title`),
            content: bytesJson(c.content, `${p}.content`),
            metadata: metadataJson(c.metadata, `${p}.metadata`),
          },
        },
      };
    }
    case 'custom': {
      const c = command.value;
      const p = 'command.custom';
      return {
        type: {
          custom: {
            name: checkString(c.name, `${p}.name`),
            data: bytesJson(c.data, `${p}.data`),
            metadata: metadataJson(c.metadata, `${p}.metadata`),
          },
        },
      };
    }
    default:
      throw invalidValue('command.case', "'system' | 'payload' | 'notification' | 'custom'", (command as { case: unknown }).case);
  }
}

/**
 * The frame as the plain value flare-core's serde_json would produce (ready
 * for `JSON.stringify`). Throws CodecError (INVALID_ARGUMENT) on a field that
 * cannot be encoded.
 */
export function frameToJson(frame: Frame): FrameJson {
  const command = frame.command;
  return {
    command: command === null || command === undefined ? null : commandJson(command),
    message_id: checkString(frame.messageId, 'messageId'),
    reliability: checkEnum(frame.reliability, 'reliability'),
    timestamp: checkUint64(frame.timestamp, 'timestamp'),
    metadata: metadataJson(frame.metadata, 'metadata'),
  };
}
