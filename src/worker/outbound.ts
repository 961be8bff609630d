/**
 * Outgoing messages (api.ts `OutboundMessage`) as flare-core frames: routing
 * in metadata (`room` / `to`, our extension), reliability AT_LEAST_ONCE for
 * the outbox and BEST_EFFORT otherwise.
 */
import { ErrorCode, FlareError } from '../codec/errors.ts';
import { NotificationType, PayloadType, Reliability, type Frame } from '../codec/frame-types.ts';
import { customFrame, notificationFrame, payloadFrame } from '../codec/frames.ts';
import { RouteKey } from '../protocol/extensions.ts';
import type { OutboundMessage } from './api.ts';

const EMPTY = new Uint8Array(0);

/** The frame for `m` with message id `id`, stamped `now` (Unix ms). */
export function toFrame(m: OutboundMessage, id: string, now: number): Frame {
  const meta: Record<string, string> = { ...(m.metadata ?? {}) };
  if (m.room !== undefined) meta[RouteKey.ROOM] = m.room;
  if (m.to !== undefined) meta[RouteKey.TO] = m.to;
  const options = { messageId: id, timestamp: now, reliability: m.reliable === false ? Reliability.BEST_EFFORT : Reliability.AT_LEAST_ONCE };
  const payload = m.payload ?? EMPTY;
  if (!(payload instanceof Uint8Array)) throw new FlareError(ErrorCode.INVALID_ARGUMENT, 'payload must be a Uint8Array');
  switch (m.kind ?? 'payload') {
    case 'payload':
      return payloadFrame(m.type ?? PayloadType.MESSAGE, { payload, metadata: meta }, options);
    case 'custom':
      if (!m.name) throw new FlareError(ErrorCode.INVALID_ARGUMENT, 'a custom message needs a name');
      return customFrame(m.name, { data: payload, metadata: meta }, options);
    case 'notification':
      return notificationFrame(m.type ?? NotificationType.USER, { title: m.title ?? '', content: payload, metadata: meta }, options);
    default:
      throw new FlareError(ErrorCode.INVALID_ARGUMENT, `unknown message kind ${String(m.kind)}`);
  }
}
