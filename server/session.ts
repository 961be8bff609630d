/**
 * One connection's protocol state machine, transport-agnostic (a Link carries
 * the bytes). States: awaiting_connect -> authenticating -> awaiting_ready ->
 * open -> closed, every change through `#setState`. The flare-core handshake
 * is lenient about formats before NEGOTIATION_READY and strict after it.
 */
import { ErrorCode, FlareError } from '../src/codec/errors.ts';
import { SystemType, type Frame } from '../src/codec/frame-types.ts';
import type { FrameCodec } from '../src/codec/codec.ts';
import { CloseReason } from '../src/protocol/extensions.ts';
import { BadConnect, connectAck, negotiate, readConnect, rebaseOnEpoch, type ConnectRequest } from './handshake.ts';
import { errorFrame, goingAwayFrame, kickedFrame, pongFrame } from './frames.ts';
import { CloseCode, type Link, type LinkHandler } from './link.ts';
import type { ServerContext } from './context.ts';
import type { Logger } from './log.ts';
import { decodeLenient, decodeLenientWith, SharedFrame, Wire } from './wire.ts';
import { LINK_HIGH_WATER, Outbound } from './outbound.ts';
import { TokenBucket } from './rate-limit.ts';
import { RpcEndpoint } from './rpc.ts';
import { StreamTable } from './streams.ts';
import { Membership } from './membership.ts';
import { splitBatch } from './framing.ts';
import { dispatch } from './dispatch.ts';

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
/** Frames (and their bytes) held after NEGOTIATION_READY while the rooms named in CONNECT are joined. */
const MAX_HELD_FRAMES = 1024;
const MAX_HELD_BYTES = 8 << 20;

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
  readonly #out: Outbound;
  readonly #bucket: TokenBucket;
  #early: Uint8Array[] = [];
  /** Open, but the rooms named in CONNECT are still being joined: frames wait here (null: not holding). */
  #held: Frame[] | null = null;
  #heldBytes = 0;
  #lastRateError = 0;
  readonly #log: Logger;
  readonly #framesIn: { inc(by?: number): void };
  readonly #bytesIn: { inc(by?: number): void };

  constructor(
    readonly ctx: ServerContext,
    readonly link: Link,
  ) {
    this.id = `${ctx.serverId}-${(++connectionCounter).toString(36)}`;
    this.#log = ctx.log.child({ connection: this.id });
    this.#out = new Outbound(link, ctx.metrics, ctx.config.sendQueueBytes);
    this.#bucket = new TokenBucket(ctx.config.rateLimitPerSec, ctx.config.rateLimitBurst);
    this.rpc = new RpcEndpoint(this, ctx.handlers, this.#log, ctx.metrics);
    this.streams = new StreamTable(this, ctx.handlers, this.#log);
    ctx.metrics.inc('flare_connections_total', { transport: link.transport });
    this.#framesIn = ctx.metrics.series('flare_frames_in_total', { transport: link.transport });
    this.#bytesIn = ctx.metrics.series('flare_bytes_in_total', { transport: link.transport });
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
    this.#bytesIn.inc(bytes.length);
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
    this.#framesIn.inc();
    if (!this.#bucket.take()) {
      this.ctx.metrics.inc('flare_rate_limited_total');
      const now = performance.now();
      if (now - this.#lastRateError > 1000) {
        this.#lastRateError = now;
        this.sendError(ErrorCode.RATE_LIMITED, 'rate limit exceeded: frames are being dropped');
      }
      return;
    }
    this.#process(bytes);
  }

  /** One counted, rate-checked frame, by state. */
  #process(bytes: Uint8Array): void {
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
        return this.#dispatchOrHold(frame, bytes.length);
      }
    }
  }

  #malformed(e: unknown): void {
    const err = e instanceof FlareError ? e : new FlareError(ErrorCode.MALFORMED_FRAME, String(e));
    this.sendError(err.code, err.message);
  }

  #onFirstFrame(bytes: Uint8Array): void {
    let frame: Frame;
    let codec: FrameCodec;
    try {
      ({ frame, codec } = decodeLenientWith(this.ctx.codecs, bytes, this.ctx.config.maxFrameBytes));
    } catch (e) {
      return this.#malformed(e);
    }
    const c = frame.command;
    if (c?.case === 'system' && c.value.type === SystemType.PING) {
      // Clients probe a fresh transport with PINGs before CONNECT: answer in the PING's format, uncompressed.
      this.#writeNow(codec.encode(pongFrame(frame, Date.now())));
      return;
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
    const historyEpoch = ctx.broker.epoch?.() ?? null;
    if (rebaseOnEpoch(req, historyEpoch)) this.#log.info('resume positions from another history epoch: replaying the current one', { theirs: req.historyEpoch, ours: historyEpoch });
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
      historyEpoch,
    });
    this.#writeNow(ctx.codecs.json.encode(ack));
    this.#batchAfterReady = batch;
    this.#setState(SessionState.AWAITING_READY, 'connect_ack');
    ctx.metrics.inc('flare_handshakes_total', { result: 'ok', reason: '' });
    this.#log.info('connected', { user: this.userId, device: this.deviceId, platform: this.platform, transport: this.link.transport, format: this.#wire.key, batch });
    const early = this.#early;
    this.#early = [];
    for (const b of early) this.#process(b);
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
    this.#dispatchOrHold(frame, bytes.length);
  }

  #open(): void {
    this.#setState(SessionState.OPEN, 'negotiation_ready');
    this.#batch = this.#batchAfterReady;
    const resumed = this.ctx.hub.opened(this);
    this.#out.open(this.#batch);
    // Frames may use the rooms named in CONNECT (publish to them, at once): hold them until those are joined.
    if (this.connectRequest!.rooms.size > 0) {
      this.#held = [];
      void resumed.then(() => this.#release());
    }
  }

  #dispatchOrHold(frame: Frame, size: number): void {
    if (!this.#held) return dispatch(this, frame);
    if (this.#held.length >= MAX_HELD_FRAMES || this.#heldBytes + size > MAX_HELD_BYTES) {
      this.sendError(ErrorCode.QUEUE_FULL, 'too many frames while the rooms named in CONNECT are being joined: frame dropped', frame.messageId);
      return;
    }
    this.#held.push(frame);
    this.#heldBytes += size;
  }

  /** The rooms named in CONNECT are joined: the frames held meanwhile, in order. */
  #release(): void {
    const held = this.#held ?? [];
    this.#held = null;
    this.#heldBytes = 0;
    for (const f of held) {
      if (this.#gone()) return;
      dispatch(this, f);
    }
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
    if (this.#out.push(bytes, droppable) !== 'overflow') return;
    this.ctx.metrics.inc('flare_send_queue_drops_total', { what: 'connection' });
    this.#log.warn('send queue overflow: closing a slow consumer', { queued: this.#out.queuedBytes });
    this.#out.close();
    this.close(CloseCode.SEND_QUEUE_OVERFLOW, CloseReason.SEND_QUEUE_OVERFLOW);
  }

  #writeNow(bytes: Uint8Array): void {
    this.#out.writeNow(bytes);
  }

  #flushNow(): void {
    this.#out.flushNow();
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
    this.#out.close();
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
