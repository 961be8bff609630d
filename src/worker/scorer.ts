/**
 * Transport metrics and the score that ranks them.
 *
 * The `Scorer` interface is the seam for the WASM scoring of assembly/scoring:
 * a scorer takes the metrics of one transport as plain numbers and returns a
 * number, higher is better. `tsScorer` is the TypeScript implementation used
 * until (and wherever) the WASM one is not loaded; both must agree.
 *
 * The seed's formula (`1000 / connect_ms * 0.3 + 100 / rtt_ms * 0.3 +
 * msgs_per_s / 100 * 0.2 + success * 0.2`) is unbounded: a 0.2 ms loopback RTT
 * alone outweighs everything else, and a zero divides by zero. Ours maps each
 * measure to [0, 1] with a reference value (`1 / (1 + x / ref)`, so the
 * reference scores one half), weights them, and scales to 0..100.
 */
import type { TransportKind } from './transport.ts';

/** What is known about one transport to one server. Unknown measures are null. */
export interface ProtocolMetrics {
  readonly kind: TransportKind;
  /** Time to open the transport (ms). */
  readonly connectMs: number | null;
  /** Typical round trip (ms): the median of probes, or the smoothed live RTT. */
  readonly rttMs: number | null;
  /** Round-trip variation (ms). */
  readonly jitterMs: number | null;
  /** Share of probes or PINGs without an answer, 0..1. */
  readonly lossRate: number;
  /** Measured delivery rate (messages/s), when known. */
  readonly throughputMsgsPerSec: number | null;
  /** Share of dials and sends that succeeded, 0..1. */
  readonly successRate: number;
  /** Samples behind the figures (0: nothing measured yet). */
  readonly samples: number;
}

/** Ranks transports; higher is better. */
export interface Scorer {
  /** 'ts' or 'wasm', for reports. */
  readonly implementation: string;
  score(m: ProtocolMetrics): number;
}

/** Weights and reference values of the TypeScript scorer. */
export const SCORE_WEIGHTS = {
  rtt: 0.35,
  connect: 0.15,
  loss: 0.2,
  jitter: 0.1,
  throughput: 0.1,
  success: 0.1,
} as const;
export const SCORE_REFERENCES = { rttMs: 50, connectMs: 200, jitterMs: 20, throughputMsgsPerSec: 1000 } as const;

const half = (x: number | null, ref: number): number => (x === null || !(x >= 0) ? 0.5 : 1 / (1 + x / ref));

/** The TypeScript score: 0 (useless) to 100 (instant, lossless, reliable). */
export function scoreMetrics(m: ProtocolMetrics): number {
  const w = SCORE_WEIGHTS;
  const r = SCORE_REFERENCES;
  const loss = Math.min(1, Math.max(0, m.lossRate));
  const tp = m.throughputMsgsPerSec;
  const s =
    w.rtt * half(m.rttMs, r.rttMs) +
    w.connect * half(m.connectMs, r.connectMs) +
    w.loss * (1 - loss) ** 2 +
    w.jitter * half(m.jitterMs, r.jitterMs) +
    w.throughput * (tp === null || !(tp >= 0) ? 0.5 : tp / (tp + r.throughputMsgsPerSec)) +
    w.success * Math.min(1, Math.max(0, m.successRate));
  return Math.round(s * 100 * 1000) / 1000;
}

/** The TypeScript scorer. */
export const tsScorer: Scorer = { implementation: 'ts', score: scoreMetrics };

/** Median of a non-empty list. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/**
 * Live metrics of the transport in use, fed by the heartbeat (RTT samples,
 * lost PINGs) and the session (send failures, delivered frames). RTT and
 * jitter are exponentially weighted (RFC 6298's smoothing: 1/8 and 1/4).
 */
export class MetricsTracker {
  readonly kind: TransportKind;
  connectMs: number | null;
  #srtt: number | null = null;
  #rttvar: number | null = null;
  #sent = 0;
  #lost = 0;
  #ok = 0;
  #failed = 0;
  #samples = 0;
  #tpStart: number | null = null;
  #tpCount = 0;
  #tp: number | null = null;

  constructor(kind: TransportKind, connectMs: number | null = null, seed?: ProtocolMetrics) {
    this.kind = kind;
    this.connectMs = connectMs;
    if (seed?.rttMs != null) {
      this.#srtt = seed.rttMs;
      this.#rttvar = seed.jitterMs ?? seed.rttMs / 2;
      this.#samples = seed.samples;
    }
  }

  /** One answered round trip. */
  rtt(ms: number): void {
    if (!(ms >= 0)) return;
    this.#sent++;
    this.#samples++;
    if (this.#srtt === null) {
      this.#srtt = ms;
      this.#rttvar = ms / 2;
    } else {
      this.#rttvar = 0.75 * this.#rttvar! + 0.25 * Math.abs(this.#srtt - ms);
      this.#srtt = 0.875 * this.#srtt + 0.125 * ms;
    }
  }

  /** One PING or probe that got no answer. */
  lost(): void {
    this.#sent++;
    this.#lost++;
    this.#samples++;
  }

  /** A send or dial succeeded (true) or failed (false). */
  outcome(ok: boolean): void {
    if (ok) this.#ok++;
    else this.#failed++;
  }

  /** Frames delivered at monotonic time `now`; the rate is taken over windows of at least one second. */
  delivered(count: number, now: number): void {
    if (this.#tpStart === null) this.#tpStart = now;
    this.#tpCount += count;
    const span = now - this.#tpStart;
    if (span >= 1000) {
      this.#tp = (this.#tpCount * 1000) / span;
      this.#tpStart = now;
      this.#tpCount = 0;
    }
  }

  /** A snapshot. Loss counts recent history only loosely: counters halve every 64 events. */
  snapshot(): ProtocolMetrics {
    if (this.#sent > 64) {
      this.#sent /= 2;
      this.#lost /= 2;
    }
    if (this.#ok + this.#failed > 64) {
      this.#ok /= 2;
      this.#failed /= 2;
    }
    const total = this.#ok + this.#failed;
    return {
      kind: this.kind,
      connectMs: this.connectMs,
      rttMs: this.#srtt,
      jitterMs: this.#rttvar,
      lossRate: this.#sent > 0 ? this.#lost / this.#sent : 0,
      throughputMsgsPerSec: this.#tp,
      successRate: total > 0 ? this.#ok / total : 1,
      samples: this.#samples,
    };
  }
}
