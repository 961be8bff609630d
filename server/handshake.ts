/**
 * The flare-core handshake, pure parts: reading CONNECT, negotiating format and
 * compression, building CONNECT_ACK. The session (session.ts) drives the steps.
 */
import { Format, SystemType, type Frame, type SystemCommand } from '../src/codec/frame-types.ts';
import { metadataToText } from '../src/codec/metadata.ts';
import { systemFrame } from '../src/codec/frames.ts';
import { AckKey, ConnectKey } from '../src/protocol/extensions.ts';
import { COMPRESS_MIN_KEY, parseCompressMin } from '../src/protocol/small-frames.ts';
import type { FrameCodec } from '../src/codec/codec.ts';
import { chooseCompression, type Compressor, type ServerCodecs } from './wire.ts';

/** What a client asked for in CONNECT. */
export interface ConnectRequest {
  format: 'protobuf' | 'json';
  forceFormat: boolean;
  compression: string | undefined;
  deviceId: string;
  platform: string;
  userId: string | undefined;
  token: string | undefined;
  batch: boolean;
  /** The client takes and sends frames under this many bytes uncompressed (0: flare-core's every-frame compression). */
  compressMin: number;
  /** Rooms to join at once, with the last sequence number seen (null: no replay). */
  rooms: Map<string, number | null>;
  inboxSeq: number | null;
  presence: Record<string, string>;
  desiredStrategy: string | undefined;
  /** The history epoch the positions in `rooms` and `inboxSeq` come from (null: not said). */
  historyEpoch: string | null;
  /** All metadata as text (device info and app keys included). */
  meta: Record<string, string>;
}

/** A CONNECT that cannot be accepted: the reason for the ERROR frame. */
export class BadConnect extends Error {
  override name = 'BadConnect';
}

function parseSeqMap(text: string): Map<string, number | null> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new BadConnect(`metadata '${ConnectKey.ROOMS}' is not JSON`);
  }
  const out = new Map<string, number | null>();
  if (Array.isArray(value)) {
    for (const room of value) if (typeof room === 'string' && room) out.set(room, null);
  } else if (value && typeof value === 'object') {
    for (const [room, seq] of Object.entries(value as Record<string, unknown>)) {
      if (!room) continue;
      out.set(room, typeof seq === 'number' && Number.isSafeInteger(seq) && seq >= 0 ? seq : null);
    }
  } else throw new BadConnect(`metadata '${ConnectKey.ROOMS}' must be a JSON object or array`);
  return out;
}

function parseStringRecord(text: string | undefined): Record<string, string> {
  if (!text) return {};
  try {
    const v = JSON.parse(text);
    if (!v || typeof v !== 'object' || Array.isArray(v)) return {};
    const out: Record<string, string> = {};
    for (const [k, x] of Object.entries(v)) out[k] = typeof x === 'string' ? x : JSON.stringify(x);
    return out;
  } catch {
    return {};
  }
}

/** Reads a CONNECT frame. Throws BadConnect when it is not one or is unusable. */
export function readConnect(frame: Frame): ConnectRequest {
  const cmd = frame.command;
  if (!cmd || cmd.case !== 'system' || cmd.value.type !== SystemType.CONNECT) throw new BadConnect('expected CONNECT as the first frame');
  const sys: SystemCommand = cmd.value;
  const meta = metadataToText(sys.metadata);
  const fmt = (meta.format ?? '').toLowerCase();
  if (fmt !== '' && fmt !== 'protobuf' && fmt !== 'json') throw new BadConnect(`unknown format '${meta.format}'`);
  const inbox = meta[ConnectKey.INBOX_SEQ];
  return {
    // flare-core's default is protobuf; SystemCommand.format describes the CONNECT frame itself.
    format: fmt === 'json' ? 'json' : 'protobuf',
    forceFormat: ['1', 'true', 'yes'].includes((meta.force_format ?? '').toLowerCase()),
    compression: meta.compression || sys.compression || undefined,
    deviceId: meta.device_id ?? '',
    platform: meta.platform ?? 'unknown',
    userId: meta.user_id || undefined,
    token: meta.token || undefined,
    batch: meta[ConnectKey.BATCH] === '1' || meta[ConnectKey.BATCH] === 'true',
    compressMin: parseCompressMin(meta[COMPRESS_MIN_KEY]),
    rooms: meta[ConnectKey.ROOMS] ? parseSeqMap(meta[ConnectKey.ROOMS]!) : new Map(),
    inboxSeq: inbox !== undefined && /^\d+$/.test(inbox) ? Number(inbox) : null,
    presence: parseStringRecord(meta[ConnectKey.PRESENCE]),
    desiredStrategy: meta[ConnectKey.CONFLICT_STRATEGY],
    historyEpoch: meta[ConnectKey.HISTORY_EPOCH] || null,
    meta,
  };
}

/**
 * Resume positions from another history epoch are stale (sequence numbers
 * restarted): every position becomes 0, so the client gets its rooms' and its
 * inbox's whole history of the current epoch (all of it is new to it), up to
 * the replay limit. Joins without a position stay so. True when it rebased.
 */
export function rebaseOnEpoch(req: ConnectRequest, current: string | null): boolean {
  if (req.historyEpoch === null || current === null || req.historyEpoch === current) return false;
  for (const [room, since] of req.rooms) if (since !== null) req.rooms.set(room, 0);
  if (req.inboxSeq !== null) req.inboxSeq = 0;
  return true;
}

export interface Negotiated {
  codec: FrameCodec;
  compressor: Compressor | null;
}

/** Picks the codec and compression. Throws BadConnect when a forced format is not available. */
export function negotiate(req: ConnectRequest, codecs: ServerCodecs): Negotiated {
  let codec: FrameCodec | null = req.format === 'json' ? codecs.json : codecs.protobuf;
  if (!codec) {
    if (req.forceFormat) throw new BadConnect(`format '${req.format}' is not available on this server`);
    codec = codecs.json;
  }
  return { codec, compressor: chooseCompression(req.compression, codecs.compressors) };
}

export interface AckInfo {
  connectionId: string;
  userId: string;
  batch: boolean;
  /** Agreed small-frame threshold (0: not agreed, not sent). */
  compressMin: number;
  maxFrameBytes: number;
  idleTimeoutMs: number;
  conflictConnections: string[];
  compressions: string[];
  authEnabled: boolean;
  /** The broker's history epoch (null: unknown, not sent). */
  historyEpoch: string | null;
}

/** CONNECT_ACK as flare-core sends it (format int, compression, encryption) plus our metadata. */
export function connectAck(n: Negotiated, info: AckInfo): Frame {
  const metadata: Record<string, string> = {
    [AckKey.CONNECTION_ID]: info.connectionId,
    [AckKey.USER_ID]: info.userId,
    [AckKey.SERVER]: 'flare-web/0.1',
    [AckKey.MAX_FRAME_BYTES]: String(info.maxFrameBytes),
    [AckKey.IDLE_TIMEOUT_MS]: String(info.idleTimeoutMs),
    [AckKey.COMPRESSIONS]: info.compressions.join(','),
    [AckKey.AUTH]: info.authEnabled ? 'on' : 'off',
  };
  if (info.batch) metadata[AckKey.BATCH] = '1';
  if (info.compressMin > 0 && n.compressor) metadata[COMPRESS_MIN_KEY] = String(info.compressMin);
  if (info.historyEpoch !== null) metadata[AckKey.HISTORY_EPOCH] = info.historyEpoch;
  if (info.conflictConnections.length) metadata[AckKey.CONFLICT_CONNECTIONS] = JSON.stringify(info.conflictConnections);
  return systemFrame(SystemType.CONNECT_ACK, {
    format: n.codec.format === 'json' ? Format.JSON : Format.PROTOBUF,
    compression: n.compressor?.name ?? 'none',
    encryption: 'none',
    metadata,
  });
}
