/**
 * Live scoring while connected: every `intervalMs` the transport in use is
 * scored from its live metrics (heartbeat RTTs, losses, send outcomes) and,
 * unless it is the preferred transport and healthy, the other transport is
 * dialled, probed and closed again. The switch policy (switch-policy.ts)
 * turns the two scores into a decision; the session migrates.
 *
 * A healthy link on the preferred transport costs nothing: no extra dials.
 * A link on the other one (or a degraded one) re-measures every interval,
 * which is how the session finds its way back to WebTransport once it
 * recovers.
 */
import type { Clock, TimerHandle } from './clock.ts';
import type { ProtocolMetrics } from './scorer.ts';
import type { SwitchPolicy } from './switch-policy.ts';
import type { TransportKind } from './transport.ts';

/** What the loop needs from the session. */
export interface LiveSwitchDeps {
  clock: Clock;
  policy: SwitchPolicy;
  intervalMs: number;
  /** A link scoring at least this on the preferred kind is left alone. */
  healthyScore: number;
  /** Kinds that may be used. */
  kinds: readonly TransportKind[];
  /** The kind and live metrics of the link in use, or null when not connected. */
  current(): { kind: TransportKind; metrics: ProtocolMetrics } | null;
  /** Gathers a fresh sample on the link in use (an extra PING) when it has too few to judge. */
  refresh?(): void;
  /** Effective score (preference bonus included). */
  score(m: ProtocolMetrics): number;
  /** Dials, probes and closes a transport of `kind`. */
  measure(kind: TransportKind, signal: AbortSignal): Promise<ProtocolMetrics>;
  /** Moves the session to `kind`. */
  switchTo(kind: TransportKind, reason: string): Promise<void>;
  /** Reports the scores (for stats). */
  onScores?(scores: Partial<Record<TransportKind, number>>): void;
}

export class LiveSwitch {
  readonly #d: LiveSwitchDeps;
  #timer: TimerHandle | null = null;
  #abort: AbortController | null = null;
  #busy = false;

  constructor(deps: LiveSwitchDeps) {
    this.#d = deps;
  }

  start(): void {
    this.stop();
    this.#abort = new AbortController();
    this.#schedule();
  }

  stop(): void {
    if (this.#timer !== null) this.#d.clock.clearTimeout(this.#timer);
    this.#timer = null;
    this.#abort?.abort();
    this.#abort = null;
  }

  /** One round now (also what the timer runs); resolves with the decision taken, if any. */
  async check(): Promise<TransportKind | null> {
    const d = this.#d;
    const cur = d.current();
    if (!cur || this.#busy) return null;
    const other = d.kinds.find((k) => k !== cur.kind);
    if (!other) return null;
    if (cur.metrics.samples < 2) {
      d.refresh?.(); // too little to judge the link in use: measure it first
      return null;
    }
    const curScore = d.score(cur.metrics);
    if (cur.kind === d.policy.preferred && curScore >= d.healthyScore && !d.policy.leading) {
      d.onScores?.({ [cur.kind]: curScore });
      return null;
    }
    this.#busy = true;
    try {
      const signal = this.#abort?.signal ?? new AbortController().signal;
      let otherScore: number | null = null;
      try {
        otherScore = d.score(await d.measure(other, signal));
      } catch {
        otherScore = null; // the other transport is unavailable right now
      }
      if (signal.aborted || d.current()?.kind !== cur.kind) return null;
      d.onScores?.(otherScore === null ? { [cur.kind]: curScore } : { [cur.kind]: curScore, [other]: otherScore });
      const decision = d.policy.observe(d.clock.now(), { kind: cur.kind, score: curScore }, otherScore === null ? null : { kind: other, score: otherScore });
      if (decision) {
        await d.switchTo(decision, `score ${otherScore!.toFixed(1)} vs ${curScore.toFixed(1)}`);
        d.policy.switched(d.clock.now());
      }
      return decision;
    } finally {
      this.#busy = false;
    }
  }

  #schedule(): void {
    this.#timer = this.#d.clock.setTimeout(() => {
      this.#timer = null;
      void this.check()
        .catch(() => null)
        .finally(() => {
          if (this.#abort && !this.#abort.signal.aborted) this.#schedule();
        });
    }, this.#d.intervalMs);
  }
}
