/**
 * The session: one logical connection to one server across transports,
 * reconnects and migrations. It owns the state machine and wires the parts:
 * the connector (token, race, handshake: connector.ts) -> the link and its
 * heartbeat (link-heartbeat.ts), the sender and outbox, the receiver and
 * inbox (receiver.ts), token refresh, live switching, and the reconnect
 * policy when a link is lost.
 *
 * Every state change goes through `#sm.setState` with a reason code; every
 * asynchronous step checks the connector's epoch so that a late answer from
 * an attempt that was abandoned (disconnect, kick, a newer attempt) changes
 * nothing.
 */
import { CodecError, ErrorCode, FlareError } from '../codec/errors.ts';
import { SystemType } from '../codec/frame-types.ts';
import { systemFrame } from '../codec/frames.ts';
import type { ConnectionStats, OutboundMessage, PageSignal, SendReceipt } from './api.ts';
import type { Clock } from './clock.ts';
import { ConnectedCode, ConnectingCode, ConnectionState as S, DisconnectedCode, FailedCode, KickedCode, ReconnectingCode, type ReconnectingCode as RC } from './codes.ts';
import type { ConnectAck } from './handshake.ts';
import type { Heartbeat } from './heartbeat.ts';
import type { Link } from './link.ts';
import { startLinkHeartbeat } from './link-heartbeat.ts';
import type { ResolvedOptions } from './options.ts';
import { toFrame } from './outbound.ts';
import type { Outbox } from './outbox.ts';
import { NEVER_RECONNECT } from './reconnect-policy.ts';
import { buildSessionParts, type SessionCounters, type SessionDeps, type SessionHooks, type SessionParts } from './session-parts.ts';
import { ConnectionStateMachine } from './state-machine.ts';
import { serializeError } from './transfer-handlers.ts';
import { TransportCloseCode, type TransportCloseInfo, type TransportKind } from './transport.ts';

export type { SessionDeps } from './session-parts.ts';

type Waiter = { resolve: () => void; reject: (e: FlareError) => void };

export class Session {
  readonly #o: ResolvedOptions;
  readonly #d: SessionDeps;
  readonly #clock: Clock;
  readonly #sm: ConnectionStateMachine;
  readonly #p: SessionParts;
  readonly #rooms = new Map<string, number | null>();
  readonly #counters: SessionCounters = { sent: 0, rttMs: null, scores: {} };
  #link: Link | null = null;
  #heartbeat: Heartbeat | null = null;
  #waiters: Waiter[] = [];
  #everConnected = false;
  #migrating = false;
  #reconnects = 0;
  #switches = 0;
  #connectedAt: number | null = null;

  readonly #hooks: SessionHooks = {
    state: () => this.#sm.state,
    link: () => this.#link,
    heartbeat: () => this.#heartbeat,
    rooms: () => this.#rooms,
    adopt: (link, ack) => this.#adopt(link, ack),
    attemptFailed: (e) => this.#attemptFailed(e),
    closed: (info, link) => this.#onClosed(info, link),
    lost: (code, reason) => this.#lost(code, reason),
    fail: (code, cause) => this.#fail(code, cause),
    kicked: (reason, message) => this.#kicked(reason, message),
    switchTo: (kind, reason) => this.switchTransport(kind, reason),
  };

  constructor(options: ResolvedOptions, deps: SessionDeps) {
    this.#o = options;
    this.#d = deps;
    this.#clock = deps.clock;
    this.#sm = new ConnectionStateMachine({ now: () => deps.clock.now() });
    this.#sm.subscribe((c) => deps.emit({ type: 'state', from: c.from, to: c.to, code: c.code, reason: c.reason }));
    this.#p = buildSessionParts(options, deps, this.#hooks, this.#counters);
  }

  /** The current state. */
  get state(): S {
    return this.#sm.state;
  }

  /** Puts back messages persisted by an earlier page (outbox-store.ts `claim`). */
  restoreOutbox(entries: Parameters<Outbox['restore']>[0]): void {
    this.#p.outbox.restore(entries);
    this.#p.sender.wake();
    this.#p.sender.schedule();
  }

  // ------------------------------------------------------------ commands

  connect(): Promise<void> {
    const st = this.#sm.state;
    if (st === S.Connected) return Promise.resolve();
    const p = new Promise<void>((resolve, reject) => this.#waiters.push({ resolve, reject }));
    if (st === S.Disconnected || st === S.Failed || st === S.Kicked) {
      this.#sm.setState(S.Connecting, { code: ConnectingCode.CONNECT_CALLED });
      this.#everConnected = false;
      this.#p.retry.end();
      this.#p.connector.reset();
      void this.#p.connector.attempt();
    }
    return p;
  }

  async disconnect(): Promise<void> {
    this.#p.connector.cancel();
    this.#p.retry.cancel();
    const link = this.#link;
    if (link && link.state === 'open') {
      try {
        link.send([systemFrame(SystemType.CLOSE, { message: 'client disconnect' }, { messageId: this.#p.newId(this.#clock.wallNow()) })]);
      } catch {
        // already gone
      }
    }
    this.#teardown(TransportCloseCode.NORMAL, 'disconnect');
    this.#sm.trySetState(S.Disconnected, { code: DisconnectedCode.DISCONNECT_CALLED });
    this.#settleWaiters(new FlareError(ErrorCode.ABORTED, 'disconnect() was called'));
  }

  send(m: OutboundMessage): SendReceipt {
    const id = m.id ?? this.#p.newId(this.#clock.wallNow());
    const frame = toFrame(m, id, this.#clock.wallNow());
    if (m.reliable === false) {
      const link = this.#link;
      if (!link || this.#sm.state !== S.Connected) throw new FlareError(ErrorCode.NOT_CONNECTED, 'not connected (best-effort messages are not queued)');
      link.send([frame]);
      this.#counters.sent++;
      return { id, state: 'sent' };
    }
    this.#p.outbox.enqueue(frame, this.#clock.wallNow(), { priority: m.priority, ttlMs: m.ttlMs });
    this.#p.sender.schedule();
    this.#p.sender.wake();
    return { id, state: 'queued' };
  }

  trackRoom(room: string, lastSeq: number | null): void {
    this.#rooms.set(room, lastSeq);
    if (lastSeq !== null) this.#p.inbox.setPosition(room, lastSeq);
  }

  untrackRoom(room: string): void {
    this.#rooms.delete(room);
    this.#p.inbox.forget(room);
  }

  pageSignal(signal: PageSignal): void {
    const st = this.#sm.state;
    if (signal === 'online' || signal === 'resume' || signal === 'visible') {
      if (st === S.Connected) this.#heartbeat?.recheck();
      else if (st === S.Reconnecting) this.#p.retry.networkRestored();
    } else if (signal === 'offline' && st === S.Connected) {
      this.#heartbeat?.recheck();
    }
  }

  /** Migrates to a transport of `kind` without losing or duplicating messages. */
  async switchTransport(kind: TransportKind, reason = 'requested'): Promise<void> {
    const old = this.#link;
    if (!old || this.#sm.state !== S.Connected || old.kind === kind || this.#migrating) return;
    this.#migrating = true;
    const epoch = this.#p.connector.epoch;
    try {
      const stale = () => epoch !== this.#p.connector.epoch || this.#link !== old || this.#sm.state !== S.Connected;
      const opened = await this.#p.connector.open([kind], { stale, reason: 'stale migration' });
      if (!opened) return;
      const { link, ack } = opened;
      this.#heartbeat?.stop();
      this.#link = link;
      this.#heartbeat = startLinkHeartbeat(link, this.#p.heartbeat);
      this.#switches++;
      // Frames still travelling on the old link are received for a moment; the inbox drops what arrives twice.
      this.#clock.setTimeout(() => old.close(1000, 'migrated'), this.#o.migrationDrainMs);
      this.#p.outbox.requeueInFlight();
      this.#p.sender.schedule();
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
      connectedAt: this.#connectedAt,
      reconnects: this.#reconnects,
      switches: this.#switches,
      messagesSent: this.#counters.sent,
      messagesReceived: this.#p.receiver.received,
      duplicatesDropped: this.#p.inbox.duplicates,
      outboxSize: this.#p.outbox.size,
      outboxInFlight: this.#p.outbox.inFlight,
      rttMs: this.#counters.rttMs,
      clockOffsetMs: this.#p.offset.estimate?.offsetMs ?? null,
      metrics: this.#o.transports.map((k) => this.#p.racer.scorer.snapshot(k)),
      scores: { ...this.#counters.scores },
    };
  }

  // ------------------------------------------------------------ connected

  #attemptFailed(e: FlareError): void {
    if (e.code === ErrorCode.KICKED) return this.#kicked(String(e.details?.reason ?? ''), e.message);
    if (e.code === ErrorCode.AUTH_FAILED) return this.#fail(FailedCode.AUTH_FAILED, e);
    if (this.#p.policy === NEVER_RECONNECT) return this.#fail(this.#everConnected ? FailedCode.CONNECTION_LOST : FailedCode.UNREACHABLE, e);
    if (this.#sm.state === S.Connecting) {
      this.#sm.setState(S.Reconnecting, { code: ReconnectingCode.CONNECT_FAILED, reason: e.message });
      this.#p.retry.begin();
    }
    this.#p.retry.schedule();
  }

  #adopt(link: Link, ack: ConnectAck): void {
    this.#link = link;
    this.#p.connector.connected();
    this.#p.retry.end();
    this.#heartbeat = startLinkHeartbeat(link, this.#p.heartbeat);
    const reconnected = this.#everConnected;
    this.#everConnected = true;
    if (reconnected) this.#reconnects++;
    this.#connectedAt = this.#clock.wallNow();
    this.#sm.setState(S.Connected, { code: reconnected ? ConnectedCode.RECONNECTED : ConnectedCode.HANDSHAKE_COMPLETE, reason: link.kind });
    this.#d.emit({ type: 'connected', transport: link.kind, connectionId: ack.connectionId, userId: ack.userId, reconnected, format: ack.format, compression: ack.compression });
    this.#settleWaiters(null);
    this.#p.outbox.requeueInFlight();
    this.#p.sender.gateOnRooms(link, this.#rooms, this.#p.inbox.positions());
    this.#p.sender.schedule();
    this.#p.tokens.start((frames) => link.send(frames));
    if (this.#o.autoSwitch && this.#o.transports.length > 1) this.#p.live.start();
  }

  // ------------------------------------------------------------ losing

  #onClosed(info: TransportCloseInfo, link: Link): void {
    if (link !== this.#link || this.#sm.state !== S.Connected) return;
    // Closed over bytes the server sent (a stream frame over the limit): the app hears why.
    if (info.error instanceof CodecError) this.#d.emit({ type: 'error', error: serializeError(info.error) });
    this.#p.racer.scorer.outcome(link.kind, false);
    if (info.code === TransportCloseCode.KICKED) return this.#kicked('server_kick', info.reason);
    if (info.code === TransportCloseCode.AUTH_FAILED) {
      this.#p.connector.tokenReason = 'refresh';
      return this.#lost(ReconnectingCode.TOKEN_REFRESH, info.reason || 'token expired');
    }
    const code = info.code === TransportCloseCode.GOING_AWAY || this.#p.retry.serverRetryAt !== null ? ReconnectingCode.SERVER_CLOSE : ReconnectingCode.TRANSPORT_CLOSED;
    this.#lost(code, `${info.code} ${info.reason}`.trim());
  }

  #lost(code: RC, reason: string): void {
    this.#teardown(TransportCloseCode.GOING_AWAY, reason);
    if (this.#p.policy === NEVER_RECONNECT) return this.#fail(FailedCode.CONNECTION_LOST, new FlareError(ErrorCode.TRANSPORT_CLOSED, reason));
    if (!this.#sm.trySetState(S.Reconnecting, { code, reason })) return;
    this.#p.connector.tokenReason = 'reconnect';
    this.#p.retry.begin();
    this.#p.retry.schedule();
  }

  #fail(code: FailedCode, cause: unknown): void {
    this.#p.connector.cancel();
    this.#p.retry.cancel();
    this.#teardown(TransportCloseCode.NORMAL, code);
    const error = FlareError.is(cause) ? cause : new FlareError(ErrorCode.TRANSPORT_UNAVAILABLE, `connection failed: ${code}`, { cause });
    this.#sm.trySetState(S.Failed, { code, reason: error.message });
    this.#d.emit({ type: 'error', error: serializeError(error) });
    this.#settleWaiters(error);
  }

  #kicked(reason: string, message: string): void {
    this.#p.connector.cancel();
    this.#p.retry.cancel();
    this.#teardown(TransportCloseCode.NORMAL, 'kicked');
    const code = reason === 'device_conflict' ? KickedCode.DEVICE_CONFLICT : KickedCode.SERVER_KICK;
    this.#sm.trySetState(S.Kicked, { code, reason: message || reason });
    this.#d.emit({ type: 'kicked', reason, message });
    this.#settleWaiters(new FlareError(ErrorCode.KICKED, message || 'kicked by the server', { details: { reason } }));
  }

  /** Drops the current link and everything bound to it; the outbox keeps its frames for the next link. */
  #teardown(code: number, reason: string): void {
    this.#p.live.stop();
    this.#heartbeat?.stop();
    this.#heartbeat = null;
    this.#p.tokens.stop();
    this.#p.rpc.cancelAll();
    const link = this.#link;
    this.#link = null;
    link?.close(code, reason.slice(0, 100));
    this.#p.outbox.requeueInFlight();
  }

  #settleWaiters(error: FlareError | null): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    this.#d.flush?.();
    for (const w of waiters) error ? w.reject(error) : w.resolve();
  }
}
