/**
 * The frames the server originates in reply to others: ACKs (flare-core's
 * semantics: the ACK's message id is the acknowledged frame's), ERROR, PONG,
 * KICKED and the going-away CLOSE.
 */
import { PayloadType, Reliability, SystemType, type Frame } from '../src/codec/frame-types.ts';
import { payloadFrame, systemFrame, type MetadataInit } from '../src/codec/frames.ts';
import { CloseReason, RouteKey, SystemKey } from '../src/protocol/extensions.ts';

/** Whether flare-core semantics call for an ACK of `frame` (never ACK an ACK; best-effort frames are not ACKed). */
export function wantsAck(frame: Frame): boolean {
  const c = frame.command;
  if (!c || frame.reliability === Reliability.BEST_EFFORT) return false;
  switch (c.case) {
    case 'payload':
      return c.value.type !== PayloadType.ACK;
    case 'notification':
    case 'custom':
      return true;
    case 'system':
      return c.value.type === SystemType.EVENT;
  }
}

/** An ACK of `frame`; `meta` adds keys (e.g. the assigned `seq`). */
export function ackFrame(frame: Frame, meta: MetadataInit = {}): Frame {
  return payloadFrame(PayloadType.ACK, { messageId: frame.messageId, metadata: meta }, { messageId: frame.messageId, reliability: Reliability.BEST_EFFORT });
}

/** An error ACK (flare-core: metadata `error=true`, `error_message`; ours: `error_code`). */
export function errorAckFrame(frame: Frame, code: string, message: string): Frame {
  return ackFrame(frame, { [RouteKey.ERROR]: 'true', [RouteKey.ERROR_MESSAGE]: message, [RouteKey.ERROR_CODE]: code });
}

/** An ERROR frame: `message` is for humans, metadata `code` for programs, `ref` the offending message id. */
export function errorFrame(code: string, message: string, ref?: string, extra: MetadataInit = {}): Frame {
  const metadata: Record<string, string | Uint8Array> = { ...extra, [SystemKey.CODE]: code };
  if (ref) metadata[SystemKey.REF] = ref;
  return systemFrame(SystemType.ERROR, { message, metadata }, { reliability: Reliability.BEST_EFFORT });
}

/** PONG for a PING: a new message id, the server's clock in `timestamp`, the PING's id in metadata. */
export function pongFrame(ping: Frame, now: number): Frame {
  return systemFrame(SystemType.PONG, { metadata: { [SystemKey.PING_ID]: ping.messageId } }, { timestamp: now, reliability: Reliability.BEST_EFFORT });
}

/** KICKED as flare-core sends it on a device conflict. */
export function kickedFrame(reason: string, message: string, meta: MetadataInit = {}): Frame {
  return systemFrame(SystemType.KICKED, { message, metadata: { [SystemKey.REASON]: reason, ...meta } });
}

/** The going-away CLOSE sent at shutdown, with the suggested reconnect delay. */
export function goingAwayFrame(reconnectDelayMs: number): Frame {
  return systemFrame(SystemType.CLOSE, {
    message: 'going away: server shutting down',
    metadata: { [SystemKey.REASON]: CloseReason.SERVER_SHUTDOWN, [SystemKey.RECONNECT_DELAY_MS]: String(reconnectDelayMs) },
  });
}
