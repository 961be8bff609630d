/**
 * The connect attempt: a token from the provider, the race of the
 * transports, the flare-core handshake on the winner. One attempt counts at a
 * time: each has an epoch, and anything that ends or restarts the session
 * (`cancel`) makes the answers of an attempt still under way change nothing
 * (a late winner is closed). A refused token is retried once at once with a
 * token asked for again (`reason: 'rejected'`); every other failure goes to
 * the session, which decides between reconnecting and giving up.
 */
import { ErrorCode, FlareError } from '../codec/errors.ts';
import type { Clock } from './clock.ts';
import type { ConnectAck, ConnectParams } from './handshake.ts';
import { DIRECT_STREAM } from './inbound.ts';
import { Link, type LinkCodecs, type LinkEvents } from './link.ts';
import type { ResolvedOptions } from './options.ts';
import type { Candidate, RaceResult, Racer } from './racer.ts';
import type { RetryScheduler } from './retry-scheduler.ts';
import type { TokenReason } from './token.ts';
import type { TokenRefresher } from './token-refresher.ts';
import type { Transport, TransportKind } from './transport.ts';

/** What an attempt needs. */
export interface ConnectorDeps {
  options: ResolvedOptions;
  clock: Clock;
  racer: Racer;
  codecs: LinkCodecs;
  createTransport(kind: TransportKind): Transport;
  tokens: TokenRefresher;
  /** Whether the app gave a token provider (a refused token is then asked for again). */
  hasTokenProvider: boolean;
  retry: RetryScheduler;
  newId(now: number): string;
  linkEvents: LinkEvents;
  /** The resume positions for CONNECT: rooms and the direct-message stream. */
  params(): ConnectParams;
  /** A race was decided (before the handshake). */
  raced(race: RaceResult): void;
  /** The handshake completed: the session takes the link. */
  adopt(link: Link, ack: ConnectAck): void;
  /** The attempt failed (not a first token refusal: that is retried here). */
  failed(error: FlareError): void;
}

/** How `open` tells a dial that is no longer wanted. */
export interface OpenGuard {
  /** True once the result is no longer wanted. */
  stale(): boolean;
  /** Close reason for a link opened in vain. */
  reason: string;
  raced?(race: RaceResult): void;
}

export class Connector {
  /** Why the next attempt asks for a token (the provider sees it). */
  tokenReason: TokenReason = 'connect';
  readonly #d: ConnectorDeps;
  #epoch = 0;
  #authRetried = false;

  constructor(deps: ConnectorDeps) {
    this.#d = deps;
  }

  /** Changes whenever an attempt starts or is cancelled. */
  get epoch(): number {
    return this.#epoch;
  }

  /** Makes the attempt under way, if any, stale. */
  cancel(): void {
    this.#epoch++;
  }

  /** A fresh start (`connect()` was called): the token is asked for as 'connect', a refusal may be retried again. */
  reset(): void {
    this.#authRetried = false;
    this.tokenReason = 'connect';
  }

  /** The link was adopted: a later refusal may be retried again. */
  connected(): void {
    this.#authRetried = false;
  }

  /** A candidate of `kind` for the racer. */
  candidate(kind: TransportKind): Candidate {
    return { kind, create: () => this.#d.createTransport(kind) };
  }

  /** Runs one attempt; its outcome arrives through `adopt` or `failed`. */
  async attempt(): Promise<void> {
    const d = this.#d;
    const epoch = ++this.#epoch;
    const stale = () => epoch !== this.#epoch;
    try {
      await d.tokens.fetch(this.tokenReason);
      if (stale()) return;
      const opened = await this.open(d.options.transports, { stale, reason: 'stale attempt', raced: (race) => d.raced(race) });
      if (opened) d.adopt(opened.link, opened.ack);
    } catch (e) {
      if (stale()) return;
      this.#failed(FlareError.is(e) ? e : new FlareError(ErrorCode.INTERNAL, String(e), { cause: e }));
    }
  }

  /**
   * Races `kinds`, handshakes the winner; null (and the transport closed) when
   * `guard.stale()` holds after either step. Rejects like the race or the
   * handshake. A migration opens its new link through here too.
   */
  async open(kinds: readonly TransportKind[], guard: OpenGuard): Promise<{ link: Link; ack: ConnectAck } | null> {
    const d = this.#d;
    const race = await d.racer.race(d.options.url, kinds.map((k) => this.candidate(k)));
    if (guard.stale()) {
      race.winner.transport.close(1000, guard.reason);
      return null;
    }
    guard.raced?.(race);
    const link = new Link(race.winner, d.codecs, d.linkEvents);
    const ack = await link.handshake(d.params(), { clock: d.clock, timeoutMs: d.options.handshakeTimeoutMs, newId: d.newId });
    if (guard.stale()) {
      link.close(1000, guard.reason);
      return null;
    }
    return { link, ack };
  }

  #failed(e: FlareError): void {
    this.#d.retry.lastError = e;
    if (e.code === ErrorCode.AUTH_FAILED && !this.#authRetried && this.#d.hasTokenProvider) {
      this.#authRetried = true;
      this.tokenReason = 'rejected';
      void this.attempt();
      return;
    }
    this.#d.failed(e);
  }
}

/** CONNECT's parameters: the options, the token, and where each tracked stream resumes. */
export function connectParams(o: ResolvedOptions, token: string | undefined, rooms: ReadonlyMap<string, number | null>, positions: Record<string, number>): ConnectParams {
  const resume: Record<string, number | null> = {};
  for (const [room, seq] of rooms) resume[room] = positions[room] ?? seq;
  return {
    userId: o.userId,
    token,
    deviceId: o.deviceId,
    platform: o.platform,
    model: o.model,
    appVersion: o.appVersion,
    systemVersion: o.systemVersion,
    format: o.format,
    forceFormat: o.forceFormat,
    compression: o.compression?.join(','),
    batch: o.batch,
    rooms: resume,
    inboxSeq: positions[DIRECT_STREAM] ?? null,
    presence: o.presence,
    conflictStrategy: o.conflictStrategy,
  };
}
