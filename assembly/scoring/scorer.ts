// Transport metrics and scoring (docs/SCORING.md): per slot a log-bucketed
// latency histogram with exponential decay, RFC 6298 EWMAs of RTT and of its
// deviation, sliding windows of bytes, successes, failures and probes, and a
// bounded score. src/codec/scoring-js.ts is the line-for-line JavaScript twin:
// keep the arithmetic in the same order in both, so they agree bit for bit.
import {
  BETTER_SINCE, BUCKETS, C_DWELL, C_HALF_LIFE, C_HOLD, C_JITTER_REF, C_LATENCY_REF, C_MARGIN, C_MARGIN_ABS,
  C_THROUGHPUT_REF, C_W_JITTER, C_W_LATENCY, C_W_THROUGHPUT, C_WINDOW, CH_BYTES, CH_FAIL, CH_OK, CH_PROBE_LOST,
  CH_PROBE_OK, CHANNELS, G_LAST_SWITCH, RING, S_BYTES_KNOWN, S_EPOCH, S_FIRST_BYTES, S_HEAD, S_HIST, S_RING,
  S_RING_ON, S_RTTVAR, S_SAMPLES, S_SRTT, S_TOTAL, SLOT_BASE, SLOT_SIZE, SLOTS, SUB_BITS,
} from "./layout";

/** RTTs are clamped here: 2^32 µs, about 71.6 minutes, the histogram's last bucket. */
export const MAX_RTT_MS: f64 = 4294967.296;
const MAX_US: f64 = 4294967296.0;

// @ts-ignore: decorator
@inline export function get(p: usize, off: usize): f64 {
  return load<f64>(p + off);
}
// @ts-ignore: decorator
@inline export function put(p: usize, off: usize, v: f64): void {
  store<f64>(p + off, v);
}

export function slotBase(s: usize, slot: i32): usize {
  return s + SLOT_BASE + <usize>slot * SLOT_SIZE;
}

/** Histogram bucket of a value in µs: 0 below 1 µs, then 16 per octave, last at 2^32 µs and up. */
export function bucketOf(us: f64): i32 {
  if (!(us >= 1.0)) return 0;
  if (us >= MAX_US) return BUCKETS - 1;
  const bits = reinterpret<u64>(us);
  const e = <i32>(bits >> 52) - 1023;
  const sub = <i32>(bits >> (52 - SUB_BITS)) & ((1 << SUB_BITS) - 1);
  return 1 + (e << SUB_BITS) + sub;
}

/** The value (µs) a bucket stands for: the middle of its range (within 1/32 of any member). */
export function bucketValue(i: i32): f64 {
  if (i == 0) return 0.0;
  if (i >= BUCKETS - 1) return MAX_US;
  const j = i - 1;
  const e = j >> SUB_BITS;
  const sub = j & ((1 << SUB_BITS) - 1);
  return <f64>(<u64>1 << e) * (1.0 + (<f64>sub + 0.5) / <f64>(1 << SUB_BITS));
}

/** Halves the histogram once per elapsed half-life (exact in binary floating point). */
function decay(s: usize, b: usize, now: f64): void {
  const half = get(s, C_HALF_LIFE);
  const epoch = get(b, S_EPOCH);
  if (!(now - epoch >= half)) return;
  const k = Math.floor((now - epoch) / half);
  put(b, S_EPOCH, epoch + k * half);
  const h = b + S_HIST;
  if (k >= 64) {
    memory.fill(h, 0, <usize>(BUCKETS * 8));
    put(b, S_TOTAL, 0.0);
    return;
  }
  let f = 1.0;
  for (let i = 0; i < <i32>k; i++) f *= 0.5;
  for (let i = 0; i < BUCKETS; i++) {
    const p = h + (<usize>i << 3);
    store<f64>(p, load<f64>(p) * f);
  }
  put(b, S_TOTAL, get(b, S_TOTAL) * f);
}

function ringIndex(x: f64): i32 {
  const r = x % <f64>RING;
  return <i32>(r < 0 ? r + <f64>RING : r);
}

/** Moves the sliding windows to `now`, clearing the sub-windows that passed. */
function advance(s: usize, b: usize, now: f64): void {
  const width = get(s, C_WINDOW) / <f64>RING;
  const idx = Math.floor(now / width);
  const ring = b + S_RING;
  if (get(b, S_RING_ON) == 0) {
    memory.fill(ring, 0, <usize>(CHANNELS * RING * 8));
    put(b, S_HEAD, idx);
    put(b, S_RING_ON, 1.0);
    return;
  }
  const head = get(b, S_HEAD);
  if (!(idx > head)) return;
  const steps = idx - head;
  if (steps >= <f64>RING) {
    memory.fill(ring, 0, <usize>(CHANNELS * RING * 8));
  } else {
    for (let i = 1; i <= <i32>steps; i++) {
      const r = ringIndex(head + <f64>i);
      for (let c = 0; c < CHANNELS; c++) store<f64>(ring + (<usize>(c * RING + r) << 3), 0.0);
    }
  }
  put(b, S_HEAD, idx);
}

function windowAdd(s: usize, b: usize, ch: i32, v: f64, now: f64): void {
  advance(s, b, now);
  const p = b + S_RING + (<usize>(ch * RING + ringIndex(get(b, S_HEAD))) << 3);
  store<f64>(p, load<f64>(p) + v);
}

function windowSum(b: usize, ch: i32): f64 {
  const p = b + S_RING + (<usize>(ch * RING) << 3);
  let sum = 0.0;
  for (let i = 0; i < RING; i++) sum += load<f64>(p + (<usize>i << 3));
  return sum;
}

/** Brings a slot's decaying and sliding state to `now`. */
export function refresh(s: usize, b: usize, now: f64): void {
  if (get(b, S_SAMPLES) > 0) decay(s, b, now);
  if (get(b, S_RING_ON) != 0) advance(s, b, now);
}

export function recordRtt(s: usize, b: usize, ms: f64, now: f64): void {
  const v = ms > MAX_RTT_MS ? MAX_RTT_MS : ms;
  if (get(b, S_SAMPLES) == 0) {
    put(b, S_EPOCH, now);
    put(b, S_SRTT, v);
    put(b, S_RTTVAR, v / 2.0);
  } else {
    decay(s, b, now);
    const srtt = get(b, S_SRTT);
    const err = v - srtt;
    const rttvar = get(b, S_RTTVAR);
    put(b, S_RTTVAR, rttvar + 0.25 * (Math.abs(err) - rttvar));
    put(b, S_SRTT, srtt + 0.125 * err);
  }
  put(b, S_SAMPLES, get(b, S_SAMPLES) + 1.0);
  const p = b + S_HIST + (<usize>bucketOf(v * 1000.0) << 3);
  store<f64>(p, load<f64>(p) + 1.0);
  put(b, S_TOTAL, get(b, S_TOTAL) + 1.0);
}

export function recordBytes(s: usize, b: usize, n: f64, now: f64): void {
  if (get(b, S_BYTES_KNOWN) == 0) {
    put(b, S_BYTES_KNOWN, 1.0);
    put(b, S_FIRST_BYTES, now);
  }
  windowAdd(s, b, CH_BYTES, n, now);
}

export function recordCount(s: usize, b: usize, ch: i32, n: f64, now: f64): void {
  windowAdd(s, b, ch, n, now);
}

/** Nearest-rank percentile (0 < p <= 1) in ms from the histogram; NaN without samples. */
export function percentile(b: usize, p: f64): f64 {
  const total = get(b, S_TOTAL);
  if (!(total > 0)) return NaN;
  const rank = p * total - total * 1e-9;
  const h = b + S_HIST;
  let cum = 0.0;
  let last = 0;
  for (let i = 0; i < BUCKETS; i++) {
    const c = load<f64>(h + (<usize>i << 3));
    if (c > 0) {
      cum += c;
      last = i;
      if (cum >= rank) return bucketValue(i) / 1000.0;
    }
  }
  return bucketValue(last) / 1000.0;
}

/** Bytes per second over the window (0 when none were recorded); call after refresh. */
export function throughput(s: usize, b: usize, now: f64): f64 {
  if (get(b, S_BYTES_KNOWN) == 0) return 0.0;
  const width = get(s, C_WINDOW) / <f64>RING;
  let span = <f64>(RING - 1) * width + (now - get(b, S_HEAD) * width);
  const since = now - get(b, S_FIRST_BYTES);
  if (since < span) span = since;
  if (span < width) span = width;
  return (windowSum(b, CH_BYTES) * 1000.0) / span;
}

export function successRate(b: usize): f64 {
  const ok = windowSum(b, CH_OK);
  const all = ok + windowSum(b, CH_FAIL);
  return all > 0 ? ok / all : 1.0;
}

export function lossRate(b: usize): f64 {
  const lost = windowSum(b, CH_PROBE_LOST);
  const all = lost + windowSum(b, CH_PROBE_OK);
  return all > 0 ? lost / all : 0.0;
}

/**
 * The score in [0, 100] (docs/SCORING.md): 100 x reliability x quality, where
 * quality is a weighted mean of saturating terms for latency, jitter and (when
 * `withThroughput`) throughput. 0 without an RTT sample. Call after refresh.
 */
export function score(s: usize, b: usize, now: f64, withThroughput: bool): f64 {
  if (get(b, S_SAMPLES) == 0) return 0.0;
  const lref = get(s, C_LATENCY_REF);
  const jref = get(s, C_JITTER_REF);
  const wl = get(s, C_W_LATENCY);
  const wj = get(s, C_W_JITTER);
  let q = wl * (lref / (lref + get(b, S_SRTT))) + wj * (jref / (jref + get(b, S_RTTVAR)));
  let w = wl + wj;
  if (withThroughput) {
    const t = throughput(s, b, now);
    const wt = get(s, C_W_THROUGHPUT);
    q += wt * (t / (t + get(s, C_THROUGHPUT_REF)));
    w += wt;
  }
  q = q / w;
  const ok = windowSum(b, CH_OK);
  const fail = windowSum(b, CH_FAIL);
  const lost = windowSum(b, CH_PROBE_LOST);
  const answered = windowSum(b, CH_PROBE_OK);
  const reliability = ((ok + 1.0) / (ok + fail + 1.0)) * (1.0 - lost / (lost + answered + 1.0));
  return 100.0 * reliability * q;
}

/** 0 keep, 1 switch, 2 candidate clearly better but not yet for long enough. */
export function decide(s: usize, current: i32, candidate: i32, now: f64): i32 {
  const bc = slotBase(s, current);
  const bd = slotBase(s, candidate);
  refresh(s, bc, now);
  refresh(s, bd, now);
  const both = get(bc, S_BYTES_KNOWN) != 0 && get(bd, S_BYTES_KNOWN) != 0;
  const sc = score(s, bc, now, both);
  const sd = score(s, bd, now, both);
  const key = BETTER_SINCE + (<usize>(current * SLOTS + candidate) << 3);
  if (!(sd > 0 && sd >= sc * (1.0 + get(s, C_MARGIN)) + get(s, C_MARGIN_ABS))) {
    put(s, key, -Infinity);
    return 0;
  }
  let since = get(s, key);
  if (since == -Infinity) {
    since = now;
    put(s, key, now);
  }
  if (now - since >= get(s, C_HOLD) && now - get(s, G_LAST_SWITCH) >= get(s, C_DWELL)) {
    put(s, G_LAST_SWITCH, now);
    clearBetter(s);
    return 1;
  }
  return 2;
}

export function clearBetter(s: usize): void {
  for (let i = 0; i < SLOTS * SLOTS; i++) put(s, BETTER_SINCE + (<usize>i << 3), -Infinity);
}
