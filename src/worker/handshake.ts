/**
 * The client side of the flare-core handshake, pure: the CONNECT frame (with
 * device info, user id, token, format and compression preferences, and our
 * resume extensions), and reading CONNECT_ACK and ERROR.
 *
 * CONNECT always travels as uncompressed JSON (every server reads it); the
 * negotiated format and compression apply after CONNECT_ACK, and the client
 * confirms with NEGOTIATION_READY (also JSON) before using them.
 */
import { Format, Reliability, SystemType, type Frame, type FormatName } from '../codec/frame-types.ts';
import { systemFrame } from '../codec/frames.ts';
import { metaText, metadataToText } from '../codec/metadata.ts';
import { AckKey, ConnectKey, SystemKey } from '../protocol/extensions.ts';
import { COMPRESS_MIN_KEY, parseCompressMin } from '../protocol/small-frames.ts';

/** Who connects and what it prefers. */
export interface ConnectParams {
  userId?: string;
  token?: string;
  deviceId: string;
  /** flare-core platform name (default 'web'). */
  platform?: string;
  model?: string;
  appVersion?: string;
  systemVersion?: string;
  /** Wanted serialization after the handshake (default protobuf). */
  format?: FormatName;
  /** Refuse anything but `format` (flare-core's `force_format`). */
  forceFormat?: boolean;
  /** Compression preference list, best first (e.g. `lz4,gzip,none`); flare-core servers take `gzip` or `none`. */
  compression?: string;
  /** Ask for batched WebSocket messages (our extension). */
  batch?: boolean;
  /** Frames shorter than this many bytes may skip compression (src/protocol/small-frames.ts; 0: never). */
  compressMin?: number;
  /** Rooms to (re)join with the last seq seen (null: join without replay). */
  rooms?: Record<string, number | null>;
  /** Last direct-message seq seen. */
  inboxSeq?: number | null;
  /** Presence state announced in the rooms. */
  presence?: Record<string, unknown>;
  /** flare-core's `desired_conflict_strategy`: coexist | platform_exclusive | exclusive. */
  conflictStrategy?: string;
  /** Further device metadata. */
  extra?: Record<string, string>;
}

/** What CONNECT_ACK settled. */
export interface ConnectAck {
  format: FormatName;
  compression: string;
  encryption: string;
  /** Ours; '' from a plain flare-core server. */
  connectionId: string;
  userId: string;
  batch: boolean;
  /** Agreed: frames shorter than this skip compression (0: every frame is compressed, as flare-core). */
  compressMin: number;
  maxFrameBytes: number | null;
  idleTimeoutMs: number | null;
  /** Compressions the server supports (ours; empty when not announced). */
  compressions: string[];
  /** Connections this one replaced (flare-core's `conflict_connections`). */
  conflictConnections: string[];
}

/** An ERROR frame's content. */
export interface ServerError {
  code: string;
  message: string;
  /** The offending frame's id, when given. */
  ref: string | undefined;
  reason: string | undefined;
}

/** The CONNECT frame. */
export function connectFrame(p: ConnectParams, options: { messageId: string; timestamp: number }): Frame {
  const meta: Record<string, string> = { ...(p.extra ?? {}) };
  meta.format = p.format ?? 'protobuf';
  meta.compression = p.compression ?? 'none';
  if (p.forceFormat) meta.force_format = 'true';
  meta.device_id = p.deviceId;
  meta.platform = p.platform ?? 'web';
  if (p.model) meta.model = p.model;
  if (p.appVersion) meta.app_version = p.appVersion;
  if (p.systemVersion) meta.system_version = p.systemVersion;
  if (p.userId) meta.user_id = p.userId;
  if (p.token) meta.token = p.token;
  if (p.conflictStrategy) meta[ConnectKey.CONFLICT_STRATEGY] = p.conflictStrategy;
  if (p.batch) meta[ConnectKey.BATCH] = '1';
  if (p.compressMin && meta.compression !== 'none') meta[COMPRESS_MIN_KEY] = String(p.compressMin);
  if (p.rooms && Object.keys(p.rooms).length) meta[ConnectKey.ROOMS] = JSON.stringify(p.rooms);
  if (p.inboxSeq != null) meta[ConnectKey.INBOX_SEQ] = String(p.inboxSeq);
  if (p.presence && Object.keys(p.presence).length) meta[ConnectKey.PRESENCE] = JSON.stringify(p.presence);
  // SystemCommand.format describes this frame (JSON), as flare-core's client sends it.
  return systemFrame(SystemType.CONNECT, { format: Format.JSON, metadata: meta }, { ...options, reliability: Reliability.AT_LEAST_ONCE });
}

/** NEGOTIATION_READY. */
export function readyFrame(options: { messageId: string; timestamp: number }): Frame {
  return systemFrame(SystemType.NEGOTIATION_READY, {}, { ...options, reliability: Reliability.AT_LEAST_ONCE });
}

function systemOf(frame: Frame, type: number) {
  const c = frame.command;
  return c?.case === 'system' && c.value.type === type ? c.value : null;
}

function num(text: string | undefined): number | null {
  if (text === undefined || !/^\d+$/.test(text)) return null;
  return Number(text);
}

/** Reads CONNECT_ACK, or returns null when `frame` is something else. */
export function readConnectAck(frame: Frame): ConnectAck | null {
  const sys = systemOf(frame, SystemType.CONNECT_ACK);
  if (!sys) return null;
  const meta = metadataToText(sys.metadata);
  let conflicts: string[] = [];
  try {
    const v = JSON.parse(meta[AckKey.CONFLICT_CONNECTIONS] ?? '[]');
    if (Array.isArray(v)) conflicts = v.filter((x) => typeof x === 'string');
  } catch {
    // flare-core sends a JSON array; anything else is ignored
  }
  // flare-core puts the compression in the field and (older versions) in metadata.
  const compression = (sys.compression || meta.compression || 'none').toLowerCase();
  return {
    format: sys.format === Format.JSON ? 'json' : 'protobuf',
    compression,
    encryption: sys.encryption || 'none',
    connectionId: meta[AckKey.CONNECTION_ID] ?? '',
    userId: meta[AckKey.USER_ID] ?? '',
    batch: meta[AckKey.BATCH] === '1',
    compressMin: compression === 'none' ? 0 : parseCompressMin(meta[COMPRESS_MIN_KEY]),
    maxFrameBytes: num(meta[AckKey.MAX_FRAME_BYTES]),
    idleTimeoutMs: num(meta[AckKey.IDLE_TIMEOUT_MS]),
    compressions: (meta[AckKey.COMPRESSIONS] ?? '').split(',').filter(Boolean),
    conflictConnections: conflicts,
  };
}

/** Reads an ERROR frame, or returns null. */
export function readServerError(frame: Frame): ServerError | null {
  const sys = systemOf(frame, SystemType.ERROR);
  if (!sys) return null;
  return {
    code: metaText(sys.metadata, SystemKey.CODE) ?? 'remote_error',
    message: sys.message,
    ref: metaText(sys.metadata, SystemKey.REF),
    reason: metaText(sys.metadata, SystemKey.REASON),
  };
}

/** What a KICKED or CLOSE frame says. */
export interface ServerGoodbye {
  kind: 'kicked' | 'close';
  message: string;
  reason: string | undefined;
  /** CLOSE at shutdown: when to come back (ms). */
  reconnectDelayMs: number | null;
  /** KICKED: the connection that replaced this one (ours). */
  newConnectionId: string | undefined;
  newDeviceId: string | undefined;
}

/** Reads KICKED or CLOSE, or returns null. */
export function readGoodbye(frame: Frame): ServerGoodbye | null {
  const kicked = systemOf(frame, SystemType.KICKED);
  const sys = kicked ?? systemOf(frame, SystemType.CLOSE);
  if (!sys) return null;
  return {
    kind: kicked ? 'kicked' : 'close',
    message: sys.message,
    reason: metaText(sys.metadata, SystemKey.REASON),
    reconnectDelayMs: num(metaText(sys.metadata, SystemKey.RECONNECT_DELAY_MS)),
    newConnectionId: metaText(sys.metadata, SystemKey.NEW_CONNECTION_ID),
    newDeviceId: metaText(sys.metadata, SystemKey.NEW_DEVICE_ID),
  };
}
