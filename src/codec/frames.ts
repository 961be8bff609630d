/**
 * Builders for frames: message ids in flare-core's form and frames with every
 * field filled (the JSON format requires every field, the protobuf one omits
 * defaults), so callers only name what differs.
 */
import {
  Reliability,
  type CustomCommand,
  type Frame,
  type Metadata,
  type NotificationCommand,
  type PayloadCommand,
  type SystemCommand,
} from './frame-types.ts';
import { emptyMetadata, textMeta } from './metadata.ts';

/** Metadata given as text or bytes (text is UTF-8 encoded by the builders). */
export type MetadataInit = Readonly<Record<string, string | Uint8Array>>;

/** Frame-level fields of a built frame; each has a default. */
export interface FrameOptions {
  /** Default: `newMessageId()`. */
  messageId?: string;
  /** Default: AT_LEAST_ONCE, as flare-core's client sends. */
  reliability?: number;
  /** Unix milliseconds. Default: `Date.now()`. */
  timestamp?: number;
  /** Frame.metadata. Default: empty. */
  metadata?: MetadataInit;
}

type Fields<T> = Partial<Omit<T, 'metadata' | 'type'>> & { metadata?: MetadataInit };

let counter = 0;

/**
 * A new message id in flare-core's form `{unix ms}-{counter as 16 hex digits}`,
 * e.g. `1795390476283-0000000000000000`. The counter is per realm.
 */
export function newMessageId(now: number = Date.now()): string {
  const n = counter++;
  return `${Math.floor(now)}-${n.toString(16).padStart(16, '0')}`;
}

function meta(init: MetadataInit | undefined): Metadata {
  return init === undefined ? emptyMetadata() : textMeta(init);
}

function frame(command: Frame['command'], options: FrameOptions): Frame {
  const timestamp = options.timestamp ?? Date.now();
  return {
    command,
    messageId: options.messageId ?? newMessageId(timestamp),
    reliability: options.reliability ?? Reliability.AT_LEAST_ONCE,
    timestamp,
    metadata: meta(options.metadata),
  };
}

/** A frame with a SystemCommand (`type`: a SystemType, e.g. SystemType.PING). */
export function systemFrame(type: number, fields: Fields<SystemCommand> = {}, options: FrameOptions = {}): Frame {
  const value: SystemCommand = {
    type,
    format: fields.format ?? 0,
    message: fields.message ?? '',
    metadata: meta(fields.metadata),
    data: fields.data ?? new Uint8Array(0),
    compression: fields.compression ?? '',
    encryption: fields.encryption ?? '',
  };
  return frame({ case: 'system', value }, options);
}

/**
 * A frame with a PayloadCommand (`type`: a PayloadType). The command's
 * `messageId` defaults to the frame's.
 */
export function payloadFrame(type: number, fields: Fields<PayloadCommand> = {}, options: FrameOptions = {}): Frame {
  const timestamp = options.timestamp ?? Date.now();
  const messageId = options.messageId ?? newMessageId(timestamp);
  const value: PayloadCommand = {
    type,
    messageId: fields.messageId ?? messageId,
    payload: fields.payload ?? new Uint8Array(0),
    metadata: meta(fields.metadata),
    seq: fields.seq ?? 0,
  };
  return frame({ case: 'payload', value }, { ...options, messageId, timestamp });
}

/** A frame with a NotificationCommand (`type`: a NotificationType). */
export function notificationFrame(
  type: number,
  fields: Fields<NotificationCommand> = {},
  options: FrameOptions = {},
): Frame {
  const value: NotificationCommand = {
    type,
    title: fields.title ?? '',
    content: fields.content ?? new Uint8Array(0),
    metadata: meta(fields.metadata),
  };
  return frame({ case: 'notification', value }, options);
}

/** A frame with a CustomCommand named `name`. */
export function customFrame(name: string, fields: Fields<Omit<CustomCommand, 'name'>> = {}, options: FrameOptions = {}): Frame {
  const value: CustomCommand = { name, data: fields.data ?? new Uint8Array(0), metadata: meta(fields.metadata) };
  return frame({ case: 'custom', value }, options);
}

/** A frame without a command (flare-core's `command: None`). */
export function emptyFrame(options: FrameOptions = {}): Frame {
  return frame(null, options);
}
