/**
 * Strict reading of flare-core's JSON format (see json-shape.ts) from an
 * already parsed value into a typed Frame. It accepts what flare-core's
 * serde_json accepts: every field present with its type (only `command` may be
 * absent or null), enums as int32, uint64 as non-negative integers, bytes as
 * arrays of integers 0..255; unknown keys are ignored, as serde does. Anything
 * else is a CodecError (MALFORMED_FRAME) whose message and `details.path` name
 * the field.
 */
import { CodecError } from './errors.ts';
import type { Command, Frame, Metadata } from './frame-types.ts';
import { TWO_POW_64 } from './frame-checks.ts';
import { emptyMetadata } from './metadata.ts';

type Obj = Record<string, unknown>;

function fail(path: string, what: string): CodecError {
  return CodecError.malformed(`${path} ${what}`, { path });
}

function object(value: unknown, path: string): Obj {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw fail(path, 'must be an object');
  return value as Obj;
}

function field(obj: Obj, key: string, path: string): unknown {
  const value = obj[key];
  if (value === undefined || !Object.prototype.hasOwnProperty.call(obj, key)) throw fail(`${path}.${key}`, 'is missing');
  return value;
}

function str(obj: Obj, key: string, path: string): string {
  const value = field(obj, key, path);
  if (typeof value !== 'string') throw fail(`${path}.${key}`, 'must be a string');
  return value;
}

function enumValue(obj: Obj, key: string, path: string): number {
  const value = field(obj, key, path);
  if (typeof value !== 'number' || (value | 0) !== value) throw fail(`${path}.${key}`, 'must be an int32 enum value');
  return value;
}

function uint64(obj: Obj, key: string, path: string): number {
  const value = field(obj, key, path);
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value >= TWO_POW_64) {
    throw fail(`${path}.${key}`, 'must be an unsigned 64-bit integer');
  }
  return value;
}

function bytesFrom(value: unknown, path: string): Uint8Array {
  if (!Array.isArray(value)) throw fail(path, 'must be an array of byte values');
  const n = value.length;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const b = value[i];
    // Strict inequality rejects non-numbers, fractions and out-of-range values at once.
    if ((b & 255) !== b) throw fail(`${path}[${i}]`, 'must be an integer 0..255');
    out[i] = b;
  }
  return out;
}

function bytes(obj: Obj, key: string, path: string): Uint8Array {
  return bytesFrom(field(obj, key, path), `${path}.${key}`);
}

function metadata(obj: Obj, key: string, path: string): Metadata {
  const p = `${path}.${key}`;
  const map = object(field(obj, key, path), p);
  const out = emptyMetadata();
  for (const k of Object.keys(map)) out[k] = bytesFrom(map[k], `${p}[${JSON.stringify(k)}]`);
  return out;
}

function command(value: unknown): Command | null {
  if (value === undefined || value === null) return null;
  const cmd = object(value, 'frame.command');
  const tagged = cmd['type'];
  if (tagged === undefined || tagged === null) return null;
  const variant = object(tagged, 'frame.command.type');
  const keys = Object.keys(variant);
  if (keys.length !== 1) throw fail('frame.command.type', 'must have exactly one variant key');
  const name = keys[0]!;
  const p = `frame.command.type.${name}`;
  const c = object(variant[name], p);
  switch (name) {
    case 'system':
      return {
        case: 'system',
        value: {
          type: enumValue(c, 'type', p),
          format: enumValue(c, 'format', p),
          message: str(c, 'message', p),
          metadata: metadata(c, 'metadata', p),
          data: bytes(c, 'data', p),
          compression: str(c, 'compression', p),
          encryption: str(c, 'encryption', p),
        },
      };
    case 'payload':
      return {
        case: 'payload',
        value: {
          type: enumValue(c, 'type', p),
          messageId: str(c, 'message_id', p),
          payload: bytes(c, 'payload', p),
          metadata: metadata(c, 'metadata', p),
          seq: uint64(c, 'seq', p),
        },
      };
    case 'notification':
      return {
        case: 'notification',
        value: {
          type: enumValue(c, 'type', p),
          title: str(c, 'title', p),
          content: bytes(c, 'content', p),
          metadata: metadata(c, 'metadata', p),
        },
      };
    case 'custom':
      return {
        case: 'custom',
        value: { name: str(c, 'name', p), data: bytes(c, 'data', p), metadata: metadata(c, 'metadata', p) },
      };
    default:
      throw fail('frame.command.type', `has an unknown variant ${JSON.stringify(name)}`);
  }
}

/**
 * Reads a parsed JSON value in flare-core's shape into a Frame. Throws
 * CodecError (MALFORMED_FRAME) naming the first offending field.
 */
export function frameFromJson(value: unknown): Frame {
  const f = object(value, 'frame');
  return {
    command: command(f['command']),
    messageId: str(f, 'message_id', 'frame'),
    reliability: enumValue(f, 'reliability', 'frame'),
    timestamp: uint64(f, 'timestamp', 'frame'),
    metadata: metadata(f, 'metadata', 'frame'),
  };
}
