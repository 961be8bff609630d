/**
 * The JavaScript twin of assembly/scoring/ (for pages without WebAssembly):
 * the same memory layout in a Float64Array and the same arithmetic in the same
 * order, so that both backends give bit-identical snapshots and decisions (the
 * tests check it). Change one, change the other.
 */

// assembly/scoring/layout.ts, in f64 units.
export const SLOTS = 8;
const SUB_BITS = 4;
const OCTAVES = 32;
export const BUCKETS = (OCTAVES << SUB_BITS) + 2;
const RING = 16;
const CH_BYTES = 0;
const CH_OK = 1;
const CH_FAIL = 2;
const CH_PROBE_OK = 3;
const CH_PROBE_LOST = 4;
const CHANNELS = 5;
const C_LATENCY_REF = 0;
const C_JITTER_REF = 1;
const C_THROUGHPUT_REF = 2;
const C_W_LATENCY = 3;
const C_W_JITTER = 4;
const C_W_THROUGHPUT = 5;
const C_MARGIN = 6;
const C_MARGIN_ABS = 7;
const C_HOLD = 8;
const C_DWELL = 9;
const C_WINDOW = 10;
const C_HALF_LIFE = 11;
const G_LAST_SWITCH = 16;
/** Index of the snapshot output (OUT_FIELDS f64s). */
export const OUT = 24;
export const OUT_FIELDS = 12;
const BETTER_SINCE = 40;
const SLOT_BASE = BETTER_SINCE + SLOTS * SLOTS;
const S_SAMPLES = 0;
const S_SRTT = 1;
const S_RTTVAR = 2;
const S_TOTAL = 3;
const S_EPOCH = 4;
const S_HEAD = 5;
const S_RING_ON = 6;
const S_FIRST_BYTES = 7;
const S_BYTES_KNOWN = 8;
const S_RING = 16;
const S_HIST = S_RING + CHANNELS * RING;
const SLOT_SIZE = S_HIST + BUCKETS;
const SCORER_SIZE = SLOT_BASE + SLOTS * SLOT_SIZE;

/** Sample kinds, as scorerRecord takes them. */
export const SampleKind = { RTT: 0, BYTES: 1, SUCCESS: 2, FAILURE: 3, PROBE_OK: 4, PROBE_LOST: 5 } as const;
export type SampleKind = (typeof SampleKind)[keyof typeof SampleKind];

/** Snapshot fields, as offsets from OUT. */
export const Out = {
  P50: 0, P95: 1, P99: 2, EWMA: 3, JITTER: 4, THROUGHPUT: 5, SUCCESS: 6, LOSS: 7, SCORE: 8, SAMPLES: 9, WEIGHT: 10,
  BYTES_KNOWN: 11,
} as const;

const BAD_ARGUMENT = -7;
const MAX_RTT_MS = 4294967.296;
const MAX_US = 4294967296.0;

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

/** Histogram bucket of a value in µs (see assembly/scoring/scorer.ts). */
export function bucketOf(us: number): number {
  if (!(us >= 1.0)) return 0;
  if (us >= MAX_US) return BUCKETS - 1;
  f64[0] = us;
  const hi = u32[1]!; // little-endian: sign, exponent, top mantissa bits
  const e = (hi >>> 20) - 1023;
  const sub = (hi >>> (20 - SUB_BITS)) & ((1 << SUB_BITS) - 1);
  return 1 + (e << SUB_BITS) + sub;
}

/** The value (µs) a bucket stands for. */
export function bucketValue(i: number): number {
  if (i === 0) return 0.0;
  if (i >= BUCKETS - 1) return MAX_US;
  const j = i - 1;
  const e = j >> SUB_BITS;
  const sub = j & ((1 << SUB_BITS) - 1);
  return ((1 << e) >>> 0) * (1.0 + (sub + 0.5) / (1 << SUB_BITS));
}

/** One scorer's state and operations; method names and results as the WASM exports'. */
export class JsScorerCore {
  /** The whole state; `OUT` is where `snapshot` writes. */
  readonly m = new Float64Array(SCORER_SIZE);

  constructor() {
    this.m[G_LAST_SWITCH] = -Infinity;
    this.#clearBetter();
  }

  configure(
    latencyRef: number, jitterRef: number, throughputRef: number, wLatency: number, wJitter: number, wThroughput: number,
    margin: number, marginAbs: number, holdMs: number, dwellMs: number, windowMs: number, halfLifeMs: number,
  ): number {
    if (!(latencyRef > 0 && jitterRef > 0 && throughputRef > 0 && windowMs > 0 && halfLifeMs > 0)) return BAD_ARGUMENT;
    if (!(wLatency >= 0 && wJitter >= 0 && wThroughput >= 0 && wLatency + wJitter > 0)) return BAD_ARGUMENT;
    if (!(margin >= 0 && marginAbs >= 0 && holdMs >= 0 && dwellMs >= 0)) return BAD_ARGUMENT;
    const sum = latencyRef + jitterRef + throughputRef + wLatency + wJitter + wThroughput + margin + marginAbs + holdMs + dwellMs + windowMs + halfLifeMs;
    if (!Number.isFinite(sum)) return BAD_ARGUMENT;
    const m = this.m;
    m[C_LATENCY_REF] = latencyRef;
    m[C_JITTER_REF] = jitterRef;
    m[C_THROUGHPUT_REF] = throughputRef;
    m[C_W_LATENCY] = wLatency;
    m[C_W_JITTER] = wJitter;
    m[C_W_THROUGHPUT] = wThroughput;
    m[C_MARGIN] = margin;
    m[C_MARGIN_ABS] = marginAbs;
    m[C_HOLD] = holdMs;
    m[C_DWELL] = dwellMs;
    m[C_WINDOW] = windowMs;
    m[C_HALF_LIFE] = halfLifeMs;
    for (let i = 0; i < SLOTS; i++) this.reset(i);
    m[G_LAST_SWITCH] = -Infinity;
    this.#clearBetter();
    return 0;
  }

  reset(slot: number): number {
    if (!(slot >= 0 && slot < SLOTS) || slot !== Math.floor(slot)) return BAD_ARGUMENT;
    const b = SLOT_BASE + slot * SLOT_SIZE;
    this.m.fill(0, b, b + SLOT_SIZE);
    return 0;
  }

  record(kind: number, slot: number, value: number, now: number): number {
    if (!(slot >= 0 && slot < SLOTS) || slot !== Math.floor(slot) || !Number.isFinite(now) || !(value >= 0)) return BAD_ARGUMENT;
    const b = SLOT_BASE + slot * SLOT_SIZE;
    if (kind === SampleKind.RTT) {
      this.#recordRtt(b, value, now);
      return 0;
    }
    if (!Number.isFinite(value)) return BAD_ARGUMENT;
    if (kind === SampleKind.BYTES) {
      if (this.m[b + S_BYTES_KNOWN] === 0) {
        this.m[b + S_BYTES_KNOWN] = 1.0;
        this.m[b + S_FIRST_BYTES] = now;
      }
      this.#windowAdd(b, CH_BYTES, value, now);
    } else if (kind === SampleKind.SUCCESS) this.#windowAdd(b, CH_OK, value, now);
    else if (kind === SampleKind.FAILURE) this.#windowAdd(b, CH_FAIL, value, now);
    else if (kind === SampleKind.PROBE_OK) this.#windowAdd(b, CH_PROBE_OK, value, now);
    else if (kind === SampleKind.PROBE_LOST) this.#windowAdd(b, CH_PROBE_LOST, value, now);
    else return BAD_ARGUMENT;
    return 0;
  }

  /** Records [kind, slot, value, now] quadruples; returns how many were refused. */
  ingest(samples: Float64Array, count: number): number {
    let refused = 0;
    for (let i = 0; i < count; i++) {
      const kind = samples[4 * i]!;
      const slot = samples[4 * i + 1]!;
      if (!(kind >= 0 && kind <= 5 && slot >= 0 && slot < SLOTS) || kind !== Math.floor(kind) || slot !== Math.floor(slot)) {
        refused++;
        continue;
      }
      if (this.record(kind, slot, samples[4 * i + 2]!, samples[4 * i + 3]!) < 0) refused++;
    }
    return refused;
  }

  snapshot(slot: number, now: number): number {
    if (!(slot >= 0 && slot < SLOTS) || slot !== Math.floor(slot) || !Number.isFinite(now)) return BAD_ARGUMENT;
    const m = this.m;
    const b = SLOT_BASE + slot * SLOT_SIZE;
    this.#refresh(b, now);
    const samples = m[b + S_SAMPLES]!;
    m[OUT + Out.P50] = this.#percentile(b, 0.5);
    m[OUT + Out.P95] = this.#percentile(b, 0.95);
    m[OUT + Out.P99] = this.#percentile(b, 0.99);
    m[OUT + Out.EWMA] = samples > 0 ? m[b + S_SRTT]! : NaN;
    m[OUT + Out.JITTER] = samples > 0 ? m[b + S_RTTVAR]! : NaN;
    m[OUT + Out.THROUGHPUT] = this.#throughput(b, now);
    const ok = this.#windowSum(b, CH_OK);
    const all = ok + this.#windowSum(b, CH_FAIL);
    m[OUT + Out.SUCCESS] = all > 0 ? ok / all : 1.0;
    const lost = this.#windowSum(b, CH_PROBE_LOST);
    const probes = lost + this.#windowSum(b, CH_PROBE_OK);
    m[OUT + Out.LOSS] = probes > 0 ? lost / probes : 0.0;
    m[OUT + Out.SCORE] = this.#score(b, now, m[b + S_BYTES_KNOWN] !== 0);
    m[OUT + Out.SAMPLES] = samples;
    m[OUT + Out.WEIGHT] = m[b + S_TOTAL]!;
    m[OUT + Out.BYTES_KNOWN] = m[b + S_BYTES_KNOWN]!;
    return 0;
  }

  decide(current: number, candidate: number, now: number): number {
    const ok = (x: number) => x >= 0 && x < SLOTS && x === Math.floor(x);
    if (!ok(current) || !ok(candidate) || !Number.isFinite(now)) return BAD_ARGUMENT;
    if (current === candidate) return 0;
    const m = this.m;
    const bc = SLOT_BASE + current * SLOT_SIZE;
    const bd = SLOT_BASE + candidate * SLOT_SIZE;
    this.#refresh(bc, now);
    this.#refresh(bd, now);
    const both = m[bc + S_BYTES_KNOWN] !== 0 && m[bd + S_BYTES_KNOWN] !== 0;
    const sc = this.#score(bc, now, both);
    const sd = this.#score(bd, now, both);
    const key = BETTER_SINCE + current * SLOTS + candidate;
    if (!(sd > 0 && sd >= sc * (1.0 + m[C_MARGIN]!) + m[C_MARGIN_ABS]!)) {
      m[key] = -Infinity;
      return 0;
    }
    let since = m[key]!;
    if (since === -Infinity) {
      since = now;
      m[key] = now;
    }
    if (now - since >= m[C_HOLD]! && now - m[G_LAST_SWITCH]! >= m[C_DWELL]!) {
      m[G_LAST_SWITCH] = now;
      this.#clearBetter();
      return 1;
    }
    return 2;
  }

  #clearBetter(): void {
    this.m.fill(-Infinity, BETTER_SINCE, BETTER_SINCE + SLOTS * SLOTS);
  }

  #decay(b: number, now: number): void {
    const m = this.m;
    const half = m[C_HALF_LIFE]!;
    const epoch = m[b + S_EPOCH]!;
    if (!(now - epoch >= half)) return;
    const k = Math.floor((now - epoch) / half);
    m[b + S_EPOCH] = epoch + k * half;
    const h = b + S_HIST;
    if (k >= 64) {
      m.fill(0, h, h + BUCKETS);
      m[b + S_TOTAL] = 0.0;
      return;
    }
    let f = 1.0;
    for (let i = 0; i < k; i++) f *= 0.5;
    for (let i = 0; i < BUCKETS; i++) m[h + i] = m[h + i]! * f;
    m[b + S_TOTAL] = m[b + S_TOTAL]! * f;
  }

  #advance(b: number, now: number): void {
    const m = this.m;
    const width = m[C_WINDOW]! / RING;
    const idx = Math.floor(now / width);
    const ring = b + S_RING;
    if (m[b + S_RING_ON] === 0) {
      m.fill(0, ring, ring + CHANNELS * RING);
      m[b + S_HEAD] = idx;
      m[b + S_RING_ON] = 1.0;
      return;
    }
    const head = m[b + S_HEAD]!;
    if (!(idx > head)) return;
    const steps = idx - head;
    if (steps >= RING) {
      m.fill(0, ring, ring + CHANNELS * RING);
    } else {
      for (let i = 1; i <= steps; i++) {
        const r = ringIndex(head + i);
        for (let c = 0; c < CHANNELS; c++) m[ring + c * RING + r] = 0.0;
      }
    }
    m[b + S_HEAD] = idx;
  }

  #windowAdd(b: number, ch: number, v: number, now: number): void {
    this.#advance(b, now);
    const p = b + S_RING + ch * RING + ringIndex(this.m[b + S_HEAD]!);
    this.m[p] = this.m[p]! + v;
  }

  #windowSum(b: number, ch: number): number {
    const p = b + S_RING + ch * RING;
    let sum = 0.0;
    for (let i = 0; i < RING; i++) sum += this.m[p + i]!;
    return sum;
  }

  #refresh(b: number, now: number): void {
    if (this.m[b + S_SAMPLES]! > 0) this.#decay(b, now);
    if (this.m[b + S_RING_ON] !== 0) this.#advance(b, now);
  }

  #recordRtt(b: number, ms: number, now: number): void {
    const m = this.m;
    const v = ms > MAX_RTT_MS ? MAX_RTT_MS : ms;
    if (m[b + S_SAMPLES] === 0) {
      m[b + S_EPOCH] = now;
      m[b + S_SRTT] = v;
      m[b + S_RTTVAR] = v / 2.0;
    } else {
      this.#decay(b, now);
      const srtt = m[b + S_SRTT]!;
      const err = v - srtt;
      const rttvar = m[b + S_RTTVAR]!;
      m[b + S_RTTVAR] = rttvar + 0.25 * (Math.abs(err) - rttvar);
      m[b + S_SRTT] = srtt + 0.125 * err;
    }
    m[b + S_SAMPLES] = m[b + S_SAMPLES]! + 1.0;
    const p = b + S_HIST + bucketOf(v * 1000.0);
    m[p] = m[p]! + 1.0;
    m[b + S_TOTAL] = m[b + S_TOTAL]! + 1.0;
  }

  #percentile(b: number, p: number): number {
    const m = this.m;
    const total = m[b + S_TOTAL]!;
    if (!(total > 0)) return NaN;
    const rank = p * total - total * 1e-9;
    const h = b + S_HIST;
    let cum = 0.0;
    let last = 0;
    for (let i = 0; i < BUCKETS; i++) {
      const c = m[h + i]!;
      if (c > 0) {
        cum += c;
        last = i;
        if (cum >= rank) return bucketValue(i) / 1000.0;
      }
    }
    return bucketValue(last) / 1000.0;
  }

  #throughput(b: number, now: number): number {
    const m = this.m;
    if (m[b + S_BYTES_KNOWN] === 0) return 0.0;
    const width = m[C_WINDOW]! / RING;
    let span = (RING - 1) * width + (now - m[b + S_HEAD]! * width);
    const since = now - m[b + S_FIRST_BYTES]!;
    if (since < span) span = since;
    if (span < width) span = width;
    return (this.#windowSum(b, CH_BYTES) * 1000.0) / span;
  }

  #score(b: number, now: number, withThroughput: boolean): number {
    const m = this.m;
    if (m[b + S_SAMPLES] === 0) return 0.0;
    const lref = m[C_LATENCY_REF]!;
    const jref = m[C_JITTER_REF]!;
    const wl = m[C_W_LATENCY]!;
    const wj = m[C_W_JITTER]!;
    let q = wl * (lref / (lref + m[b + S_SRTT]!)) + wj * (jref / (jref + m[b + S_RTTVAR]!));
    let w = wl + wj;
    if (withThroughput) {
      const t = this.#throughput(b, now);
      const wt = m[C_W_THROUGHPUT]!;
      q += wt * (t / (t + m[C_THROUGHPUT_REF]!));
      w += wt;
    }
    q = q / w;
    const ok = this.#windowSum(b, CH_OK);
    const fail = this.#windowSum(b, CH_FAIL);
    const lost = this.#windowSum(b, CH_PROBE_LOST);
    const answered = this.#windowSum(b, CH_PROBE_OK);
    const reliability = ((ok + 1.0) / (ok + fail + 1.0)) * (1.0 - lost / (lost + answered + 1.0));
    return 100.0 * reliability * q;
  }
}

function ringIndex(x: number): number {
  const r = x % RING;
  return r < 0 ? r + RING : r;
}
