/**
 * One connection's protocol state machine, transport-agnostic (a Link carries
 * the bytes). States: awaiting_connect -> authenticating -> awaiting_ready ->
 * open -> closed, every change through `#setState`. The flare-core handshake
 * is lenient about formats before NEGOTIATION_READY and strict after it.
 */
import { ErrorCode, FlareError } from '../src/codec/errors.ts';
import { PayloadType, SystemType, type Frame } from '../src/codec/frame-types.ts';
import { systemFrame } from '../src/codec/frames.ts';
import { metaText } from '../src/codec/metadata.ts';
import { CloseReason, ExtCommand, RouteKey } from '../src/protocol/extensions.ts';
import { BadConnect, connectAck, negotiate, readConnect, type ConnectRequest } from './handshake.ts';
import { ackFrame, errorAckFrame, errorFrame, goingAwayFrame, kickedFrame, pongFrame, wantsAck } from './frames.ts';
import { CloseCode, type Link, type LinkHandler } from './link.ts';
import type { ServerContext } from './context.ts';
import type { Logger } from './log.ts';
import { decodeLenient, SharedFrame, Wire } from './wire.ts';
import { SendQueue } from './send-queue.ts';
import { TokenBucket } from './rate-limit.ts';
import { RpcEndpoint } from './rpc.ts';
import { StreamTable } from './streams.ts';
import { Membership } from './membership.ts';
import { splitBatch } from './framing.ts';

export const SessionState = {
  AWAITING_CONNECT: 'awaiting_connect',
  AUTHENTICATING: 'authenticating',
  AWAITING_READY: 'awaiting_ready',
  OPEN: 'open',
  CLOSED: 'closed',
} as const;
export type SessionState = (typeof SessionState)[keyof typeof SessionState];

/** Bytes a link may hold before the session stops writing and waits. */
const LINK_HIGH_WATER = 1024 * 1024;
/** Most bytes written to the link in one write (one WebSocket message when batching). */
const WRITE_CHUNK = 64 * 1024;
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
  #batch = false;
  /** Batching negotiated: starts after NEGOTIATION_READY. */
  #batchAfterReady = false;
  readonly #openedAt = performance.now();
  readonly #queue: SendQueue;
  readonly #bucket: TokenBucket;
  #flushScheduled = false;
  #waitingDrain = false;
  #early: Uint8Array[] = [];
  #lastRateError = 0;
  readonly #log: Logger;

  constructor(
    readonly ctx: ServerContext,
    readonly link: Link,
  ) {
    this.id = `${ctx.serverId}-${(++connectionCounter).toString(36)}`;
    this.#log = ctx.log.child({ connection: this.id });
    this.#queue = new SendQueue(ctx.config.sendQueueBytes);
    this.#bucket = new TokenBucket(ctx.config.rateLimitPerSec, ctx.config.rateLimitBurst);
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
    const m = this.ctx.metrics;
    m.inc('flare_bytes_in_total', { transport: this.link.transport }, bytes.length);
    if (bytes.length > this.ctx.config.maxFrameBytes) {
      this.sendError(ErrorCode.FRAME_TOO_LARGE, `frame of ${bytes.length} bytes exceeds the limit of ${this.ctx.config.maxFrameBytes} bytes`);
      return;
    }
    if (this.#batch) {
      const parts = splitBatch(bytes, this.ctx.config.maxFrameBytes);
      if (!parts) {
        this.sendError(ErrorCode.MALFORMED_FRAME, 'malformed batch (length prefixes do not add up)');
        return;
      }
      for (const p of parts) this.#receiveFrame(p);
    } else this.#receiveFrame(bytes);
  }

  #receiveFrame(bytes: Uint8Array): void {
    this.ctx.metrics.inc('flare_frames_in_total', { transport: this.link.transport });
    if (!this.#bucket.take()) {
      this.ctx.metrics.inc('flare_rate_limited_total');
      const now = performance.now();
      if (now - this.#lastRateError > 1000) {
        this.#lastRateError = now;
        this.sendError(ErrorCode.RATE_LIMITED, 'rate limit exceeded: frames are being dropped');
      }
      return;
    }
    switch (this.#state) {
      case SessionState.AWAITING_CONNECT:
        return this.#onFirstFrame(bytes);
      case SessionState.AUTHENTICATING:
        if (this.#early.length >= MAX_EARLY_FRAMES) this.sendError(ErrorCode.HANDSHAKE_FAILED, 'too many frames before CONNECT_ACK');
        else this.#early.push(bytes);
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
        return this.#dispatch(frame);
      }
    }
  }

  #malformed(e: unknown): void {
    const err = e instanceof FlareError ? e : new FlareError(ErrorCode.MALFORMED_FRAME, String(e));
    this.sendError(err.code, err.message);
  }

  #onFirstFrame(bytes: Uint8Array): void {
    let frame: Frame;
    try {
      frame = decodeLenient(this.ctx.codecs, bytes, this.ctx.config.maxFrameBytes);
    } catch (e) {
      return this.#malformed(e);
    }
    let req: ConnectRequest;
    try {
      req = readConnect(frame);
    } catch (e) {
      this.sendError(ErrorCode.HANDSHAKE_FAILED, (e as Error).message, frame.messageId);
      return;
    }
    this.#setState(SessionState.AUTHENTICATING, 'connect');
    this.#connect(req).catch((e) => {
      this.#log.error('handshake failed', { err: e });
      this.#failHandshake(ErrorCode.INTERNAL, 'internal error during the handshake', 'internal', CloseCode.PROTOCOL_ERROR);
    });
  }

  async #connect(req: ConnectRequest): Promise<void> {
    const { ctx } = this;
    let negotiated;
    try {
      negotiated = negotiate(req, ctx.codecs);
    } catch (e) {
      if (!(e instanceof BadConnect)) throw e;
      return this.#failHandshake(ErrorCode.UNSUPPORTED, e.message, 'unsupported_format', CloseCode.UNSUPPORTED);
    }
    const auth = await ctx.auth.verify(req.token, req.userId);
    if (this.#gone()) return;
    if (!auth.ok) return this.#failHandshake(ErrorCode.AUTH_FAILED, auth.message, auth.reason, CloseCode.AUTH_FAILED, { reason: auth.reason });
    this.connectRequest = req;
    this.userId = auth.userId;
    this.deviceId = req.deviceId;
    this.platform = req.platform;
    this.meta = req.meta;
    this.tokenExpiresAt = auth.expiresAt;
    this.#batch = false;
    const replaced = await ctx.hub.register(this);
    if (this.#gone()) return;
    this.#wire = new Wire(negotiated.codec, negotiated.compressor, ctx.config.maxFrameBytes);
    const batch = req.batch && ctx.config.allowBatching && this.link.transport === 'websocket';
    const ack = connectAck(negotiated, {
      connectionId: this.id,
      userId: this.userId,
      batch,
      maxFrameBytes: ctx.config.maxFrameBytes,
      idleTimeoutMs: ctx.config.idleTimeoutMs,
      conflictConnections: replaced,
      compressions: ['none', ...ctx.codecs.compressors.keys()],
      authEnabled: ctx.auth.enabled,
    });
    this.#writeNow(ctx.codecs.json.encode(ack));
    this.#batchAfterReady = batch;
    this.#setState(SessionState.AWAITING_READY, 'connect_ack');
    ctx.metrics.inc('flare_handshakes_total', { result: 'ok', reason: '' });
    this.#log.info('connected', { user: this.userId, device: this.deviceId, platform: this.platform, transport: this.link.transport, format: this.#wire.key, batch });
    const early = this.#early;
    this.#early = [];
    for (const b of early) this.#receiveFrame(b);
  }


  #failHandshake(code: string, message: string, reason: string, closeCode: number, extra: Record<string, string> = {}): void {
    this.ctx.metrics.inc('flare_handshakes_total', { result: 'failed', reason });
    this.ctx.metrics.inc('flare_errors_total', { code });
    this.#log.info('handshake refused', { code, reason });
    // Before negotiation the only format both sides know is uncompressed JSON.
    this.#writeNow(this.ctx.codecs.json.encode(errorFrame(code, message, undefined, extra)));
    this.close(closeCode, `${code}: ${message}`.slice(0, 120));
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
    this.#dispatch(frame);
  }

  #open(): void {
    this.#setState(SessionState.OPEN, 'negotiation_ready');
    this.#batch = this.#batchAfterReady;
    this.ctx.hub.opened(this);
    this.#scheduleFlush();
  }

  #dispatch(frame: Frame): void {
    const c = frame.command;
    if (!c) {
      if (wantsAck(frame)) this.sendFrame(ackFrame(frame));
      return;
    }
    switch (c.case) {
      case 'system':
        return this.#onSystem(frame, c.value.type);
      case 'payload':
        if (c.value.type === PayloadType.ACK) return; // never ACK an ACK
        return this.#onPayload(frame);
      case 'notification':
        if (wantsAck(frame)) this.sendFrame(ackFrame(frame));
        return;
      case 'custom': {
        if (wantsAck(frame)) this.sendFrame(ackFrame(frame));
        const cmd = c.value;
        switch (cmd.name) {
          case ExtCommand.RPC_REQUEST:
            void this.rpc.handleRequest(cmd);
            return;
          case ExtCommand.RPC_RESPONSE:
            return this.rpc.handleResponse(cmd);
          case ExtCommand.EVENT:
            void this.rpc.handleEvent(cmd);
            return;
          case ExtCommand.STREAM:
            return this.streams.handle(cmd);
          default:
            return; // someone else's extension: ACKed, otherwise ignored
        }
      }
    }
  }

  #onSystem(frame: Frame, type: number): void {
    switch (type) {
      case SystemType.PING:
        this.sendFrame(pongFrame(frame, Date.now()));
        return;
      case SystemType.CLOSE:
        this.close(CloseCode.NORMAL, 'client closed');
        return;
      case SystemType.CONNECT:
        this.sendError(ErrorCode.HANDSHAKE_FAILED, 'already connected', frame.messageId);
        return;
      case SystemType.AUTH:
        void this.#reauthenticate(frame);
        return;
      case SystemType.EVENT:
        if (wantsAck(frame)) this.sendFrame(ackFrame(frame));
        return;
      default:
        return; // PONG, NEGOTIATION_READY again, ERROR from the client, ...
    }
  }

  /** AUTH with a fresh token (metadata `token`, or the data as text) extends the session. */
  async #reauthenticate(frame: Frame): Promise<void> {
    const sys = frame.command!.value as { metadata: Record<string, Uint8Array>; data: Uint8Array };
    const token = metaText(sys.metadata, 'token') ?? new TextDecoder().decode(sys.data);
    const result = await this.ctx.auth.verify(token, this.userId);
    if (!result.ok) {
      this.sendError(ErrorCode.AUTH_FAILED, result.message, frame.messageId, { reason: result.reason });
      return;
    }
    this.tokenExpiresAt = result.expiresAt;
    this.sendFrame(systemFrame(SystemType.AUTH_ACK, { metadata: { expires_at: String(result.expiresAt ?? 0) } }, { messageId: frame.messageId }));
  }

  #onPayload(frame: Frame): void {
    const p = frame.command!.value as { metadata: Record<string, Uint8Array> };
    const room = metaText(p.metadata, RouteKey.ROOM);
    const to = metaText(p.metadata, RouteKey.TO);
    const ack = wantsAck(frame);
    if (room === undefined && to === undefined) {
      if (ack) this.#errorAck(frame, ErrorCode.INVALID_ARGUMENT, `no route: set metadata '${RouteKey.ROOM}' or '${RouteKey.TO}'`);
      return;
    }
    const work = room !== undefined ? this.ctx.rooms.publish(this, room, frame) : this.ctx.hub.direct(this, to!, frame);
    work.then(
      (seq) => ack && this.sendFrame(ackFrame(frame, { [RouteKey.SEQ]: String(seq), ...(room !== undefined ? { [RouteKey.ROOM]: room } : { [RouteKey.TO]: to! }) })),
      (e) => {
        if (!ack) return;
        if (e instanceof FlareError) this.#errorAck(frame, e.code, e.message);
        else {
          this.#log.error('publish failed', { err: e });
          this.#errorAck(frame, ErrorCode.INTERNAL, 'internal error');
        }
      },
    );
  }

  #errorAck(frame: Frame, code: string, message: string): void {
    this.ctx.metrics.inc('flare_errors_total', { code });
    this.sendFrame(errorAckFrame(frame, code, message));
  }

  // --------------------------------------------------------------- outbound

  /** Sends a frame in the negotiated format. `droppable` frames may be dropped from a full queue. */
  sendFrame(frame: Frame, droppable = false): void {
    if (this.#state === SessionState.CLOSED) return;
    if (!this.#wire) {
      // Not negotiated yet: only errors go out, as uncompressed JSON.
      this.#writeNow(this.ctx.codecs.json.encode(frame));
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
    const r = this.#queue.push(bytes, droppable, (n) => this.ctx.metrics.inc('flare_send_queue_drops_total', { what: 'best_effort' }, n));
    if (r === 'dropped') {
      this.ctx.metrics.inc('flare_send_queue_drops_total', { what: 'best_effort' });
      return;
    }
    if (r === 'overflow') {
      this.ctx.metrics.inc('flare_send_queue_drops_total', { what: 'connection' });
      this.#log.warn('send queue overflow: closing a slow consumer', { queued: this.#queue.bytes });
      this.#queue.clear();
      this.close(CloseCode.SEND_QUEUE_OVERFLOW, CloseReason.SEND_QUEUE_OVERFLOW);
      return;
    }
    this.#scheduleFlush();
  }

  #scheduleFlush(): void {
    if (this.#flushScheduled || this.#waitingDrain || this.#state !== SessionState.OPEN) return;
    this.#flushScheduled = true;
    queueMicrotask(() => this.#flush());
  }

  #flush(): void {
    this.#flushScheduled = false;
    if (this.#state !== SessionState.OPEN) return;
    while (this.#queue.length > 0) {
      if (this.link.backlog >= LINK_HIGH_WATER) {
        this.#waitingDrain = true;
        this.link.whenBelow(LINK_HIGH_WATER / 2, () => {
          this.#waitingDrain = false;
          this.#scheduleFlush();
        });
        return;
      }
      const frames = this.#queue.take(WRITE_CHUNK);
      this.#write(frames);
    }
  }

  #write(frames: Uint8Array[]): void {
    const batched = this.#batch || this.link.transport === 'webtransport';
    const n = this.link.write(frames, batched);
    this.ctx.metrics.inc('flare_frames_out_total', { transport: this.link.transport }, frames.length);
    this.ctx.metrics.inc('flare_bytes_out_total', { transport: this.link.transport }, n);
  }

  /** Writes one frame at once, ahead of the queue (handshake replies, errors before negotiation). */
  #writeNow(bytes: Uint8Array): void {
    this.#write([bytes]);
  }

  /** Bytes waiting in the send queue and in the transport. */
  get pendingBytes(): number {
    return this.#queue.bytes + this.link.backlog;
  }

  /** Resolves once less than `limit` bytes wait to be sent (producers such as floods pace themselves with it). */
  async whenWritable(limit = LINK_HIGH_WATER): Promise<void> {
    while (this.#state !== SessionState.CLOSED && this.pendingBytes > limit) {
      await new Promise<void>((r) => setTimeout(r, 2));
    }
  }

  // -------------------------------------------------------------- lifecycle

  /** Sends KICKED and closes (device conflict, admin kick). */
  kick(reason: string, message: string, meta: Record<string, string> = {}): void {
    if (this.#state === SessionState.CLOSED) return;
    this.ctx.metrics.inc('flare_kicks_total', { reason });
    this.#log.info('kicked', { reason, ...meta });
    const frame = kickedFrame(reason, message, meta);
    if (this.#state === SessionState.OPEN) {
      this.sendFrame(frame);
      this.#flushNow();
    } else if (this.#wire) this.#writeNow(this.#wire.encode(frame));
    this.close(CloseCode.KICKED, reason);
  }

  /** The going-away CLOSE frame, then the close (shutdown). */
  goAway(reconnectDelayMs: number): void {
    const frame = goingAwayFrame(reconnectDelayMs);
    if (this.#state === SessionState.OPEN) {
      this.sendFrame(frame);
      this.#flushNow();
    } else if (this.#wire && this.#state !== SessionState.CLOSED) this.#writeNow(this.#wire.encode(frame));
    this.close(CloseCode.GOING_AWAY, `going away; reconnect_after_ms=${reconnectDelayMs}`);
  }

  /** Writes whatever is queued, ignoring the link's high-water mark (used just before closing). */
  #flushNow(): void {
    while (this.#queue.length > 0) this.#write(this.#queue.take(WRITE_CHUNK));
  }

  /** Closes the connection; what is queued is written first (an ERROR explaining the close, say). */
  close(code: number, reason: string): void {
    if (this.#state === SessionState.CLOSED) return;
    if (this.#state === SessionState.OPEN || this.#state === SessionState.AWAITING_READY) this.#flushNow();
    this.link.close(code, reason);
    this.closed(code, reason);
  }

  /** The transport closed (LinkHandler). */
  closed(code: number, reason: string): void {
    if (this.#state === SessionState.CLOSED) return;
    const wasRegistered = this.#state === SessionState.OPEN || this.#state === SessionState.AWAITING_READY;
    this.#setState(SessionState.CLOSED, reason);
    this.#queue.clear();
    this.rpc.close();
    this.streams.close();
    this.ctx.hub.unregister(this);
    if (wasRegistered) this.#log.info('disconnected', { code, reason });
  }

  /** Timeouts, checked by the hub's sweeper. */
  checkTimers(nowMono: number, nowWall: number): void {
    const { config } = this.ctx;
    const idle = nowMono - this.lastActivity;
    if (this.#state !== SessionState.OPEN && this.#state !== SessionState.CLOSED) {
      if (nowMono - this.#openedAt > config.handshakeTimeoutMs) {
        this.ctx.metrics.inc('flare_handshakes_total', { result: 'failed', reason: 'timeout' });
        this.sendError(ErrorCode.CONNECT_TIMEOUT, 'handshake timeout');
        this.close(CloseCode.HANDSHAKE_TIMEOUT, 'handshake timeout');
      }
      return;
    }
    if (idle > config.idleTimeoutMs) {
      this.#log.info('idle timeout', { idleMs: Math.round(idle) });
      this.close(CloseCode.IDLE_TIMEOUT, CloseReason.IDLE_TIMEOUT);
      return;
    }
    if (this.tokenExpiresAt !== null && nowWall >= this.tokenExpiresAt) {
      this.sendError(ErrorCode.AUTH_FAILED, 'the token has expired', undefined, { reason: CloseReason.TOKEN_EXPIRED });
      this.#flushNow();
      this.close(CloseCode.AUTH_FAILED, CloseReason.TOKEN_EXPIRED);
    }
  }

}
