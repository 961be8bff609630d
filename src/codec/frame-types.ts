/**
 * flare-core's wire types (proto/frame.proto and proto/commands.proto), logic-free.
 *
 * Field numbers are in the comments; docs/PROTOCOL.md describes the protocol.
 * uint64 fields (`timestamp`, `seq`) are JS numbers: exact up to 2^53, which
 * covers millisecond timestamps and any realistic sequence number.
 */

/** Frame.reliability (field 3). */
export const Reliability = {
  BEST_EFFORT: 0,
  AT_LEAST_ONCE: 1,
  EXACTLY_ONCE: 2,
  ORDERED: 3,
} as const;
export type Reliability = (typeof Reliability)[keyof typeof Reliability];

/** SystemCommand.type (field 1). */
export const SystemType = {
  UNSPECIFIED: 0,
  CONNECT: 1,
  CONNECT_ACK: 2,
  CLOSE: 3,
  PING: 4,
  PONG: 5,
  ERROR: 6,
  EVENT: 7,
  AUTH: 8,
  AUTH_ACK: 9,
  KICKED: 10,
  NEGOTIATION_READY: 11,
} as const;
export type SystemType = (typeof SystemType)[keyof typeof SystemType];

/** SystemCommand.format (field 2). */
export const Format = { PROTOBUF: 0, JSON: 1 } as const;
export type Format = (typeof Format)[keyof typeof Format];

/** PayloadCommand.type (field 1). */
export const PayloadType = { UNSPECIFIED: 0, MESSAGE: 1, EVENT: 2, ACK: 3, DATA: 4 } as const;
export type PayloadType = (typeof PayloadType)[keyof typeof PayloadType];

/** NotificationCommand.type (field 1). */
export const NotificationType = { SYSTEM: 0, BROADCAST: 1, ALERT: 2, USER: 3, CONNECTION: 4 } as const;
export type NotificationType = (typeof NotificationType)[keyof typeof NotificationType];

/**
 * map<string, bytes>. A null-prototype record so that keys such as `__proto__`
 * from untrusted input are plain keys. Values are bytes; use `metaText` /
 * `textMeta` in codec/metadata.ts for UTF-8 string values.
 */
export type Metadata = Record<string, Uint8Array>;

export interface SystemCommand {
  /** 1 */ type: number;
  /** 2 */ format: number;
  /** 3 */ message: string;
  /** 4 */ metadata: Metadata;
  /** 5 */ data: Uint8Array;
  /** 6 */ compression: string;
  /** 7 */ encryption: string;
}

export interface PayloadCommand {
  /** 1 */ type: number;
  /** 2 */ messageId: string;
  /** 3 */ payload: Uint8Array;
  /** 4 */ metadata: Metadata;
  /** 5 */ seq: number;
}

export interface NotificationCommand {
  /** 1 */ type: number;
  /** 2 */ title: string;
  /** 3 */ content: Uint8Array;
  /** 4 */ metadata: Metadata;
}

export interface CustomCommand {
  /** 1 */ name: string;
  /** 2 */ data: Uint8Array;
  /** 3 */ metadata: Metadata;
}

/** Command's `oneof type`, tagged by the oneof case name. */
export type Command =
  | { readonly case: 'system'; readonly value: SystemCommand }
  | { readonly case: 'payload'; readonly value: PayloadCommand }
  | { readonly case: 'notification'; readonly value: NotificationCommand }
  | { readonly case: 'custom'; readonly value: CustomCommand };

export type CommandCase = Command['case'];

/** The top-level message on every transport. */
export interface Frame {
  /** 1; null when the oneof is unset. */ command: Command | null;
  /** 2 */ messageId: string;
  /** 3 */ reliability: number;
  /** 4, Unix milliseconds. */ timestamp: number;
  /** 5 */ metadata: Metadata;
}

/** The two serialization formats flare-core negotiates. */
export type FormatName = 'protobuf' | 'json';
