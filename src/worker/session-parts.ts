/**
 * The session's parts, built from the options and wired to each other and
 * to the session's transitions (its hooks): the racer, the reconnect policy
 * and retry scheduler, the outbox and sender, the inbox and receiver, RPC,
 * token refresh, the connector, each link's heartbeat and live switching.
 * Nothing here decides a state change: the parts report, the session acts.
 */
import type { FlareError } from '../codec/errors.ts';
import type { WorkerEvent } from './api.ts';
import { ClockOffsetEstimator } from './clock-offset.ts';
import type { Clock } from './clock.ts';
import { ConnectionState as S, FailedCode, ReconnectingCode, type ConnectionState, type ReconnectingCode as RC } from './codes.ts';
import { Connector, connectParams } from './connector.ts';
import type { ConnectAck } from './handshake.ts';
import type { Heartbeat } from './heartbeat.ts';
import type { Inbound } from './inbound.ts';
import { Inbox } from './inbox.ts';
import type { LinkHeartbeatDeps } from './link-heartbeat.ts';
import type { Link, LinkCodecs, LinkEvents } from './link.ts';
import { LiveSwitch } from './live-switch.ts';
import { createMessageIdGenerator } from './message-id.ts';
import type { ResolvedOptions } from './options.ts';
import { Outbox, type OutboxStore } from './outbox.ts';
import { createPingProber } from './probe.ts';
import { Racer, type WinnerMemory } from './racer.ts';
import { Receiver } from './receiver.ts';
import { BackoffReconnectPolicy, NEVER_RECONNECT, type ReconnectPolicy } from './reconnect-policy.ts';
import { RetryScheduler } from './retry-scheduler.ts';
import { Sender } from './sender.ts';
import { ServerRpc } from './server-rpc.ts';
import { SwitchPolicy } from './switch-policy.ts';
import { TokenRefresher } from './token-refresher.ts';
import type { TokenProvider } from './token.ts';
import { serializeError } from './transfer-handlers.ts';
import type { Transport, TransportCloseInfo, TransportKind } from './transport.ts';

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

/** Figures the parts keep up to date for `stats()`. */
export interface SessionCounters {
  sent: number;
  rttMs: number | null;
  scores: Partial<Record<TransportKind, number>>;
}

/** What the parts need to know of the session, and the transitions they report. */
export interface SessionHooks {
  state(): ConnectionState;
  link(): Link | null;
  heartbeat(): Heartbeat | null;
  /** Tracked rooms with the seq they were tracked at. */
  rooms(): ReadonlyMap<string, number | null>;
  adopt(link: Link, ack: ConnectAck): void;
  attemptFailed(error: FlareError): void;
  closed(info: TransportCloseInfo, link: Link): void;
  lost(code: RC, reason: string): void;
  fail(code: FailedCode, cause: unknown): void;
  kicked(reason: string, message: string): void;
  switchTo(kind: TransportKind, reason: string): Promise<void>;
}

/** The built parts. */
export interface SessionParts {
  newId(now: number): string;
  racer: Racer;
  policy: ReconnectPolicy;
  outbox: Outbox;
  inbox: Inbox<Inbound>;
  retry: RetryScheduler;
  rpc: ServerRpc;
  sender: Sender;
  tokens: TokenRefresher;
  receiver: Receiver;
  connector: Connector;
  offset: ClockOffsetEstimator;
  heartbeat: LinkHeartbeatDeps;
  live: LiveSwitch;
}

/** Builds the parts of one session. */
export function buildSessionParts(o: ResolvedOptions, deps: SessionDeps, hooks: SessionHooks, counters: SessionCounters): SessionParts {
  const { clock, emit } = deps;
  const newId = createMessageIdGenerator();
  const racer =
    deps.racer ??
    new Racer({
      clock,
      prober: createPingProber({ clock, newId }),
      dialTimeoutMs: o.connectTimeoutMs,
      preferred: o.preferredTransport,
      ...(deps.winnerMemory ? { memory: deps.winnerMemory } : {}),
    });
  const policy =
    deps.reconnectPolicy ??
    (o.autoReconnect
      ? new BackoffReconnectPolicy({ initialDelayMs: o.reconnectInitialDelayMs, maxDelayMs: o.reconnectMaxDelayMs, multiplier: o.reconnectMultiplier, maxAttempts: o.maxReconnectAttempts })
      : NEVER_RECONNECT);
  const outbox = new Outbox({
    maxEntries: o.outboxMaxEntries,
    maxBytes: o.outboxMaxBytes,
    resendAfterMs: o.resendAfterMs,
    store: deps.outboxStore ?? null,
    onEvent: (e) => (e.type === 'acked' ? counters.sent++ : emit({ type: 'failed', id: e.entry.id, error: serializeError(e.error) })),
    onSent: (ids) => emit({ type: 'delivery', state: 'sent', ids }),
    onRequeued: (ids) => emit({ type: 'delivery', state: 'queued', ids }),
  });
  const inbox = new Inbox<Inbound>({ onGap: (g) => emit({ type: 'gap', ...g }) });
  const retry = new RetryScheduler({
    clock,
    policy,
    online: deps.online ?? (() => (typeof navigator === 'undefined' ? true : navigator.onLine !== false)),
    offlinePollMs: o.reconnectMaxDelayMs,
    attempt: () => {
      if (hooks.state() === S.Reconnecting) void connector.attempt();
    },
    giveUp: (lastError) => hooks.fail(FailedCode.RETRIES_EXHAUSTED, lastError),
  });
  const rpc = new ServerRpc(clock, newId, o.handshakeTimeoutMs);
  const sender = new Sender({
    clock,
    outbox,
    rpc,
    link: () => (hooks.state() === S.Connected ? hooks.link() : null),
    otherWakeAt: () => inbox.nextWakeAt(),
    onWake: () => receiver.expireGaps(),
  });
  const tokens = new TokenRefresher({
    clock,
    provider: deps.tokenProvider ?? null,
    newId,
    onError: (e) => emit({ type: 'error', error: serializeError(e) }),
    onRejected: (message) => {
      connector.tokenReason = 'rejected';
      hooks.lost(ReconnectingCode.TOKEN_REFRESH, message);
    },
  });
  const receiver = new Receiver({
    clock,
    outbox,
    inbox,
    rpc,
    tokens,
    sender,
    scorer: racer.scorer,
    emit,
    current: hooks.link,
    pong: (id, serverTime) => hooks.heartbeat()?.notePong(id, serverTime),
    kicked: hooks.kicked,
    shutdown: (delayMs) => (retry.serverRetryAt = clock.wallNow() + delayMs),
  });
  const linkEvents: LinkEvents = {
    frames: (frames, link) => {
      if (link === hooks.link()) hooks.heartbeat()?.noteActivity();
      receiver.frames(frames, link);
    },
    badFrame: (error) => emit({ type: 'error', error: serializeError(error) }),
    closed: hooks.closed,
  };
  const connector: Connector = new Connector({
    options: o,
    clock,
    racer,
    codecs: deps.codecs,
    createTransport: (kind) => deps.createTransport(kind),
    tokens,
    hasTokenProvider: !!deps.tokenProvider,
    retry,
    newId,
    linkEvents,
    params: () => connectParams(o, tokens.token?.token, hooks.rooms(), inbox.positions()),
    raced: (race) => {
      emit({ type: 'race', winner: race.kind, decidedBy: race.decidedBy, scores: race.scores });
      counters.scores = { ...race.scores };
    },
    adopt: hooks.adopt,
    failed: hooks.attemptFailed,
  });
  const offset = new ClockOffsetEstimator();
  const heartbeat: LinkHeartbeatDeps = {
    clock,
    options: o,
    newId,
    scorer: racer.scorer,
    offset,
    dead: (link, reason) => {
      if (hooks.link() === link) hooks.lost(ReconnectingCode.HEARTBEAT_TIMEOUT, reason);
    },
    rtt: (rttMs, clockOffsetMs) => {
      counters.rttMs = rttMs;
      emit({ type: 'rtt', rttMs, clockOffsetMs });
    },
  };
  const live = new LiveSwitch({
    clock,
    policy: new SwitchPolicy({ preferred: o.preferredTransport }),
    intervalMs: o.switchCheckIntervalMs,
    healthyScore: o.healthyScore,
    kinds: o.transports,
    current: () => {
      const link = hooks.link();
      return link && hooks.state() === S.Connected ? { kind: link.kind, metrics: racer.scorer.snapshot(link.kind) } : null;
    },
    refresh: () => hooks.heartbeat()?.pingNow(),
    score: (m) => racer.effectiveScore(m),
    measure: (kind, signal) => racer.measure(connector.candidate(kind), signal),
    switchTo: hooks.switchTo,
    onScores: (s) => (counters.scores = { ...counters.scores, ...s }),
  });
  return { newId, racer, policy, outbox, inbox, retry, rpc, sender, tokens, receiver, connector, offset, heartbeat, live };
}
