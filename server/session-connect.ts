/**
 * The CONNECT step of a session (flare-core's handshake; session.ts drives the
 * states): what a connection's first frame asks for (a PING probe is answered
 * before CONNECT), and accepting a CONNECT: negotiation, authentication,
 * registration with the hub (device conflicts), the history epoch, CONNECT_ACK.
 * A refusal writes an ERROR as uncompressed JSON and closes.
 */
import { ErrorCode, FlareError } from '../src/codec/errors.ts';
import { SystemType, type Frame } from '../src/codec/frame-types.ts';
import { errorFrame, pongFrame } from './frames.ts';
import { BadConnect, connectAck, negotiate, readConnect, rebaseOnEpoch, type ConnectRequest } from './handshake.ts';
import { CloseCode } from './link.ts';
import type { Logger } from './log.ts';
import type { Session } from './session.ts';
import { decodeLenientWith, Wire } from './wire.ts';

/** What a connection's first frame asks for. */
export type FirstFrame =
  /** A probe before CONNECT: these PONG bytes go out at once (the PING's format, uncompressed). */
  | { kind: 'probe'; pong: Uint8Array }
  | { kind: 'connect'; request: ConnectRequest }
  /** Not usable: an ERROR; the connection stays open and may still send CONNECT. */
  | { kind: 'error'; code: string; message: string; ref?: string };

/** Any thrown value as a FlareError (`malformed_frame` unless it has a code). */
export function asFlareError(e: unknown): FlareError {
  return e instanceof FlareError ? e : new FlareError(ErrorCode.MALFORMED_FRAME, String(e));
}

export function readFirstFrame(session: Session, bytes: Uint8Array): FirstFrame {
  let decoded;
  try {
    decoded = decodeLenientWith(session.ctx.codecs, bytes, session.ctx.config.maxFrameBytes);
  } catch (e) {
    const err = asFlareError(e);
    return { kind: 'error', code: err.code, message: err.message };
  }
  const { frame, codec } = decoded;
  const c = frame.command;
  // Clients probe a fresh transport with PINGs before CONNECT.
  if (c?.case === 'system' && c.value.type === SystemType.PING) return { kind: 'probe', pong: codec.encode(pongFrame(frame, Date.now())) };
  try {
    return { kind: 'connect', request: readConnect(frame) };
  } catch (e) {
    return { kind: 'error', code: ErrorCode.HANDSHAKE_FAILED, message: (e as Error).message, ref: frame.messageId };
  }
}

/** What the CONNECT step needs from its session besides its public fields. */
export interface ConnectIo {
  readonly log: Logger;
  /** Writes bytes at once, ahead of the send queue. */
  writeNow(bytes: Uint8Array): void;
  /** The session closed meanwhile. */
  gone(): boolean;
}

/** An accepted CONNECT: the negotiated wire, batching, and the CONNECT_ACK to send (uncompressed JSON). */
export interface Accepted {
  wire: Wire;
  batch: boolean;
  ack: Frame;
}

/**
 * Accepts a CONNECT: the session's identity is set and it is registered with
 * the hub (older connections it replaces are kicked). Resolves to null when
 * refused (the ERROR is written and the session closed) or closed meanwhile.
 */
export async function acceptConnect(session: Session, req: ConnectRequest, io: ConnectIo): Promise<Accepted | null> {
  const { ctx } = session;
  let negotiated;
  try {
    negotiated = negotiate(req, ctx.codecs);
  } catch (e) {
    if (!(e instanceof BadConnect)) throw e;
    refuseConnect(session, io, ErrorCode.UNSUPPORTED, e.message, 'unsupported_format', CloseCode.UNSUPPORTED);
    return null;
  }
  const auth = await ctx.auth.verify(req.token, req.userId);
  if (io.gone()) return null;
  if (!auth.ok) {
    refuseConnect(session, io, ErrorCode.AUTH_FAILED, auth.message, auth.reason, CloseCode.AUTH_FAILED, { reason: auth.reason });
    return null;
  }
  session.connectRequest = req;
  session.userId = auth.userId;
  session.deviceId = req.deviceId;
  session.platform = req.platform;
  session.meta = req.meta;
  session.tokenExpiresAt = auth.expiresAt;
  const replaced = await ctx.hub.register(session);
  if (io.gone()) return null;
  const historyEpoch = ctx.broker.epoch?.() ?? null;
  if (rebaseOnEpoch(req, historyEpoch)) io.log.info('resume positions from another history epoch: replaying the current one', { theirs: req.historyEpoch, ours: historyEpoch });
  const batch = req.batch && ctx.config.allowBatching && session.link.transport === 'websocket';
  const compressMin = negotiated.compressor ? req.compressMin : 0;
  const ack = connectAck(negotiated, {
    connectionId: session.id,
    userId: session.userId,
    batch,
    compressMin,
    maxFrameBytes: ctx.config.maxFrameBytes,
    idleTimeoutMs: ctx.config.idleTimeoutMs,
    conflictConnections: replaced,
    compressions: ['none', ...ctx.codecs.compressors.keys()],
    authEnabled: ctx.auth.enabled,
    historyEpoch,
  });
  return { wire: new Wire(negotiated.codec, negotiated.compressor, ctx.config.maxFrameBytes, compressMin), batch, ack };
}

/** Refuses the handshake: counted, an ERROR as uncompressed JSON (the only format both sides know yet), closed. */
export function refuseConnect(session: Session, io: ConnectIo, code: string, message: string, reason: string, closeCode: number, extra: Record<string, string> = {}): void {
  const { metrics, codecs } = session.ctx;
  metrics.inc('flare_handshakes_total', { result: 'failed', reason });
  metrics.inc('flare_errors_total', { code });
  io.log.info('handshake refused', { code, reason });
  io.writeNow(codecs.json.encode(errorFrame(code, message, undefined, extra)));
  session.close(closeCode, `${code}: ${message}`.slice(0, 120));
}
