/**
 * What an open session does with each frame it receives: flare-core's system
 * commands (PING, CLOSE, AUTH, ...), ACKs as flare-core has them, routing of
 * room and direct messages, and our custom commands (RPC, events, streams).
 */
import { ErrorCode, FlareError } from '../src/codec/errors.ts';
import { PayloadType, SystemType, type Frame } from '../src/codec/frame-types.ts';
import { systemFrame } from '../src/codec/frames.ts';
import { metaText } from '../src/codec/metadata.ts';
import { ExtCommand, RouteKey } from '../src/protocol/extensions.ts';
import { ackFrame, errorAckFrame, pongFrame, wantsAck } from './frames.ts';
import { CloseCode } from './link.ts';
import type { Session } from './session.ts';

/** Handles one decoded frame of an open session (through the server middleware when there is any: middleware.ts). */
export function dispatch(session: Session, frame: Frame): void {
  const chain = session.ctx.handlers.chain;
  if (chain === null || !chain.sees(frame)) route(session, frame);
  else chain.request(session, frame, route);
}

function route(session: Session, frame: Frame): void {
  const c = frame.command;
  if (!c) {
    if (wantsAck(frame)) session.sendFrame(ackFrame(frame));
    return;
  }
  switch (c.case) {
    case 'system':
      return onSystem(session, frame, c.value.type);
    case 'payload':
      if (c.value.type === PayloadType.ACK) return; // never ACK an ACK
      return onPayload(session, frame);
    case 'notification':
      if (wantsAck(frame)) session.sendFrame(ackFrame(frame));
      return;
    case 'custom': {
      if (wantsAck(frame)) session.sendFrame(ackFrame(frame));
      const cmd = c.value;
      switch (cmd.name) {
        case ExtCommand.RPC_REQUEST:
          void session.rpc.handleRequest(cmd);
          return;
        case ExtCommand.RPC_RESPONSE:
          return session.rpc.handleResponse(cmd);
        case ExtCommand.EVENT:
          void session.rpc.handleEvent(cmd);
          return;
        case ExtCommand.STREAM:
          return session.streams.handle(cmd);
        default:
          return; // someone else's extension: ACKed, otherwise ignored
      }
    }
  }
}

function onSystem(session: Session, frame: Frame, type: number): void {
  switch (type) {
    case SystemType.PING:
      session.sendFrame(pongFrame(frame, Date.now()));
      return;
    case SystemType.CLOSE:
      session.close(CloseCode.NORMAL, 'client closed');
      return;
    case SystemType.CONNECT:
      session.sendError(ErrorCode.HANDSHAKE_FAILED, 'already connected', frame.messageId);
      return;
    case SystemType.AUTH:
      void reauthenticate(session, frame);
      return;
    case SystemType.EVENT:
      if (wantsAck(frame)) session.sendFrame(ackFrame(frame));
      return;
    default:
      return; // PONG, NEGOTIATION_READY again, ERROR from the client, ...
  }
}

/** AUTH with a fresh token (metadata `token`, or the data as text) extends the session. */
async function reauthenticate(session: Session, frame: Frame): Promise<void> {
  const sys = frame.command!.value as { metadata: Record<string, Uint8Array>; data: Uint8Array };
  const token = metaText(sys.metadata, 'token') ?? new TextDecoder().decode(sys.data);
  const result = await session.ctx.auth.verify(token, session.userId);
  if (!result.ok) {
    session.sendError(ErrorCode.AUTH_FAILED, result.message, frame.messageId, { reason: result.reason });
    return;
  }
  session.tokenExpiresAt = result.expiresAt;
  session.sendFrame(systemFrame(SystemType.AUTH_ACK, { metadata: { expires_at: String(result.expiresAt ?? 0) } }, { messageId: frame.messageId }));
}

/** A payload: to a room (`room`) or a user (`to`); ACKed with the assigned seq. */
function onPayload(session: Session, frame: Frame): void {
  const p = frame.command!.value as { metadata: Record<string, Uint8Array> };
  const room = metaText(p.metadata, RouteKey.ROOM);
  const to = metaText(p.metadata, RouteKey.TO);
  const ack = wantsAck(frame);
  if (room === undefined && to === undefined) {
    if (ack) errorAck(session, frame, ErrorCode.INVALID_ARGUMENT, `no route: set metadata '${RouteKey.ROOM}' or '${RouteKey.TO}'`);
    return;
  }
  const work = room !== undefined ? session.ctx.rooms.publish(session, room, frame) : session.ctx.hub.direct(session, to!, frame);
  work.then(
    (seq) => ack && session.sendFrame(ackFrame(frame, { [RouteKey.SEQ]: String(seq), ...(room !== undefined ? { [RouteKey.ROOM]: room } : { [RouteKey.TO]: to! }) })),
    (e) => {
      if (!ack) return;
      if (e instanceof FlareError) errorAck(session, frame, e.code, e.message);
      else {
        session.ctx.log.error('publish failed', { err: e, connection: session.id });
        errorAck(session, frame, ErrorCode.INTERNAL, 'internal error');
      }
    },
  );
}

function errorAck(session: Session, frame: Frame, code: string, message: string): void {
  session.ctx.metrics.inc('flare_errors_total', { code });
  session.sendFrame(errorAckFrame(frame, code, message));
}
