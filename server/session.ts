/**
 * One connection's protocol state machine, transport-agnostic (a Link carries
 * the bytes). States: awaiting_connect -> authenticating -> awaiting_ready ->
 * open -> closed, every change through `#setState`. The flare-core handshake
 * is lenient about formats before NEGOTIATION_READY and strict after it.
 * Bytes come in through Inbound (limits, batches, rate) and go out through
 * Outbound (send queue); the CONNECT step is in session-connect.ts, the
 * timeouts in session-timers.ts, the hold on frames while the rooms named in
 * CONNECT are joined in held-frames.ts.
 */
import { ErrorCode } from '../src/codec/errors.ts';
import { SystemType, type Frame } from '../src/codec/frame-types.ts';
import { CloseReason } from '../src/protocol/extensions.ts';
import type { ConnectRequest } from './handshake.ts';
import { errorFrame, goingAwayFrame, kickedFrame } from './frames.ts';
import { CloseCode, type Link, type LinkHandler } from './link.ts';
import type { ServerContext } from './context.ts';
import type { Logger } from './log.ts';
import { decodeLenient, SharedFrame, Wire } from './wire.ts';
import { LINK_HIGH_WATER, Outbound } from './outbound.ts';
import { Inbound } from './inbound.ts';
import { RpcEndpoint } from './rpc.ts';
import { StreamTable } from './streams.ts';
import { Membership } from './membership.ts';
import { dispatch } from './dispatch.ts';
import { HeldFrames, RoomGate } from './held-frames.ts';
import { acceptConnect, asFlareError, readFirstFrame, refuseConnect, type Accepted, type ConnectIo } from './session-connect.ts';

export const SessionState = {
  AWAITING_CONNECT: 'awaiting_connect',
  AUTHENTICATING: 'authenticating',
  AWAITING_READY: 'awaiting_ready',
  OPEN: 'open',
  CLOSED: 'closed',
} as const;
export type SessionState = (typeof SessionState)[keyof typeof SessionState];

/** Frames held while the CONNECT is being authenticated. */
const MAX_EARLY_FRAMES = 64;

let connectionCounter = 0;

export class Session implements LinkHandler {
  readonly id: string;
  readonly createdAt = Date.now();
  userId = '';
  deviceId = '';
  platform = '';
  /** CONNECT metadata as text (device info, app keys). */
  meta: Record<string, string> = {};
  /** Room name -> delivery state; managed by RoomService. */
  readonly rooms = new Map<string, Membership>();
  /** Direct messages; created at registration by the hub. */
  inbox: Membership | null = null;
  connectRequest: ConnectRequest | null = null;
  tokenExpiresAt: number | null = null;
  lastActivity = performance.now();
  readonly rpc: RpcEndpoint;
  readonly streams: StreamTable;

  #state: SessionState = SessionState.AWAITING_CONNECT;
  #wire: Wire | null = null;
  /** Batching negotiated: starts after NEGOTIATION_READY. */
  #batchAfterReady = false;
  readonly openedAt = performance.now();
  readonly #in: Inbound;
  readonly #out: Outbound;
  /** Frames that arrive while the CONNECT is authenticated. */
  readonly #early = new HeldFrames<Uint8Array>(MAX_EARLY_FRAMES);
  /** Open, but the rooms named in CONNECT are still being joined: frames wait there. */
  readonly #gate: RoomGate<Frame>;
  readonly #log: Logger;
  readonly #io: ConnectIo;

  constructor(
    readonly ctx: ServerContext,
    readonly link: Link,
  ) {
    this.id = `${ctx.serverId}-${(++connectionCounter).toString(36)}`;
    this.#log = ctx.log.child({ connection: this.id });
    this.#out = new Outbound(link, ctx.metrics, ctx.config.sendQueueBytes);
    this.#in = new Inbound(ctx.config, ctx.metrics, link.transport, { frame: (b) => this.#process(b), error: (code, message) => this.sendError(code, message) });
    this.#io = { log: this.#log, writeNow: (b) => this.#out.writeNow(b), gone: () => this.#gone() };
    const refuse = (f: Frame) => this.sendError(ErrorCode.QUEUE_FULL, 'too many frames while the rooms named in CONNECT are being joined: frame dropped', f.messageId);
    this.#gate = new RoomGate((f) => dispatch(this, f), refuse, () => this.#gone());
    this.rpc = new RpcEndpoint(this, ctx.handlers, this.#log, ctx.metrics);
    this.streams = new StreamTable(this, ctx.handlers, this.#log);
    ctx.metrics.inc('flare_connections_total', { transport: link.transport });
    ctx.hub.accepted(this);
  }

  get state(): SessionState {
    return this.#state;
  }

  get wire(): Wire | null {
    return this.#wire;
  }

  /** The session's logger (its connection id in every line). */
  get log(): Logger {
    return this.#log;
  }

  get isOpen(): boolean {
    return this.#state === SessionState.OPEN;
  }

  /** Closed meanwhile (checked after every await, where narrowing does not see changes). */
  #gone(): boolean {
    return this.#state === SessionState.CLOSED;
  }

  #setState(next: SessionState, reason: string): void {
    if (this.#state === next || this.#state === SessionState.CLOSED) return;
    this.#log.debug('session state', { from: this.#state, to: next, reason });
    this.#state = next;
  }

  // ---------------------------------------------------------------- inbound

  receive(bytes: Uint8Array): void {
    if (this.#state === SessionState.CLOSED) return;
    this.lastActivity = performance.now();
    this.#in.receive(bytes);
  }

  /** One counted, rate-checked frame, by state. */
  #process(bytes: Uint8Array): void {
    switch (this.#state) {
      case SessionState.AWAITING_CONNECT:
        return this.#onFirstFrame(bytes);
      case SessionState.AUTHENTICATING:
        if (!this.#early.push(bytes, bytes.length)) this.sendError(ErrorCode.HANDSHAKE_FAILED, 'too many frames before CONNECT_ACK');
        return;
      case SessionState.AWAITING_READY:
        return this.#onAwaitingReady(bytes);
      case SessionState.OPEN: {
        let frame: Frame;
        try {
          frame = this.#wire!.decode(bytes);
        } catch (e) {
          return this.#malformed(e);
        }
        return this.#gate.frame(frame, bytes.length);
      }
    }
  }

  #malformed(e: unknown): void {
    const err = asFlareError(e);
    this.sendError(err.code, err.message);
  }

  #onFirstFrame(bytes: Uint8Array): void {
    const first = readFirstFrame(this, bytes);
    if (first.kind === 'probe') return this.#out.writeNow(first.pong);
    if (first.kind === 'error') return this.sendError(first.code, first.message, first.ref);
    this.#setState(SessionState.AUTHENTICATING, 'connect');
    acceptConnect(this, first.request, this.#io)
      .then((accepted) => accepted && this.#connected(accepted))
      .catch((e) => {
        this.#log.error('handshake failed', { err: e });
        refuseConnect(this, this.#io, ErrorCode.INTERNAL, 'internal error during the handshake', 'internal', CloseCode.PROTOCOL_ERROR);
      });
  }

  /** CONNECT accepted: CONNECT_ACK, then the frames that came meanwhile. */
  #connected({ wire, batch, ack }: Accepted): void {
    if (this.#gone()) return;
    this.#wire = wire;
    this.#out.writeNow(this.ctx.codecs.json.encode(ack));
    this.#batchAfterReady = batch;
    this.#setState(SessionState.AWAITING_READY, 'connect_ack');
    this.ctx.metrics.inc('flare_handshakes_total', { result: 'ok', reason: '' });
    this.#log.info('connected', { user: this.userId, device: this.deviceId, platform: this.platform, transport: this.link.transport, format: wire.key, batch });
    for (const b of this.#early.take()) this.#process(b);
  }

  #onAwaitingReady(bytes: Uint8Array): void {
    let frame: Frame;
    try {
      frame = decodeLenient(this.ctx.codecs, bytes, this.ctx.config.maxFrameBytes);
    } catch {
      // Perhaps already in the negotiated format (compressed): be lenient.
      try {
        frame = this.#wire!.decode(bytes);
      } catch (e) {
        return this.#malformed(e);
      }
    }
    const c = frame.command;
    this.#open();
    if (c?.case === 'system' && c.value.type === SystemType.NEGOTIATION_READY) return;
    // A client that skips NEGOTIATION_READY: its first frame counts as ready.
    this.#gate.frame(frame, bytes.length);
  }

  #open(): void {
    this.#setState(SessionState.OPEN, 'negotiation_ready');
    this.#in.batch = this.#batchAfterReady;
    const resumed = this.ctx.hub.opened(this);
    this.#out.open(this.#batchAfterReady);
    if (this.connectRequest!.rooms.size > 0) this.#gate.shut(resumed);
    this.ctx.handlers.hooks.opened(this);
  }

  // --------------------------------------------------------------- outbound

  /** Sends a frame in the negotiated format. `droppable` frames may be dropped from a full queue. */
  sendFrame(frame: Frame, droppable = false): void {
    if (this.#state === SessionState.CLOSED) return;
    if (!this.#wire) {
      // Not negotiated yet: only errors go out, as uncompressed JSON.
      this.#out.writeNow(this.ctx.codecs.json.encode(frame));
      return;
    }
    this.#enqueue(this.#wire.encode(frame), droppable);
  }

  /** Sends a frame encoded once for many connections. */
  sendShared(shared: SharedFrame): void {
    if (this.#state === SessionState.CLOSED || !this.#wire) return;
    this.#enqueue(shared.bytes(this.#wire), shared.droppable);
  }

  /** An ERROR frame; the connection stays open. */
  sendError(code: string, message: string, ref?: string, extra: Record<string, string> = {}): void {
    this.ctx.metrics.inc('flare_errors_total', { code });
    this.sendFrame(errorFrame(code, message, ref, extra));
  }

  #enqueue(bytes: Uint8Array, droppable: boolean): void {
    if (this.#out.push(bytes, droppable) !== 'overflow') return;
    this.ctx.metrics.inc('flare_send_queue_drops_total', { what: 'connection' });
    this.#log.warn('send queue overflow: closing a slow consumer', { queued: this.#out.queuedBytes });
    this.#out.close();
    this.close(CloseCode.SEND_QUEUE_OVERFLOW, CloseReason.SEND_QUEUE_OVERFLOW);
  }

  /** Bytes waiting in the send queue and in the transport. */
  get pendingBytes(): number {
    return this.#out.pendingBytes;
  }

  /** Resolves once less than `limit` bytes wait to be sent (producers such as floods pace themselves with it). */
  whenWritable(limit = LINK_HIGH_WATER): Promise<void> {
    return this.#out.whenWritable(limit);
  }

  // -------------------------------------------------------------- lifecycle

  /** Sends KICKED and closes (device conflict, admin kick). */
  kick(reason: string, message: string, meta: Record<string, string> = {}): void {
    if (this.#state === SessionState.CLOSED) return;
    this.ctx.metrics.inc('flare_kicks_total', { reason });
    this.#log.info('kicked', { reason, ...meta });
    this.#sendLast(kickedFrame(reason, message, meta));
    this.close(CloseCode.KICKED, reason);
  }

  /** The going-away CLOSE frame, then the close (shutdown). */
  goAway(reconnectDelayMs: number): void {
    this.#sendLast(goingAwayFrame(reconnectDelayMs));
    this.close(CloseCode.GOING_AWAY, `going away; reconnect_after_ms=${reconnectDelayMs}`);
  }

  /** A frame just before closing: through the queue, flushed, when open; straight out once negotiated; else none. */
  #sendLast(frame: Frame): void {
    if (this.#state === SessionState.OPEN) {
      this.sendFrame(frame);
      this.#out.flushNow();
    } else if (this.#wire && this.#state !== SessionState.CLOSED) this.#out.writeNow(this.#wire.encode(frame));
  }

  /** Closes the connection; what is queued is written first (an ERROR explaining the close, say). */
  close(code: number, reason: string): void {
    if (this.#state === SessionState.CLOSED) return;
    if (this.#state === SessionState.OPEN || this.#state === SessionState.AWAITING_READY) this.#out.flushNow();
    this.link.close(code, reason);
    this.closed(code, reason);
  }

  /** The transport closed (LinkHandler). */
  closed(code: number, reason: string): void {
    if (this.#state === SessionState.CLOSED) return;
    const wasOpen = this.#state === SessionState.OPEN;
    const wasRegistered = wasOpen || this.#state === SessionState.AWAITING_READY;
    this.#setState(SessionState.CLOSED, reason);
    this.#out.close();
    this.rpc.close();
    this.streams.close();
    this.ctx.hub.unregister(this);
    if (wasRegistered) this.#log.info('disconnected', { code, reason });
    if (wasOpen) this.ctx.handlers.hooks.closed(this, code, reason);
  }
}
