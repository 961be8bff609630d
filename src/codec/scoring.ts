/**
 * Transport metrics and scoring for the protocol racer (formula and reasons in
 * docs/SCORING.md). Per transport slot: a latency histogram (p50/p95/p99 within
 * ±3.2%, from 0 µs to about 71 minutes), EWMAs of RTT and jitter, throughput,
 * success and probe-loss windows, and a score in [0, 100]. `decide` adds the
 * hysteresis: switch only to a transport that is better by a margin, for a
 * sustained time, and not again right after a switch.
 *
 * ```ts
 * const scorer = new TransportScorer({ core: await loadWasmCore() }); // or core: null for JS
 * scorer.recordRtt(WT, 12.5);                  // times default to the injected clock
 * scorer.recordBytes(WT, frame.byteLength);
 * scorer.recordFailure(WS);
 * if (scorer.decide(current, candidate) === 'switch') moveTo(candidate);
 * scorer.snapshot(WT); // { p50, p95, p99, ewma, jitter, throughput, successRate, loss, score, samples }
 * ```
 * Slots are small integers in [0, TransportScorer.SLOTS); what each one means is
 * the caller's choice. The WASM core (assembly/scoring/) and the JavaScript twin
 * (scoring-js.ts) give bit-identical results.
 */
import { loadWasmCoreSync, type WasmCore } from './wasm-core.ts';
import { FlareError, ErrorCode } from './errors.ts';
import { JsScorerCore, OUT, Out, OUT_FIELDS, SampleKind, SLOTS } from './scoring-js.ts';

export { SampleKind } from './scoring-js.ts';

/** The parameters of the score and of the switching rule. */
export interface ScoringConfig {
  /** RTT at which the latency term is one half (ms). */
  latencyRefMs: number;
  /** Jitter (RTT deviation) at which the jitter term is one half (ms). */
  jitterRefMs: number;
  /** Throughput at which the throughput term is one half (bytes/s). */
  throughputRefBps: number;
  latencyWeight: number;
  jitterWeight: number;
  throughputWeight: number;
  /** A candidate must beat the current score by this fraction... */
  margin: number;
  /** ...plus this many points (of 100). */
  marginAbs: number;
  /** ...continuously for this long (ms) before `decide` says switch. */
  holdMs: number;
  /** No switch within this long (ms) after the previous one. */
  dwellMs: number;
  /** Length of the throughput, success and loss windows (ms). */
  windowMs: number;
  /** Histogram samples lose half their weight every this long (ms). */
  halfLifeMs: number;
}

export const DEFAULT_SCORING: Readonly<ScoringConfig> = Object.freeze({
  latencyRefMs: 100,
  jitterRefMs: 50,
  throughputRefBps: 256 * 1024,
  latencyWeight: 0.5,
  jitterWeight: 0.25,
  throughputWeight: 0.25,
  margin: 0.15,
  marginAbs: 2,
  holdMs: 3000,
  dwellMs: 10_000,
  windowMs: 10_000,
  halfLifeMs: 10_000,
});

/** One transport's metrics at a moment. Latency fields are NaN before the first RTT sample. */
export interface TransportSnapshot {
  /** Median RTT (ms, from the decaying histogram). */
  p50: number;
  p95: number;
  p99: number;
  /** Smoothed RTT (ms, EWMA with gain 1/8, RFC 6298). */
  ewma: number;
  /** RTT variation (ms, EWMA of |RTT - ewma| with gain 1/4). */
  jitter: number;
  /** Bytes per second over the window (0 when none were recorded). */
  throughput: number;
  /** Successes / (successes + failures) over the window (1 with no outcome). */
  successRate: number;
  /** Lost probes / probes over the window (0 with no probe). */
  loss: number;
  /** The score in [0, 100]; 0 before the first RTT sample. */
  score: number;
  /** RTT samples recorded since the slot was reset. */
  samples: number;
}

export type Decision = 'keep' | 'switch';

export interface TransportScorerOptions extends Partial<ScoringConfig> {
  /** The WASM core to run in; null for the JavaScript twin; omitted: WASM when it loads. */
  core?: WasmCore | null;
  /** The clock for omitted `now` arguments (ms); default `performance.now()`. */
  clock?: () => number;
}

/** What both backends do; results as the WASM exports return them. */
interface Backend {
  configure(c: ScoringConfig): number;
  record(kind: number, slot: number, value: number, now: number): number;
  ingest(samples: Float64Array): number;
  /** Fills and returns the snapshot fields (a view valid until the next call). */
  snapshot(slot: number, now: number): Float64Array;
  decide(current: number, candidate: number, now: number): number;
  reset(slot: number): number;
  dispose(): void;
}

const configArgs = (c: ScoringConfig) =>
  [c.latencyRefMs, c.jitterRefMs, c.throughputRefBps, c.latencyWeight, c.jitterWeight, c.throughputWeight, c.margin,
    c.marginAbs, c.holdMs, c.dwellMs, c.windowMs, c.halfLifeMs] as const;

type ConfigArgs = ReturnType<typeof configArgs>;

class JsBackend implements Backend {
  readonly #core = new JsScorerCore();
  configure(c: ScoringConfig): number {
    return this.#core.configure(...configArgs(c));
  }
  record(kind: number, slot: number, value: number, now: number): number {
    return this.#core.record(kind, slot, value, now);
  }
  ingest(samples: Float64Array): number {
    return this.#core.ingest(samples, samples.length >> 2);
  }
  snapshot(slot: number, now: number): Float64Array {
    this.#core.snapshot(slot, now);
    return this.#core.m.subarray(OUT, OUT + OUT_FIELDS);
  }
  decide(current: number, candidate: number, now: number): number {
    return this.#core.decide(current, candidate, now);
  }
  reset(slot: number): number {
    return this.#core.reset(slot);
  }
  dispose(): void {}
}

interface ScoringExports {
  scorerCreate(): number;
  scorerFree(s: number): void;
  scorerConfigure(s: number, ...args: ConfigArgs): number;
  scorerReset(s: number, slot: number): number;
  scorerRecord(s: number, kind: number, slot: number, value: number, now: number): number;
  scorerIngest(s: number, ptr: number, count: number): number;
  scorerOut(s: number): number;
  scorerSnapshot(s: number, slot: number, now: number): number;
  scorerDecide(s: number, current: number, candidate: number, now: number): number;
}

const freeScorers = new FinalizationRegistry<{ x: ScoringExports; s: number }>(({ x, s }) => x.scorerFree(s));

class WasmBackend implements Backend {
  readonly #core: WasmCore;
  readonly #x: ScoringExports;
  readonly #s: number;
  #out: Float64Array | null = null;

  constructor(core: WasmCore) {
    this.#core = core;
    this.#x = core.exports as unknown as ScoringExports;
    this.#s = this.#x.scorerCreate();
    if (this.#s === 0) throw new FlareError(ErrorCode.INTERNAL, 'scoring: out of WASM memory');
    freeScorers.register(this, { x: this.#x, s: this.#s }, this);
  }
  configure(c: ScoringConfig): number {
    return this.#x.scorerConfigure(this.#s, ...configArgs(c));
  }
  record(kind: number, slot: number, value: number, now: number): number {
    return this.#x.scorerRecord(this.#s, kind, slot, value, now);
  }
  ingest(samples: Float64Array): number {
    const count = samples.length >> 2;
    if (count === 0) return 0;
    const ptr = this.#core.exports.alloc(count * 32);
    try {
      new Float64Array(this.#core.exports.memory.buffer, ptr, count * 4).set(samples.subarray(0, count * 4));
      return this.#x.scorerIngest(this.#s, ptr, count);
    } finally {
      this.#core.exports.dealloc(ptr);
    }
  }
  snapshot(slot: number, now: number): Float64Array {
    this.#x.scorerSnapshot(this.#s, slot, now);
    const buffer = this.#core.exports.memory.buffer;
    if (this.#out?.buffer !== buffer) this.#out = new Float64Array(buffer, this.#x.scorerOut(this.#s), OUT_FIELDS);
    return this.#out;
  }
  decide(current: number, candidate: number, now: number): number {
    return this.#x.scorerDecide(this.#s, current, candidate, now);
  }
  reset(slot: number): number {
    return this.#x.scorerReset(this.#s, slot);
  }
  dispose(): void {
    freeScorers.unregister(this);
    this.#x.scorerFree(this.#s);
  }
}

function invalid(what: string): FlareError {
  return new FlareError(ErrorCode.INVALID_ARGUMENT, `scoring: ${what}`);
}

/** Metrics and switching decisions for up to SLOTS transports. */
export class TransportScorer {
  /** How many transport slots a scorer has. */
  static readonly SLOTS = SLOTS;
  readonly backend: 'wasm' | 'js';
  readonly config: Readonly<ScoringConfig>;
  readonly #b: Backend;
  readonly #clock: () => number;
  #disposed = false;

  constructor(options: TransportScorerOptions = {}) {
    const { core, clock, ...overrides } = options;
    const config: ScoringConfig = { ...DEFAULT_SCORING };
    for (const [k, v] of Object.entries(overrides)) if (v !== undefined) (config as unknown as Record<string, number>)[k] = v;
    const wasm = core === undefined ? loadWasmCoreSync() : core;
    this.#b = wasm ? new WasmBackend(wasm) : new JsBackend();
    this.backend = wasm ? 'wasm' : 'js';
    if (this.#b.configure(config) < 0) {
      this.#b.dispose();
      throw invalid(`invalid configuration ${JSON.stringify(config)}`);
    }
    this.config = Object.freeze(config);
    this.#clock = clock ?? (() => performance.now());
  }

  /** Records a round-trip time in ms (0 up to minutes; longer is clamped). False if refused (negative, NaN). */
  recordRtt(slot: number, ms: number, now = this.#clock()): boolean {
    return this.#record(SampleKind.RTT, slot, ms, now);
  }
  /** Records bytes carried (sent or received) for the throughput window. */
  recordBytes(slot: number, bytes: number, now = this.#clock()): boolean {
    return this.#record(SampleKind.BYTES, slot, bytes, now);
  }
  /** Records successful operations (sends acknowledged, connects, requests answered). */
  recordSuccess(slot: number, now = this.#clock(), count = 1): boolean {
    return this.#record(SampleKind.SUCCESS, slot, count, now);
  }
  /** Records failed operations (timeouts, errors, refused connects). */
  recordFailure(slot: number, now = this.#clock(), count = 1): boolean {
    return this.#record(SampleKind.FAILURE, slot, count, now);
  }
  /** Records a probe that was answered, or lost. */
  recordProbe(slot: number, answered: boolean, now = this.#clock()): boolean {
    return this.#record(answered ? SampleKind.PROBE_OK : SampleKind.PROBE_LOST, slot, 1, now);
  }

  /**
   * Records many samples in one call: quadruples [kind, slot, value, now]
   * (kind from SampleKind). Returns how many were refused.
   */
  ingest(samples: Float64Array): number {
    this.#live();
    if (samples.length % 4 !== 0) throw invalid('ingest takes [kind, slot, value, now] quadruples');
    return this.#b.ingest(samples);
  }

  /** The slot's metrics at `now`. */
  snapshot(slot: number, now = this.#clock()): TransportSnapshot {
    this.#slot(slot);
    const o = this.#b.snapshot(slot, now);
    return {
      p50: o[Out.P50]!,
      p95: o[Out.P95]!,
      p99: o[Out.P99]!,
      ewma: o[Out.EWMA]!,
      jitter: o[Out.JITTER]!,
      throughput: o[Out.THROUGHPUT]!,
      successRate: o[Out.SUCCESS]!,
      loss: o[Out.LOSS]!,
      score: o[Out.SCORE]!,
      samples: o[Out.SAMPLES]!,
    };
  }

  /** The slot's score in [0, 100] at `now`. */
  score(slot: number, now = this.#clock()): number {
    this.#slot(slot);
    return this.#b.snapshot(slot, now)[Out.SCORE]!;
  }

  /**
   * Whether to move from `current` to `candidate`: 'switch' only when the
   * candidate's score has beaten the current one by the margin for `holdMs`
   * and the last switch is `dwellMs` old. Call it as samples arrive (it keeps
   * the "better since" time per pair); after a switch, call it with the roles swapped.
   */
  decide(current: number, candidate: number, now = this.#clock()): Decision {
    this.#slot(current);
    this.#slot(candidate);
    return this.#b.decide(current, candidate, now) === 1 ? 'switch' : 'keep';
  }

  /** Forgets everything about a slot (for example a new connection on that transport). */
  reset(slot: number): void {
    this.#slot(slot);
    this.#b.reset(slot);
  }

  /** Frees the WASM state (also freed on garbage collection). */
  dispose(): void {
    if (!this.#disposed) this.#b.dispose();
    this.#disposed = true;
  }

  #record(kind: number, slot: number, value: number, now: number): boolean {
    this.#slot(slot);
    return this.#b.record(kind, slot, value, now) === 0;
  }

  #slot(slot: number): void {
    this.#live();
    if (!Number.isInteger(slot) || slot < 0 || slot >= SLOTS) throw invalid(`slot ${slot} is not in [0, ${SLOTS})`);
  }

  #live(): void {
    if (this.#disposed) throw invalid('the scorer was disposed');
  }
}
