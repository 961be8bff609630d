/**
 * Incoming frames as the main thread receives them: what to de-duplicate and
 * order them by (inbox.ts) and the event shape (api.ts), with the bytes in a
 * buffer of their own so that they can be transferred.
 */
import type { Frame } from '../codec/frame-types.ts';
import { metadataToText } from '../codec/metadata.ts';
import { RouteKey } from '../protocol/extensions.ts';
import type { InboundMessage } from './api.ts';
import { ownedBytes } from './event-batcher.ts';
import type { TransportKind } from './transport.ts';

/** The inbox stream of direct messages (a name no room can have: rooms are plain strings, this has a NUL). */
export const DIRECT_STREAM = '\u0000direct';

/** An incoming frame ready for the inbox: its message, ordering key and transferable bytes. */
export interface Inbound {
  message: InboundMessage;
  /** Room name, DIRECT_STREAM, or null (unordered). */
  stream: string | null;
  transfer: ArrayBuffer[];
}

/** Converts a payload (non-ACK), notification or custom frame; null for anything else. */
export function toInbound(frame: Frame, transport: TransportKind): Inbound | null {
  const c = frame.command;
  if (!c || c.case === 'system') return null;
  const meta = metadataToText(c.value.metadata);
  let bytes: Uint8Array;
  let type = 0;
  let name = '';
  let seq = 0;
  if (c.case === 'payload') {
    bytes = c.value.payload;
    type = c.value.type;
    seq = c.value.seq;
  } else if (c.case === 'notification') {
    bytes = c.value.content;
    type = c.value.type;
    name = c.value.title;
  } else {
    bytes = c.value.data;
    name = c.value.name;
  }
  const payload = ownedBytes(bytes);
  const room = meta[RouteKey.ROOM] ?? null;
  const to = meta[RouteKey.TO] ?? null;
  const message: InboundMessage = {
    id: (c.case === 'payload' && c.value.messageId) || frame.messageId,
    kind: c.case,
    type,
    name,
    room,
    from: meta[RouteKey.FROM] ?? null,
    to,
    seq,
    history: meta[RouteKey.HISTORY] === '1',
    timestamp: frame.timestamp,
    payload,
    metadata: meta,
    transport,
  };
  const stream = seq > 0 && c.case === 'payload' ? (room ?? (to !== null ? DIRECT_STREAM : null)) : null;
  return { message, stream, transfer: payload.byteLength > 0 ? [payload.buffer] : [] };
}
