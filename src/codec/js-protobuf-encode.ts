/**
 * Protobuf encoding of a Frame in plain JavaScript, byte-for-byte what prost
 * (flare-core) writes: fields in number order, proto3 defaults omitted, a set
 * oneof member always written, map entries omitting an empty key or value.
 *
 * Two passes: the first checks every value and records string and nested
 * message lengths in `sizes` (pre-order), the second writes into one
 * exactly-sized array, reading the lengths back in the same order.
 */
import { CodecError, ErrorCode } from './errors.ts';
import type { Command, Frame, Metadata } from './frame-types.ts';
import { checkBytes, checkEnum, checkMetadata, checkString, checkUint64, invalidValue } from './frame-checks.ts';
import { enumSize, uint64Size, varint32Size, writeEnum, writeUint64, writeVarint32 } from './pb-varint.ts';
import { utf8Length, writeUtf8 } from './utf8.ts';

/** Lengths recorded by the size pass; read back by the write pass. */
const sizes: number[] = [];
/** Metadata key lists recorded by the size pass. */
const keyLists: string[][] = [];
let si = 0;
let ki = 0;

// ---- size pass ----

function strSize(value: unknown, path: string): number {
  const s = checkString(value, path);
  if (s.length === 0) return 0;
  const n = utf8Length(s);
  sizes.push(n);
  return 1 + varint32Size(n) + n;
}

function bytesSize(value: unknown, path: string): number {
  const n = checkBytes(value, path).length;
  return n === 0 ? 0 : 1 + varint32Size(n) + n;
}

function enumFieldSize(value: unknown, path: string): number {
  const v = checkEnum(value, path);
  return v === 0 ? 0 : 1 + enumSize(v);
}

function metaSize(value: unknown, path: string): number {
  const keys = checkMetadata(value, path);
  keyLists.push(keys);
  const meta = value as Metadata;
  let total = 0;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    const kn = k.length === 0 ? 0 : utf8Length(k);
    const vn = meta[k]!.length;
    const entry = (kn === 0 ? 0 : 1 + varint32Size(kn) + kn) + (vn === 0 ? 0 : 1 + varint32Size(vn) + vn);
    sizes.push(entry, kn);
    total += 1 + varint32Size(entry) + entry;
  }
  return total;
}

function commandBodySize(cmd: Command): number {
  let n: number;
  switch (cmd.case) {
    case 'system': {
      const c = cmd.value;
      n = enumFieldSize(c.type, 'command.system.type') + enumFieldSize(c.format, 'command.system.format');
      n += strSize(c.message, 'command.system.message') + metaSize(c.metadata, 'command.system.metadata');
      n += bytesSize(c.data, 'command.system.data') + strSize(c.compression, 'command.system.compression');
      n += strSize(c.encryption, 'command.system.encryption');
      break;
    }
    case 'payload': {
      const c = cmd.value;
      n = enumFieldSize(c.type, 'command.payload.type') + strSize(c.messageId, 'command.payload.messageId');
      n += bytesSize(c.payload, 'command.payload.payload') + metaSize(c.metadata, 'command.payload.metadata');
      const seq = checkUint64(c.seq, 'command.payload.seq');
      if (seq !== 0) n += 1 + uint64Size(seq);
      break;
    }
    case 'notification': {
      const c = cmd.value;
      n = enumFieldSize(c.type, 'command.notification.type') + strSize(c.title, 'command.notification.title');
      n += bytesSize(c.content, 'command.notification.content') + metaSize(c.metadata, 'command.notification.metadata');
      break;
    }
    case 'custom': {
      const c = cmd.value;
      n = strSize(c.name, 'command.custom.name') + bytesSize(c.data, 'command.custom.data');
      n += metaSize(c.metadata, 'command.custom.metadata');
      break;
    }
    default:
      throw invalidValue('command.case', "'system' | 'payload' | 'notification' | 'custom'", (cmd as { case: unknown }).case);
  }
  return n;
}

function frameSize(frame: Frame): number {
  if (typeof frame !== 'object' || frame === null) throw invalidValue('frame', 'a Frame object', frame);
  let total = 0;
  const cmd = frame.command;
  if (cmd !== null && cmd !== undefined) {
    // Frame.command holds a Command whose only field is the oneof member.
    const slot = sizes.length;
    sizes.push(0, 0);
    const body = commandBodySize(cmd);
    const command = 1 + varint32Size(body) + body;
    sizes[slot] = command;
    sizes[slot + 1] = body;
    total += 1 + varint32Size(command) + command;
  }
  total += strSize(frame.messageId, 'messageId') + enumFieldSize(frame.reliability, 'reliability');
  const ts = checkUint64(frame.timestamp, 'timestamp');
  if (ts !== 0) total += 1 + uint64Size(ts);
  return total + metaSize(frame.metadata, 'metadata');
}

// ---- write pass (values were checked by the size pass) ----

function writeStr(buf: Uint8Array, pos: number, tag: number, s: string): number {
  if (s.length === 0) return pos;
  const n = sizes[si++]!;
  buf[pos] = tag;
  return writeUtf8(buf, writeVarint32(buf, pos + 1, n), s, n);
}

function writeBytes(buf: Uint8Array, pos: number, tag: number, b: Uint8Array): number {
  if (b.length === 0) return pos;
  buf[pos] = tag;
  pos = writeVarint32(buf, pos + 1, b.length);
  buf.set(b, pos);
  return pos + b.length;
}

function writeEnumField(buf: Uint8Array, pos: number, tag: number, v: number): number {
  if (v === 0) return pos;
  buf[pos] = tag;
  return writeEnum(buf, pos + 1, v);
}

function writeMeta(buf: Uint8Array, pos: number, tag: number, meta: Metadata): number {
  const keys = keyLists[ki++]!;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    const entry = sizes[si++]!;
    const kn = sizes[si++]!;
    buf[pos] = tag;
    pos = writeVarint32(buf, pos + 1, entry);
    if (kn !== 0) {
      buf[pos] = 0x0a;
      pos = writeUtf8(buf, writeVarint32(buf, pos + 1, kn), k, kn);
    }
    pos = writeBytes(buf, pos, 0x12, meta[k]!);
  }
  return pos;
}

function writeCommandBody(buf: Uint8Array, pos: number, cmd: Command): number {
  switch (cmd.case) {
    case 'system': {
      const c = cmd.value;
      pos = writeEnumField(buf, pos, 0x08, c.type);
      pos = writeEnumField(buf, pos, 0x10, c.format);
      pos = writeStr(buf, pos, 0x1a, c.message);
      pos = writeMeta(buf, pos, 0x22, c.metadata);
      pos = writeBytes(buf, pos, 0x2a, c.data);
      pos = writeStr(buf, pos, 0x32, c.compression);
      return writeStr(buf, pos, 0x3a, c.encryption);
    }
    case 'payload': {
      const c = cmd.value;
      pos = writeEnumField(buf, pos, 0x08, c.type);
      pos = writeStr(buf, pos, 0x12, c.messageId);
      pos = writeBytes(buf, pos, 0x1a, c.payload);
      pos = writeMeta(buf, pos, 0x22, c.metadata);
      if (c.seq === 0) return pos;
      buf[pos] = 0x28;
      return writeUint64(buf, pos + 1, c.seq);
    }
    case 'notification': {
      const c = cmd.value;
      pos = writeEnumField(buf, pos, 0x08, c.type);
      pos = writeStr(buf, pos, 0x12, c.title);
      pos = writeBytes(buf, pos, 0x1a, c.content);
      return writeMeta(buf, pos, 0x22, c.metadata);
    }
    case 'custom': {
      const c = cmd.value;
      pos = writeStr(buf, pos, 0x0a, c.name);
      pos = writeBytes(buf, pos, 0x12, c.data);
      return writeMeta(buf, pos, 0x1a, c.metadata);
    }
  }
}

const CASE_TAG = { system: 0x0a, payload: 0x12, notification: 0x1a, custom: 0x22 } as const;

function writeFrame(buf: Uint8Array, pos: number, frame: Frame): number {
  const cmd = frame.command;
  if (cmd !== null && cmd !== undefined) {
    buf[pos] = 0x0a;
    pos = writeVarint32(buf, pos + 1, sizes[si++]!);
    buf[pos] = CASE_TAG[cmd.case];
    pos = writeCommandBody(buf, writeVarint32(buf, pos + 1, sizes[si++]!), cmd);
  }
  pos = writeStr(buf, pos, 0x12, frame.messageId);
  pos = writeEnumField(buf, pos, 0x18, frame.reliability);
  if (frame.timestamp !== 0) {
    buf[pos] = 0x20;
    pos = writeUint64(buf, pos + 1, frame.timestamp);
  }
  return writeMeta(buf, pos, 0x2a, frame.metadata);
}

/**
 * Encodes one frame to protobuf bytes. Throws CodecError (INVALID_ARGUMENT)
 * naming the field when a value cannot be encoded.
 */
export function encodeFrameProtobuf(frame: Frame): Uint8Array {
  sizes.length = 0;
  keyLists.length = 0;
  const n = frameSize(frame);
  const buf = new Uint8Array(n);
  si = 0;
  ki = 0;
  let end = -1;
  try {
    end = writeFrame(buf, 0, frame);
  } catch {
    // Only a frame whose fields change between the passes (getters) gets here or below.
  }
  if (end !== n) throw new CodecError(ErrorCode.INVALID_ARGUMENT, 'cannot encode frame: it changed while being encoded');
  return buf;
}
