/**
 * Transport racing: dial every candidate at once, drop the ones that fail,
 * time out or do not exist here, probe the ones that opened, and pick by
 * score. flare-core takes whichever connects first; we measure.
 *
 * - A transport that opened first gets `graceMs` for the others to open too;
 *   stragglers after that are abandoned (and closed if they open later).
 * - With several open, each is probed (probe.ts) in parallel, its round
 *   trips and losses scored (scorer.ts, on the WASM scoring core), and the
 *   highest *effective* score wins: the preferred kind (WebTransport) counts
 *   15 % and 2 points more, so on a network where both are about equally
 *   good WebTransport wins and only a clearly better WebSocket beats it.
 * - The winner is remembered per server for `rememberMs`. The next race dials
 *   the remembered kind first with a `headStartMs` lead; if it opens within
 *   it, no race is run at all. After `rememberMs` the full race runs again
 *   (the re-check), and live scoring (switch-policy.ts) keeps checking in
 *   between.
 */
import { ErrorCode, FlareError } from '../codec/errors.ts';
import type { Clock } from './clock.ts';
import { Dialed } from './dialed.ts';
import type { Prober, ProbeResult } from './probe.ts';
import { createScorer, type ProtocolMetrics, type Scorer } from './scorer.ts';
import type { Transport, TransportKind } from './transport.ts';

/** One transport the racer may dial. */
export interface Candidate {
  readonly kind: TransportKind;
  create(): Transport;
}

/** What the racer remembers about a server. */
export interface Remembered {
  readonly kind: TransportKind;
  /** Unix ms of the decision. */
  readonly at: number;
  readonly scores: Partial<Record<TransportKind, number>>;
}

/** Where winners are remembered (in memory by default; any key-value store fits). */
export interface WinnerMemory {
  get(server: string): Remembered | undefined;
  set(server: string, value: Remembered): void;
}

/** A process-wide in-memory winner memory. */
export function createWinnerMemory(): WinnerMemory {
  const map = new Map<string, Remembered>();
  return { get: (k) => map.get(k), set: (k, v) => void map.set(k, v) };
}

/** The outcome of a race. */
export interface RaceResult {
  readonly winner: Dialed;
  readonly kind: TransportKind;
  /** How it was decided. */
  readonly decidedBy: 'only' | 'score' | 'remembered';
  /** Metrics of every transport that opened. */
  readonly metrics: ProtocolMetrics[];
  /** Effective scores (preference bonus included) of every transport that opened. */
  readonly scores: Partial<Record<TransportKind, number>>;
  /** Why the others dropped out. */
  readonly failures: Partial<Record<TransportKind, FlareError>>;
}

/** Racer options; every field but `clock` has a default. */
export interface RacerOptions {
  clock: Clock;
  scorer?: Scorer;
  /** Null: no probing (the preferred kind wins among those that opened). */
  prober?: Prober | null;
  memory?: WinnerMemory;
  /** Give up on one dial after this long (default 5000 ms, as flare-core). */
  dialTimeoutMs?: number;
  /** After the first transport opened, wait this long for the others (default 1000 ms). */
  graceMs?: number;
  /** Lead of the remembered winner (default 300 ms). */
  headStartMs?: number;
  /** How long a winner is trusted without a full race (default 10 min). */
  rememberMs?: number;
  preferred?: TransportKind;
  /**
   * The preferred kind's score counts `1 + preferenceMargin` times (default
   * 0.15) plus `preferenceBonus` points (default 2): another kind must be
   * clearly better to win, with the scoring core's own notion of "clearly"
   * (docs/SCORING.md: 15 % and 2 points).
   */
  preferenceMargin?: number;
  preferenceBonus?: number;
}

export const RACER_DEFAULTS = { dialTimeoutMs: 5000, graceMs: 1000, headStartMs: 300, rememberMs: 600_000, preferenceMargin: 0.15, preferenceBonus: 2 } as const;

/** Feeds a dial and its probe into the scorer (the kind's history starts afresh). */
export function recordProbe(scorer: Scorer, kind: TransportKind, connectMs: number, probe: ProbeResult | null): ProtocolMetrics {
  scorer.reset(kind, connectMs);
  scorer.outcome(kind, true);
  if (probe) {
    for (const rtt of probe.rtts) {
      scorer.rtt(kind, rtt);
      scorer.probe(kind, true);
    }
    for (let i = probe.rtts.length; i < probe.sent; i++) scorer.probe(kind, false);
  }
  return scorer.snapshot(kind);
}

type Resolved = Required<Omit<RacerOptions, 'prober' | 'preferred'>> & { prober: Prober | null; preferred: TransportKind };

export class Racer {
  readonly #o: Resolved;

  constructor(options: RacerOptions) {
    this.#o = {
      prober: null,
      memory: createWinnerMemory(),
      preferred: 'webtransport',
      ...RACER_DEFAULTS,
      ...options,
    } as Resolved;
    this.#o.scorer ??= createScorer({ now: () => options.clock.now() });
  }

  /** The scorer in use (shared with live scoring). */
  get scorer(): Scorer {
    return this.#o.scorer;
  }

  /** The effective score: the measured one, raised for the preferred kind. */
  effectiveScore(m: ProtocolMetrics): number {
    return m.kind === this.#o.preferred ? m.score * (1 + this.#o.preferenceMargin) + this.#o.preferenceBonus : m.score;
  }

  /** Races `candidates` for `server` (a key for the memory, e.g. its URL). Rejects with TRANSPORT_UNAVAILABLE when none opens. */
  async race(server: string, candidates: readonly Candidate[], signal?: AbortSignal): Promise<RaceResult> {
    const o = this.#o;
    const failures: Partial<Record<TransportKind, FlareError>> = {};
    const abort = new AbortController();
    const onOuterAbort = () => abort.abort(signal!.reason);
    signal?.addEventListener('abort', onOuterAbort, { once: true });
    const pending = new Map<TransportKind, Promise<Dialed | null>>();
    const start = (c: Candidate) =>
      pending.set(
        c.kind,
        this.#dial(c, abort.signal).catch((e: FlareError) => ((failures[c.kind] = e), null)),
      );
    try {
      const memo = o.memory.get(server);
      const fav = memo && o.clock.wallNow() - memo.at < o.rememberMs ? candidates.find((c) => c.kind === memo.kind) : undefined;
      if (fav) {
        start(fav);
        const early = await Promise.race([pending.get(fav.kind)!, this.#sleep(o.headStartMs, abort.signal)]);
        if (early) return this.#decide(server, [early], failures, 'remembered', undefined, false);
      }
      for (const c of candidates) if (!pending.has(c.kind)) start(c);
      const opened = await this.#settle([...pending.values()], abort);
      if (signal?.aborted) {
        for (const d of opened) d.transport.close();
        throw new FlareError(ErrorCode.ABORTED, 'race aborted', { cause: signal.reason });
      }
      if (opened.length === 0) {
        throw new FlareError(ErrorCode.TRANSPORT_UNAVAILABLE, `no transport could connect to ${server}`, {
          details: Object.fromEntries(Object.entries(failures).map(([k, e]) => [k, `${e.code}: ${e.message}`])),
          cause: Object.values(failures)[0],
        });
      }
      // A race of one candidate (the app forced a transport) teaches nothing about the network.
      if (opened.length === 1) return this.#decide(server, opened, failures, 'only', undefined, candidates.length > 1);
      return await this.#decide(server, opened, failures, 'score', abort.signal);
    } finally {
      signal?.removeEventListener('abort', onOuterAbort);
    }
  }

  /**
   * Dials one transport, probes it and closes it: the metrics live scoring
   * compares with the transport in use. Rejects like a dial does.
   */
  async measure(candidate: Candidate, signal: AbortSignal): Promise<ProtocolMetrics> {
    const d = await this.#dial(candidate, signal);
    try {
      const probe = this.#o.prober ? await this.#o.prober(d, signal).catch(() => null) : null;
      return recordProbe(this.#o.scorer, candidate.kind, d.connectMs, probe);
    } finally {
      d.transport.close(1000, 'probe done');
    }
  }

  async #decide(
    server: string,
    opened: Dialed[],
    failures: Partial<Record<TransportKind, FlareError>>,
    decidedBy: RaceResult['decidedBy'],
    signal?: AbortSignal,
    remember = true,
  ): Promise<RaceResult> {
    const o = this.#o;
    let probes: Array<ProbeResult | null> = opened.map(() => null);
    if (decidedBy === 'score' && o.prober && signal) {
      probes = await Promise.all(opened.map((d) => o.prober!(d, signal).catch(() => null)));
    }
    const metrics = opened.map((d, i) => recordProbe(o.scorer, d.transport.kind, d.connectMs, probes[i]!));
    const scores: Partial<Record<TransportKind, number>> = {};
    let best = 0;
    metrics.forEach((m, i) => {
      scores[m.kind] = this.effectiveScore(m);
      if (scores[m.kind]! > scores[metrics[best]!.kind]!) best = i;
    });
    // A transport that closed while being probed cannot win.
    if (opened[best]!.closedInfo && opened.some((d) => !d.closedInfo)) best = opened.findIndex((d) => !d.closedInfo);
    opened.forEach((d, i) => i !== best && d.transport.close(1000, 'lost the race'));
    const winner = opened[best]!;
    // A remembered win keeps its original time, so the memory expires after rememberMs and a full race re-checks it.
    if (remember) o.memory.set(server, { kind: winner.transport.kind, at: o.clock.wallNow(), scores });
    return { winner, kind: winner.transport.kind, decidedBy, metrics, scores, failures };
  }

  /** Opens one transport with the dial timeout. */
  async #dial(c: Candidate, outer: AbortSignal): Promise<Dialed> {
    const clock = this.#o.clock;
    const t = c.create();
    const d = new Dialed(t);
    const ac = new AbortController();
    const onAbort = () => ac.abort(outer.reason);
    outer.addEventListener('abort', onAbort, { once: true });
    const timer = clock.setTimeout(() => ac.abort(new FlareError(ErrorCode.CONNECT_TIMEOUT, `${c.kind} dial timed out`)), this.#o.dialTimeoutMs);
    const started = clock.now();
    try {
      await t.open(d.handlers, ac.signal);
      d.connectMs = clock.now() - started;
      return d;
    } catch (e) {
      const reason = ac.signal.reason;
      if (FlareError.is(reason, ErrorCode.CONNECT_TIMEOUT)) throw reason;
      throw FlareError.is(e) ? e : new FlareError(ErrorCode.TRANSPORT_UNAVAILABLE, `${c.kind} failed to open`, { cause: e });
    } finally {
      clock.clearTimeout(timer);
      outer.removeEventListener('abort', onAbort);
    }
  }

  /** Waits until every dial settled, or `graceMs` after the first success; late openers are closed. */
  #settle(dials: Array<Promise<Dialed | null>>, abort: AbortController): Promise<Dialed[]> {
    const clock = this.#o.clock;
    return new Promise((resolve) => {
      const opened: Dialed[] = [];
      let left = dials.length;
      let done = false;
      let grace: unknown = null;
      const finish = () => {
        if (done) return;
        done = true;
        if (grace !== null) clock.clearTimeout(grace);
        resolve(opened.slice());
      };
      for (const p of dials) {
        void p.then((d) => {
          left--;
          if (d && done) d.transport.close(1000, 'too late for the race');
          else if (d) opened.push(d);
          if (left === 0) finish();
          else if (d && grace === null) grace = clock.setTimeout(finish, this.#o.graceMs);
        });
      }
      abort.signal.addEventListener('abort', finish, { once: true });
    });
  }

  #sleep(ms: number, signal: AbortSignal): Promise<null> {
    return new Promise((resolve) => {
      const t = this.#o.clock.setTimeout(() => resolve(null), ms);
      signal.addEventListener('abort', () => (this.#o.clock.clearTimeout(t), resolve(null)), { once: true });
    });
  }
}
