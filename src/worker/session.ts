/**
 * The session: one logical connection to one server across transports,
 * reconnects and migrations. It owns the state machine and wires the parts:
 * racer -> link (handshake) -> heartbeat, outbox, inbox, token refresh, live
 * switching, and the reconnect policy when a link is lost.
 *
 * Every state change goes through `#sm.setState` with a reason code; every
 * asynchronous step checks its epoch so that a late answer from an attempt
 * that was abandoned (disconnect, kick, a newer attempt) changes nothing.
 */
import { ErrorCode, FlareError } from '../codec/errors.ts';
import { PayloadType, SystemType, type Frame } from '../codec/frame-types.ts';
import { systemFrame } from '../codec/frames.ts';
import { metaText } from '../codec/metadata.ts';
import { RouteKey, SystemKey } from '../protocol/extensions.ts';
import type { ConnectionStats, OutboundMessage, PageSignal, SendReceipt, WorkerEvent } from './api.ts';
import type { Clock } from './clock.ts';
import { ClockOffsetEstimator } from './clock-offset.ts';
import { ConnectedCode, ConnectingCode, ConnectionState as S, DisconnectedCode, FailedCode, KickedCode, ReconnectingCode, type ReconnectingCode as RC } from './codes.ts';
import { readGoodbye, readServerError, type ConnectParams } from './handshake.ts';
import { Heartbeat } from './heartbeat.ts';
import { Inbox } from './inbox.ts';
import { DIRECT_STREAM, toInbound, type Inbound } from './inbound.ts';
import { Link, type LinkCodecs, type LinkEvents } from './link.ts';
import { LiveSwitch } from './live-switch.ts';
import { createMessageIdGenerator } from './message-id.ts';
import type { ResolvedOptions } from './options.ts';
import { toFrame } from './outbound.ts';
import { Outbox, type OutboxEvent, type OutboxStore } from './outbox.ts';
import { createPingProber } from './probe.ts';
import { Racer, type Candidate, type WinnerMemory } from './racer.ts';
import { BackoffReconnectPolicy, NEVER_RECONNECT, type ReconnectPolicy } from './reconnect-policy.ts';
import { ConnectionStateMachine } from './state-machine.ts';
import { SwitchPolicy } from './switch-policy.ts';
import type { TokenProvider, TokenReason } from './token.ts';
import { TokenRefresher } from './token-refresher.ts';
import { ServerRpc } from './server-rpc.ts';
import { RetryScheduler } from './retry-scheduler.ts';
import { Sender } from './sender.ts';
import { serializeError } from './transfer-handlers.ts';
import { TransportCloseCode, type Transport, type TransportCloseInfo, type TransportKind } from './transport.ts';

/** What the session is built from; all injectable for tests. */
export interface SessionDeps {
  clock: Clock;
  codecs: LinkCodecs;
  createTransport(kind: TransportKind): Transport;
  emit(event: WorkerEvent, transfer?: Transferable[]): void;
  /** Delivers emitted events now (before a command's promise settles, so events arrive first). */
  flush?(): void;
  tokenProvider?: TokenProvider | null;
  reconnectPolicy?: ReconnectPolicy;
  racer?: Racer;
  /** Where the default racer remembers winners (winner-store.ts persists them). */
  winnerMemory?: WinnerMemory;
  outboxStore?: OutboxStore | null;
  /** Whether the network is up (default navigator.onLine). */
  online?: () => boolean;
}

type Waiter = { resolve: () => void; reject: (e: FlareError) => void };

export class Session {
  readonly #o: ResolvedOptions;
  readonly #d: SessionDeps;
  readonly #clock: Clock;
  readonly #sm: ConnectionStateMachine;
  readonly #racer: Racer;
  readonly #policy: ReconnectPolicy;
  readonly #outbox: Outbox;
  readonly #inbox: Inbox<Inbound>;
  readonly #offset = new ClockOffsetEstimator();
  readonly #switchPolicy: SwitchPolicy;
  readonly #live: LiveSwitch;
  readonly #newId = createMessageIdGenerator();
  readonly #rooms = new Map<string, number | null>();
  #link: Link | null = null;
  #heartbeat: Heartbeat | null = null;
  #epoch = 0;
  #waiters: Waiter[] = [];
  #everConnected = false;
  readonly #retry: RetryScheduler;
  #authRetried = false;
  #tokenReason: TokenReason = 'connect';
  #migrating = false;
  readonly #sender: Sender;
  readonly #rpc: ServerRpc;
  readonly #tokens: TokenRefresher;
  #stats = { reconnects: 0, switches: 0, sent: 0, received: 0, connectedAt: null as number | null, rttMs: null as number | null };
  #scores: Partial<Record<TransportKind, number>> = {};

  constructor(options: ResolvedOptions, deps: SessionDeps) {
    this.#o = options;
    this.#d = deps;
    this.#clock = deps.clock;
    this.#sm = new ConnectionStateMachine({ now: () => deps.clock.now() });
    this.#sm.subscribe((c) => deps.emit({ type: 'state', from: c.from, to: c.to, code: c.code, reason: c.reason }));
    this.#racer =
      deps.racer ??
      new Racer({
        clock: deps.clock,
        prober: createPingProber({ clock: deps.clock, newId: this.#newId }),
        dialTimeoutMs: options.connectTimeoutMs,
        preferred: options.preferredTransport,
        ...(deps.winnerMemory ? { memory: deps.winnerMemory } : {}),
      });
    this.#policy =
      deps.reconnectPolicy ??
      (options.autoReconnect
        ? new BackoffReconnectPolicy({
            initialDelayMs: options.reconnectInitialDelayMs,
            maxDelayMs: options.reconnectMaxDelayMs,
            multiplier: options.reconnectMultiplier,
            maxAttempts: options.maxReconnectAttempts,
          })
        : NEVER_RECONNECT);
    this.#outbox = new Outbox({
      maxEntries: options.outboxMaxEntries,
      maxBytes: options.outboxMaxBytes,
      resendAfterMs: options.resendAfterMs,
      store: deps.outboxStore ?? null,
      onEvent: (e) => this.#onOutbox(e),
    });
    this.#inbox = new Inbox<Inbound>({ onGap: (g) => deps.emit({ type: 'gap', ...g }) });
    this.#retry = new RetryScheduler({
      clock: deps.clock,
      policy: this.#policy,
      online: deps.online ?? (() => (typeof navigator === 'undefined' ? true : navigator.onLine !== false)),
      offlinePollMs: options.reconnectMaxDelayMs,
      attempt: () => {
        if (this.#sm.state === S.Reconnecting) void this.#attempt();
      },
      giveUp: (lastError) => this.#fail(FailedCode.RETRIES_EXHAUSTED, lastError),
    });
    this.#rpc = new ServerRpc(deps.clock, this.#newId, options.handshakeTimeoutMs);
    this.#sender = new Sender({
      clock: deps.clock,
      outbox: this.#outbox,
      rpc: this.#rpc,
      link: () => (this.#sm.state === S.Connected ? this.#link : null),
      otherWakeAt: () => this.#inbox.nextWakeAt(),
      onWake: () => this.#deliver(this.#inbox.expireGaps(deps.clock.now())),
    });
    this.#tokens = new TokenRefresher({
      clock: deps.clock,
      provider: deps.tokenProvider ?? null,
      newId: this.#newId,
      onError: (e) => deps.emit({ type: 'error', error: serializeError(e) }),
      onRejected: (message) => {
        this.#tokenReason = 'rejected';
        this.#lost(ReconnectingCode.TOKEN_REFRESH, message);
      },
    });
    this.#switchPolicy = new SwitchPolicy({ preferred: options.preferredTransport });
    this.#live = new LiveSwitch({
      clock: deps.clock,
      policy: this.#switchPolicy,
      intervalMs: options.switchCheckIntervalMs,
      healthyScore: options.healthyScore,
      kinds: options.transports,
      current: () => (this.#link && this.#sm.state === S.Connected ? { kind: this.#link.kind, metrics: this.#racer.scorer.snapshot(this.#link.kind) } : null),
      refresh: () => this.#heartbeat?.pingNow(),
      score: (m) => this.#racer.effectiveScore(m),
      measure: (kind, signal) => this.#racer.measure(this.#candidate(kind), signal),
      switchTo: (kind, reason) => this.switchTransport(kind, reason),
      onScores: (s) => (this.#scores = { ...this.#scores, ...s }),
    });
  }

  /** The current state. */
  get state(): S {
    return this.#sm.state;
  }

  /** Puts back messages persisted by an earlier page (outbox-store.ts `claim`). */
  restoreOutbox(entries: Parameters<Outbox['restore']>[0]): void {
    this.#outbox.restore(entries);
    this.#sender.wake();
    this.#sender.schedule();
  }

  // ------------------------------------------------------------ commands

  connect(): Promise<void> {
    const st = this.#sm.state;
    if (st === S.Connected) return Promise.resolve();
    const p = new Promise<void>((resolve, reject) => this.#waiters.push({ resolve, reject }));
    if (st === S.Disconnected || st === S.Failed || st === S.Kicked) {
      this.#sm.setState(S.Connecting, { code: ConnectingCode.CONNECT_CALLED });
      this.#everConnected = false;
      this.#retry.end();
      this.#authRetried = false;
      this.#tokenReason = 'connect';
      void this.#attempt();
    }
    return p;
  }

  async disconnect(): Promise<void> {
    this.#epoch++;
    this.#retry.cancel();
    const link = this.#link;
    if (link && link.state === 'open') {
      try {
        link.send([systemFrame(SystemType.CLOSE, { message: 'client disconnect' }, { messageId: this.#newId(this.#clock.wallNow()) })]);
      } catch {
        // already gone
      }
    }
    this.#teardown(TransportCloseCode.NORMAL, 'disconnect');
    this.#sm.trySetState(S.Disconnected, { code: DisconnectedCode.DISCONNECT_CALLED });
    this.#settleWaiters(new FlareError(ErrorCode.ABORTED, 'disconnect() was called'));
  }

  send(m: OutboundMessage): SendReceipt {
    const id = m.id ?? this.#newId(this.#clock.wallNow());
    const frame = toFrame(m, id, this.#clock.wallNow());
    if (m.reliable === false) {
      const link = this.#link;
      if (!link || this.#sm.state !== S.Connected) throw new FlareError(ErrorCode.NOT_CONNECTED, 'not connected (best-effort messages are not queued)');
      link.send([frame]);
      this.#stats.sent++;
      return { id, state: 'sent' };
    }
    this.#outbox.enqueue(frame, this.#clock.wallNow(), { priority: m.priority, ttlMs: m.ttlMs });
    this.#sender.schedule();
    this.#sender.wake();
    return { id, state: 'queued' };
  }

  trackRoom(room: string, lastSeq: number | null): void {
    this.#rooms.set(room, lastSeq);
    if (lastSeq !== null) this.#inbox.setPosition(room, lastSeq);
  }

  untrackRoom(room: string): void {
    this.#rooms.delete(room);
    this.#inbox.forget(room);
  }

  pageSignal(signal: PageSignal): void {
    const st = this.#sm.state;
    if (signal === 'online' || signal === 'resume' || signal === 'visible') {
      if (st === S.Connected) this.#heartbeat?.recheck();
      else if (st === S.Reconnecting) this.#retry.networkRestored();
    } else if (signal === 'offline' && st === S.Connected) {
      this.#heartbeat?.recheck();
    }
  }

  /** Migrates to a transport of `kind` without losing or duplicating messages. */
  async switchTransport(kind: TransportKind, reason = 'requested'): Promise<void> {
    const old = this.#link;
    if (!old || this.#sm.state !== S.Connected || old.kind === kind || this.#migrating) return;
    this.#migrating = true;
    const epoch = this.#epoch;
    try {
      const race = await this.#racer.race(this.#o.url, [this.#candidate(kind)]);
      const link = new Link(race.winner, this.#d.codecs, this.#linkEvents);
      const ack = await link.handshake(this.#params(), { clock: this.#clock, timeoutMs: this.#o.handshakeTimeoutMs, newId: this.#newId });
      if (epoch !== this.#epoch || this.#link !== old || this.#sm.state !== S.Connected) {
        link.close(1000, 'stale migration');
        return;
      }
      this.#heartbeat?.stop();
      this.#link = link;
      this.#startHeartbeat(link);
      this.#stats.switches++;
      // Frames still travelling on the old link are received for a moment; the inbox drops what arrives twice.
      this.#clock.setTimeout(() => old.close(1000, 'migrated'), this.#o.migrationDrainMs);
      this.#outbox.requeueInFlight();
      this.#sender.schedule();
      this.#d.emit({ type: 'switched', from: old.kind, to: kind, reason });
      this.#d.emit({ type: 'connected', transport: kind, connectionId: ack.connectionId, userId: ack.userId, reconnected: true, format: ack.format, compression: ack.compression });
    } finally {
      this.#migrating = false;
    }
  }

  stats(): ConnectionStats {
    const link = this.#link;
    return {
      state: this.#sm.state,
      transport: link?.kind ?? null,
      connectionId: link?.connectionId ?? '',
      connectedAt: this.#stats.connectedAt,
      reconnects: this.#stats.reconnects,
      switches: this.#stats.switches,
      messagesSent: this.#stats.sent,
      messagesReceived: this.#stats.received,
      duplicatesDropped: this.#inbox.duplicates,
      outboxSize: this.#outbox.size,
      outboxInFlight: this.#outbox.inFlight,
      rttMs: this.#stats.rttMs,
      clockOffsetMs: this.#offset.estimate?.offsetMs ?? null,
      metrics: this.#o.transports.map((k) => this.#racer.scorer.snapshot(k)),
      scores: { ...this.#scores },
    };
  }

  // ------------------------------------------------------------ connecting

  #candidate(kind: TransportKind): Candidate {
    return { kind, create: () => this.#d.createTransport(kind) };
  }

  #params(): ConnectParams {
    const rooms: Record<string, number | null> = {};
    const pos = this.#inbox.positions();
    for (const [room, seq] of this.#rooms) rooms[room] = pos[room] ?? seq;
    const o = this.#o;
    return {
      userId: o.userId,
      token: this.#tokens.token?.token,
      deviceId: o.deviceId,
      platform: o.platform,
      model: o.model,
      appVersion: o.appVersion,
      systemVersion: o.systemVersion,
      format: o.format,
      forceFormat: o.forceFormat,
      compression: o.compression?.join(','),
      batch: o.batch,
      rooms,
      inboxSeq: pos[DIRECT_STREAM] ?? null,
      presence: o.presence,
      conflictStrategy: o.conflictStrategy,
    };
  }

  async #attempt(): Promise<void> {
    const epoch = ++this.#epoch;
    let link: Link | null = null;
    try {
      await this.#tokens.fetch(this.#tokenReason);
      if (epoch !== this.#epoch) return;
      const race = await this.#racer.race(this.#o.url, this.#o.transports.map((k) => this.#candidate(k)));
      if (epoch !== this.#epoch) return race.winner.transport.close(1000, 'stale attempt');
      this.#d.emit({ type: 'race', winner: race.kind, decidedBy: race.decidedBy, scores: race.scores });
      this.#scores = { ...race.scores };
      link = new Link(race.winner, this.#d.codecs, this.#linkEvents);
      const ack = await link.handshake(this.#params(), { clock: this.#clock, timeoutMs: this.#o.handshakeTimeoutMs, newId: this.#newId });
      if (epoch !== this.#epoch) return link.close(1000, 'stale attempt');
      this.#adopt(link, ack.connectionId, ack.userId, ack.format, ack.compression);
    } catch (e) {
      if (epoch !== this.#epoch) return;
      this.#attemptFailed(FlareError.is(e) ? e : new FlareError(ErrorCode.INTERNAL, String(e), { cause: e }));
    }
  }

  #attemptFailed(e: FlareError): void {
    this.#retry.lastError = e;
    if (e.code === ErrorCode.KICKED) return this.#kicked(String(e.details?.reason ?? ''), e.message);
    if (e.code === ErrorCode.AUTH_FAILED) {
      if (!this.#authRetried && this.#d.tokenProvider) {
        this.#authRetried = true;
        this.#tokenReason = 'rejected';
        void this.#attempt();
        return;
      }
      this.#fail(FailedCode.AUTH_FAILED, e);
      return;
    }
    if (this.#policy === NEVER_RECONNECT) return this.#fail(this.#everConnected ? FailedCode.CONNECTION_LOST : FailedCode.UNREACHABLE, e);
    if (this.#sm.state === S.Connecting) {
      this.#sm.setState(S.Reconnecting, { code: ReconnectingCode.CONNECT_FAILED, reason: e.message });
      this.#retry.begin();
    }
    this.#retry.schedule();
  }

  #adopt(link: Link, connectionId: string, userId: string, format: string, compression: string): void {
    this.#link = link;
    this.#authRetried = false;
    this.#retry.end();
    this.#startHeartbeat(link);
    const reconnected = this.#everConnected;
    this.#everConnected = true;
    if (reconnected) this.#stats.reconnects++;
    this.#stats.connectedAt = this.#clock.wallNow();
    this.#sm.setState(S.Connected, { code: reconnected ? ConnectedCode.RECONNECTED : ConnectedCode.HANDSHAKE_COMPLETE, reason: link.kind });
    this.#d.emit({ type: 'connected', transport: link.kind, connectionId, userId, reconnected, format, compression });
    this.#settleWaiters(null);
    this.#outbox.requeueInFlight();
    this.#sender.gateOnRooms(link, this.#rooms, this.#inbox.positions());
    this.#sender.schedule();
    this.#tokens.start((frames) => link.send(frames));
    if (this.#o.autoSwitch && this.#o.transports.length > 1) this.#live.start();
  }

  #startHeartbeat(link: Link): void {
    this.#heartbeat = new Heartbeat({
      clock: this.#clock,
      intervalMs: this.#o.heartbeatIntervalMs,
      timeoutMs: this.#o.heartbeatTimeoutMs,
      pongTimeoutMs: this.#o.heartbeatPongTimeoutMs,
      sendPing: () => {
        const id = this.#newId(this.#clock.wallNow());
        try {
          link.send([systemFrame(SystemType.PING, {}, { messageId: id })]);
          return id;
        } catch {
          return null;
        }
      },
      onDead: ({ reason, silentMs }) => {
        this.#racer.scorer.probe(link.kind, false);
        if (this.#link === link) this.#lost(ReconnectingCode.HEARTBEAT_TIMEOUT, `${reason} after ${Math.round(silentMs)} ms of silence`);
      },
      onRtt: ({ rttMs, sentWall, serverWall }) => {
        this.#racer.scorer.rtt(link.kind, rttMs);
        this.#racer.scorer.probe(link.kind, true);
        this.#stats.rttMs = rttMs;
        this.#offset.add(sentWall, rttMs, serverWall, this.#clock.now());
        this.#d.emit({ type: 'rtt', rttMs, clockOffsetMs: this.#offset.estimate?.offsetMs ?? null });
      },
    });
    this.#heartbeat.start();
  }

  // ------------------------------------------------------------ losing

  #lost(code: RC, reason: string): void {
    this.#teardown(TransportCloseCode.GOING_AWAY, reason);
    if (this.#policy === NEVER_RECONNECT) return this.#fail(FailedCode.CONNECTION_LOST, new FlareError(ErrorCode.TRANSPORT_CLOSED, reason));
    if (!this.#sm.trySetState(S.Reconnecting, { code, reason })) return;
    this.#tokenReason = 'reconnect';
    this.#retry.begin();
    this.#retry.schedule();
  }

  #fail(code: FailedCode, cause: unknown): void {
    this.#epoch++;
    this.#retry.cancel();
    this.#teardown(TransportCloseCode.NORMAL, code);
    const error = FlareError.is(cause) ? cause : new FlareError(ErrorCode.TRANSPORT_UNAVAILABLE, `connection failed: ${code}`, { cause });
    this.#sm.trySetState(S.Failed, { code, reason: error.message });
    this.#d.emit({ type: 'error', error: serializeError(error) });
    this.#settleWaiters(error);
  }

  #kicked(reason: string, message: string): void {
    this.#epoch++;
    this.#retry.cancel();
    this.#teardown(TransportCloseCode.NORMAL, 'kicked');
    const code = reason === 'device_conflict' ? KickedCode.DEVICE_CONFLICT : KickedCode.SERVER_KICK;
    this.#sm.trySetState(S.Kicked, { code, reason: message || reason });
    this.#d.emit({ type: 'kicked', reason, message });
    this.#settleWaiters(new FlareError(ErrorCode.KICKED, message || 'kicked by the server', { details: { reason } }));
  }

  /** Drops the current link and everything bound to it; the outbox keeps its frames for the next link. */
  #teardown(code: number, reason: string): void {
    this.#live.stop();
    this.#heartbeat?.stop();
    this.#heartbeat = null;
    this.#tokens.stop();
    this.#rpc.cancelAll();
    const link = this.#link;
    this.#link = null;
    link?.close(code, reason.slice(0, 100));
    this.#outbox.requeueInFlight();
  }

  #settleWaiters(error: FlareError | null): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    this.#d.flush?.();
    for (const w of waiters) error ? w.reject(error) : w.resolve();
  }

  // ------------------------------------------------------------ receiving

  readonly #linkEvents: LinkEvents = {
    frames: (frames, link) => {
      if (link === this.#link) this.#heartbeat?.noteActivity();
      for (const f of frames) this.#route(f, link);
    },
    badFrame: (error) => this.#d.emit({ type: 'error', error: serializeError(error) }),
    closed: (info, link) => this.#onClosed(info, link),
  };

  #onClosed(info: TransportCloseInfo, link: Link): void {
    if (link !== this.#link || this.#sm.state !== S.Connected) return;
    this.#racer.scorer.outcome(link.kind, false);
    if (info.code === TransportCloseCode.KICKED) return this.#kicked('server_kick', info.reason);
    if (info.code === TransportCloseCode.AUTH_FAILED) {
      this.#tokenReason = 'refresh';
      return this.#lost(ReconnectingCode.TOKEN_REFRESH, info.reason || 'token expired');
    }
    const code = info.code === TransportCloseCode.GOING_AWAY || this.#retry.serverRetryAt !== null ? ReconnectingCode.SERVER_CLOSE : ReconnectingCode.TRANSPORT_CLOSED;
    this.#lost(code, `${info.code} ${info.reason}`.trim());
  }

  #route(frame: Frame, link: Link): void {
    const c = frame.command;
    if (c?.case === 'system') return this.#onSystem(frame, link);
    if (c?.case === 'payload' && c.value.type === PayloadType.ACK) {
      const meta = c.value.metadata;
      const failed = metaText(meta, RouteKey.ERROR) === 'true';
      const seq = metaText(meta, RouteKey.SEQ);
      const entry = this.#outbox.ack(frame.messageId, failed ? (metaText(meta, RouteKey.ERROR_MESSAGE) ?? 'rejected by the server') : undefined);
      if (entry && !failed) this.#d.emit({ type: 'acked', id: entry.id, seq: seq === undefined ? null : Number(seq) });
      if (entry) this.#racer.scorer.outcome(link.kind, !failed);
      this.#sender.schedule();
      return;
    }
    if (this.#rpc.take(frame)) return;
    const inbound = toInbound(frame, link.kind);
    if (!inbound) return;
    const ready = this.#inbox.push({ id: inbound.message.id, stream: inbound.stream, seq: inbound.message.seq, value: inbound, history: inbound.message.history }, this.#clock.now());
    this.#deliver(ready);
    if (this.#inbox.nextWakeAt() !== null) this.#sender.wake();
  }

  #deliver(items: Inbound[]): void {
    for (const item of items) {
      this.#stats.received++;
      this.#d.emit({ type: 'message', message: item.message }, item.transfer);
    }
  }

  #onSystem(frame: Frame, link: Link): void {
    if (this.#tokens.take(frame)) return;
    const sys = frame.command!.value as { type: number; metadata: Frame['metadata'] };
    switch (sys.type) {
      case SystemType.PONG:
        if (link === this.#link) this.#heartbeat?.notePong(metaText(sys.metadata, SystemKey.PING_ID) ?? null, frame.timestamp);
        return;
      case SystemType.KICKED: {
        if (link !== this.#link) return; // the old link of a migration
        const bye = readGoodbye(frame)!;
        return this.#kicked(bye.reason ?? '', bye.message);
      }
      case SystemType.CLOSE: {
        const bye = readGoodbye(frame)!;
        if (link === this.#link && bye.reconnectDelayMs !== null) this.#retry.serverRetryAt = this.#clock.wallNow() + bye.reconnectDelayMs;
        return;
      }
      case SystemType.ERROR: {
        const err = readServerError(frame)!;
        const error = new FlareError(ErrorCode.REMOTE_ERROR, err.message || err.code, { details: { serverCode: err.code, ref: err.ref, reason: err.reason } });
        this.#d.emit({ type: 'error', error: serializeError(error) });
        return;
      }
      default:
        return;
    }
  }

  #onOutbox(e: OutboxEvent): void {
    if (e.type === 'acked') {
      this.#stats.sent++;
      return;
    }
    this.#d.emit({ type: 'failed', id: e.entry.id, error: serializeError(e.error) });
  }
}
