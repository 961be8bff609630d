/**
 * Transport metrics and scores, on the scoring core of the codec package
 * (src/codec/scoring.ts `TransportScorer`: assembly/scoring in WASM, or its
 * bit-identical JavaScript twin; docs/SCORING.md has the formula). This file
 * is the seam: the racer and the session record what they observe per
 * transport kind (probe and PING round trips, answered and lost probes, dial
 * and send outcomes) and read a `ProtocolMetrics` snapshot with its score.
 *
 * Application bytes are deliberately not recorded: only the transport in use
 * carries them, and a score with a throughput term is not comparable with one
 * without (docs/SCORING.md). Both sides are compared on latency, jitter and
 * reliability.
 */
import { TransportScorer } from '../codec/scoring.ts';
import type { WasmCore } from '../codec/wasm-core.ts';
import type { TransportKind } from './transport.ts';

/** What is known about one transport to one server. */
export interface ProtocolMetrics {
  readonly kind: TransportKind;
  /** Time the last dial took (ms), or null. */
  readonly connectMs: number | null;
  /** Smoothed round trip (ms, RFC 6298), or null before the first sample. */
  readonly rttMs: number | null;
  /** Median round trip (ms), or null. */
  readonly p50Ms: number | null;
  /** 99th percentile round trip (ms), or null. */
  readonly p99Ms: number | null;
  /** Round-trip variation (ms), or null. */
  readonly jitterMs: number | null;
  /** Share of probes and PINGs without an answer over the window, 0..1. */
  readonly lossRate: number;
  /** Share of dials and sends that succeeded over the window, 0..1. */
  readonly successRate: number;
  /** RTT samples behind the figures. */
  readonly samples: number;
  /** 0 (useless, or nothing measured yet) to 100. */
  readonly score: number;
}

/** Records observations per transport kind and scores them. */
export interface Scorer {
  /** 'wasm' or 'js' (the twin), for reports. */
  readonly implementation: string;
  /** Forgets a kind's history (a fresh dial); remembers its connect time. */
  reset(kind: TransportKind, connectMs?: number | null): void;
  rtt(kind: TransportKind, ms: number): void;
  probe(kind: TransportKind, answered: boolean): void;
  outcome(kind: TransportKind, ok: boolean): void;
  snapshot(kind: TransportKind): ProtocolMetrics;
}

const SLOT: Record<TransportKind, number> = { webtransport: 0, websocket: 1 };

const orNull = (x: number): number | null => (Number.isFinite(x) ? x : null);

/**
 * A scorer on `TransportScorer`: on the WASM core when one is given (or loads
 * synchronously), else on the JavaScript twin.
 */
export function createScorer(options: { core?: WasmCore | null; now?: () => number } = {}): Scorer {
  const ts = new TransportScorer({ core: options.core, clock: options.now });
  const connect: Partial<Record<TransportKind, number | null>> = {};
  return {
    implementation: ts.backend,
    reset(kind, connectMs = null) {
      ts.reset(SLOT[kind]);
      connect[kind] = connectMs;
    },
    rtt: (kind, ms) => void ts.recordRtt(SLOT[kind], ms),
    probe: (kind, answered) => void ts.recordProbe(SLOT[kind], answered),
    outcome: (kind, ok) => void (ok ? ts.recordSuccess(SLOT[kind]) : ts.recordFailure(SLOT[kind])),
    snapshot(kind) {
      const s = ts.snapshot(SLOT[kind]);
      return {
        kind,
        connectMs: connect[kind] ?? null,
        rttMs: s.samples > 0 ? orNull(s.ewma) : null,
        p50Ms: s.samples > 0 ? orNull(s.p50) : null,
        p99Ms: s.samples > 0 ? orNull(s.p99) : null,
        jitterMs: s.samples > 0 ? orNull(s.jitter) : null,
        lossRate: s.loss,
        successRate: s.successRate,
        samples: s.samples,
        score: s.score,
      };
    },
  };
}

/** Median of a non-empty list. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
