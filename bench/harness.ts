/**
 * Measurement helpers for browser benchmarks (bench/*.bench.ts). Contenders of a
 * case are measured interleaved, round after round, so that their ratio means
 * something on a noisy 2-core machine; each row reports the median of the
 * rounds and the spread ((max - min) / median), as shared/BENCH-RESULTS.md asks.
 */

/** One result row, in the shape of shared/BENCH-RESULTS.md. */
export interface BenchRow {
  case: string;
  contender: string;
  metric: string;
  unit: string;
  value: number;
  better: 'higher' | 'lower';
  runs: number;
  spread: number;
  /** Optional facts about the row (sizes, ratios of compression, notes). */
  extra?: Record<string, unknown>;
}

/** What the runner passes to a bench's default export. */
export interface BenchContext {
  /** The reference server's base URL when the bench exported `needsServer = true`. */
  serverUrl: string | null;
  /** SHA-256 of the server's development certificate (hex), for WebTransport. */
  certHash: string | null;
  /** True under `BENCH_QUICK=1`: fewer rounds, for a smoke run. */
  quick: boolean;
  /** Free-form arguments after the bench name on the command line. */
  args: string[];
  /** What bench/<name>.servers.mjs started (addresses of anchor servers), or null. */
  servers?: Record<string, string> | null;
}

/** A contender: `run()` does `ops` operations of the case and returns a checksum. */
export interface Contender {
  name: string;
  /** Called once before the rounds (allocations, warm caches). */
  setup?: () => void | Promise<void>;
  /** One timed unit of work; returns anything (kept to defeat dead-code elimination). */
  run: () => unknown | Promise<unknown>;
}

export interface MeasureOptions {
  /** Rounds per contender (default 7, 3 when quick). */
  rounds?: number;
  /** Target duration of one round; the unit of work repeats until it is reached (default 200 ms). */
  roundMs?: number;
  /** Untimed warm-up duration per contender (default 150 ms). */
  warmupMs?: number;
}

let sink: unknown = null;
/** Keeps a value alive so the work that produced it cannot be optimised away. */
export function consume(v: unknown): void {
  sink = v;
}
export function lastSink(): unknown {
  return sink;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** Median and spread of samples. */
export function summarize(samples: number[]): { value: number; spread: number; runs: number } {
  const value = median(samples);
  const spread = value === 0 ? 0 : (Math.max(...samples) - Math.min(...samples)) / value;
  return { value, spread, runs: samples.length };
}

/**
 * Measures units of work per second for each contender, interleaved round by
 * round. Returns, per contender name, the samples (units/s) of every round.
 */
export async function measureRates(
  contenders: readonly Contender[],
  options: MeasureOptions & { quick?: boolean } = {},
): Promise<Map<string, number[]>> {
  const rounds = options.rounds ?? (options.quick ? 3 : 7);
  const roundMs = options.roundMs ?? (options.quick ? 100 : 200);
  const warmupMs = options.warmupMs ?? 150;
  const out = new Map<string, number[]>();
  for (const c of contenders) {
    await c.setup?.();
    const end = performance.now() + warmupMs;
    while (performance.now() < end) consume(await c.run());
    out.set(c.name, []);
  }
  for (let r = 0; r < rounds; r++) {
    for (const c of contenders) {
      let n = 0;
      const t0 = performance.now();
      let t = t0;
      do {
        consume(await c.run());
        n++;
        t = performance.now();
      } while (t - t0 < roundMs);
      out.get(c.name)!.push((n * 1000) / (t - t0));
    }
    // Let the event loop breathe between rounds (GC, timers).
    await new Promise((res) => setTimeout(res, 0));
  }
  return out;
}

/**
 * Convenience: measures contenders and turns units/s into rows, scaled by
 * `perUnit` (e.g. frames per unit for frames/s, bytes per unit / 1e6 for MB/s).
 */
export async function rateRows(
  caseName: string,
  contenders: readonly Contender[],
  metrics: ReadonlyArray<{ metric: string; unit: string; perUnit: number }>,
  options: MeasureOptions & { quick?: boolean } = {},
): Promise<BenchRow[]> {
  const samples = await measureRates(contenders, options);
  const rows: BenchRow[] = [];
  for (const [name, xs] of samples) {
    for (const m of metrics) {
      const s = summarize(xs.map((x) => x * m.perUnit));
      rows.push({ case: caseName, contender: name, metric: m.metric, unit: m.unit, better: 'higher', ...s });
    }
  }
  return rows;
}

/** Percentile of samples (nearest rank), for latency benches. */
export function percentile(samples: readonly number[], p: number): number {
  if (!samples.length) return NaN;
  const s = [...samples].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

/** A deterministic PRNG (mulberry32) so generated corpora are the same in every run. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
