/**
 * Protobuf decoding of a Frame in plain JavaScript, with proto3's rules as
 * prost applies them: absent fields take their defaults, unknown fields are
 * skipped, a repeated scalar keeps the last value, a repeated message field
 * merges into the earlier one (a oneof member of another case replaces it),
 * map entries may omit key or value, and a later duplicate map key wins.
 *
 * Byte fields (`payload`, `data`, `content`, metadata values) are views into
 * the input: zero-copy; copy them if the input buffer is going to be reused.
 */
import type { Command, CustomCommand, Frame, Metadata, NotificationCommand, PayloadCommand, SystemCommand } from './frame-types.ts';
import { emptyMetadata } from './metadata.ts';
import { PbReader } from './pb-reader.ts';

const r = new PbReader();

/**
 * The value of absent byte fields: one shared, frozen, zero-length array
 * (allocating one per field costs more than the rest of a small frame's decode).
 */
const EMPTY: Uint8Array = Object.freeze(new Uint8Array(0)) as Uint8Array;
function noBytes(): Uint8Array {
  return EMPTY;
}

function wrongWireType(key: number): never {
  throw r.malformed(`field ${key >>> 3} with wire type ${key & 7}`, r.keyAt);
}

function mapEntry(meta: Metadata, end: number): void {
  let key = '';
  let value: Uint8Array | null = null;
  while (r.pos < end) {
    const k = r.key(end);
    if (k === 0x0a) key = r.string(end, 'a metadata key');
    else if (k === 0x12) value = r.bytes(end);
    else if (k >>> 3 <= 2) wrongWireType(k);
    else r.skip(k, end);
  }
  meta[key] = value ?? noBytes();
}

function system(c: SystemCommand, end: number): void {
  while (r.pos < end) {
    const k = r.key(end);
    switch (k) {
      case 0x08: c.type = r.int32(end); break;
      case 0x10: c.format = r.int32(end); break;
      case 0x1a: c.message = r.string(end, 'SystemCommand.message'); break;
      case 0x22: mapEntry(c.metadata, r.len(end)); break;
      case 0x2a: c.data = r.bytes(end); break;
      case 0x32: c.compression = r.string(end, 'SystemCommand.compression'); break;
      case 0x3a: c.encryption = r.string(end, 'SystemCommand.encryption'); break;
      default: if (k >>> 3 <= 7) wrongWireType(k); r.skip(k, end);
    }
  }
}

function payload(c: PayloadCommand, end: number): void {
  while (r.pos < end) {
    const k = r.key(end);
    switch (k) {
      case 0x08: c.type = r.int32(end); break;
      case 0x12: c.messageId = r.string(end, 'PayloadCommand.message_id'); break;
      case 0x1a: c.payload = r.bytes(end); break;
      case 0x22: mapEntry(c.metadata, r.len(end)); break;
      case 0x28: c.seq = r.uint64(end); break;
      default: if (k >>> 3 <= 5) wrongWireType(k); r.skip(k, end);
    }
  }
}

function notification(c: NotificationCommand, end: number): void {
  while (r.pos < end) {
    const k = r.key(end);
    switch (k) {
      case 0x08: c.type = r.int32(end); break;
      case 0x12: c.title = r.string(end, 'NotificationCommand.title'); break;
      case 0x1a: c.content = r.bytes(end); break;
      case 0x22: mapEntry(c.metadata, r.len(end)); break;
      default: if (k >>> 3 <= 4) wrongWireType(k); r.skip(k, end);
    }
  }
}

function custom(c: CustomCommand, end: number): void {
  while (r.pos < end) {
    const k = r.key(end);
    switch (k) {
      case 0x0a: c.name = r.string(end, 'CustomCommand.name'); break;
      case 0x12: c.data = r.bytes(end); break;
      case 0x1a: mapEntry(c.metadata, r.len(end)); break;
      default: if (k >>> 3 <= 3) wrongWireType(k); r.skip(k, end);
    }
  }
}

/** Reads a Command message into `current` (merging when the case is the same). */
function command(current: Command | null, end: number): Command | null {
  let cmd = current;
  while (r.pos < end) {
    const k = r.key(end);
    switch (k) {
      case 0x0a: {
        const value = cmd?.case === 'system' ? cmd.value : newSystem();
        system(value, r.len(end));
        if (cmd?.value !== value) cmd = { case: 'system', value };
        break;
      }
      case 0x12: {
        const value = cmd?.case === 'payload' ? cmd.value : newPayload();
        payload(value, r.len(end));
        if (cmd?.value !== value) cmd = { case: 'payload', value };
        break;
      }
      case 0x1a: {
        const value = cmd?.case === 'notification' ? cmd.value : newNotification();
        notification(value, r.len(end));
        if (cmd?.value !== value) cmd = { case: 'notification', value };
        break;
      }
      case 0x22: {
        const value = cmd?.case === 'custom' ? cmd.value : newCustom();
        custom(value, r.len(end));
        if (cmd?.value !== value) cmd = { case: 'custom', value };
        break;
      }
      default:
        if (k >>> 3 <= 4) wrongWireType(k);
        r.skip(k, end);
    }
  }
  return cmd;
}

function newSystem(): SystemCommand {
  return { type: 0, format: 0, message: '', metadata: emptyMetadata(), data: noBytes(), compression: '', encryption: '' };
}
function newPayload(): PayloadCommand {
  return { type: 0, messageId: '', payload: noBytes(), metadata: emptyMetadata(), seq: 0 };
}
function newNotification(): NotificationCommand {
  return { type: 0, title: '', content: noBytes(), metadata: emptyMetadata() };
}
function newCustom(): CustomCommand {
  return { name: '', data: noBytes(), metadata: emptyMetadata() };
}

/**
 * Decodes one protobuf Frame. Throws CodecError (TRUNCATED or
 * MALFORMED_FRAME, with `details.offset`) and nothing else on bad input.
 */
export function decodeFrameProtobuf(bytes: Uint8Array): Frame {
  const f: Frame = { command: null, messageId: '', reliability: 0, timestamp: 0, metadata: emptyMetadata() };
  const end = bytes.length;
  r.reset(bytes);
  try {
    while (r.pos < end) {
      const k = r.key(end);
      switch (k) {
        case 0x0a: f.command = command(f.command, r.len(end)); break;
        case 0x12: f.messageId = r.string(end, 'Frame.message_id'); break;
        case 0x18: f.reliability = r.int32(end); break;
        case 0x20: f.timestamp = r.uint64(end); break;
        case 0x2a: mapEntry(f.metadata, r.len(end)); break;
        default: if (k >>> 3 <= 5) wrongWireType(k); r.skip(k, end);
      }
    }
  } finally {
    r.release();
  }
  return f;
}
