// Transport scoring: the WASM exports (re-exported by assembly/index.ts).
//
// A scorer is one block of WASM memory (layout.ts) holding SLOTS transport
// slots; the JS side creates it, configures it, feeds samples (one at a time or
// many per call as [kind, slot, value, now] quadruples of f64) and reads
// snapshots from `scorerOut(s)`. Times are milliseconds from any monotonic
// clock; RTTs are milliseconds. Invalid samples are refused, never thrown on.
import {
  BUCKETS, C_DWELL, C_HALF_LIFE, C_HOLD, C_JITTER_REF, C_LATENCY_REF, C_MARGIN, C_MARGIN_ABS, C_THROUGHPUT_REF,
  C_W_JITTER, C_W_LATENCY, C_W_THROUGHPUT, C_WINDOW, CH_FAIL, CH_OK, CH_PROBE_LOST, CH_PROBE_OK, G_LAST_SWITCH,
  K_BYTES, K_FAILURE, K_PROBE_LOST, K_PROBE_OK, K_RTT, K_SUCCESS, O_BYTES_KNOWN, O_EWMA, O_JITTER, O_LOSS, O_P50,
  O_P95, O_P99, O_SAMPLES, O_SCORE, O_SUCCESS, O_THROUGHPUT, O_WEIGHT, OUT, S_BYTES_KNOWN, S_RTTVAR, S_SAMPLES,
  S_SRTT, S_TOTAL, SCORER_SIZE, SLOT_SIZE, SLOTS,
} from "./layout";
import {
  clearBetter, decide, get, lossRate, percentile, put, recordBytes, recordCount, recordRtt, refresh, score,
  slotBase, successRate, throughput,
} from "./scorer";

const BAD_ARGUMENT: i32 = -7;

/** A new scorer (all slots empty), or 0 when memory is exhausted. Configure it before use. */
export function scorerCreate(): usize {
  const s = heap.alloc(SCORER_SIZE);
  if (s == 0) return 0;
  memory.fill(s, 0, SCORER_SIZE);
  put(s, G_LAST_SWITCH, -Infinity);
  clearBetter(s);
  return s;
}

export function scorerFree(s: usize): void {
  if (s != 0) heap.free(s);
}

/** Transport slots per scorer. */
export function scorerSlots(): i32 {
  return SLOTS;
}

/** Histogram buckets per slot (for documentation and tests). */
export function scorerBuckets(): i32 {
  return BUCKETS;
}

/**
 * Sets the formula's parameters and clears every slot. Refs, window and
 * half-life must be > 0, weights, margins and times >= 0, and latency plus
 * jitter weight > 0; otherwise nothing changes and BAD_ARGUMENT is returned.
 */
export function scorerConfigure(
  s: usize, latencyRef: f64, jitterRef: f64, throughputRef: f64, wLatency: f64, wJitter: f64, wThroughput: f64,
  margin: f64, marginAbs: f64, holdMs: f64, dwellMs: f64, windowMs: f64, halfLifeMs: f64,
): i32 {
  if (!(latencyRef > 0 && jitterRef > 0 && throughputRef > 0 && windowMs > 0 && halfLifeMs > 0)) return BAD_ARGUMENT;
  if (!(wLatency >= 0 && wJitter >= 0 && wThroughput >= 0 && wLatency + wJitter > 0)) return BAD_ARGUMENT;
  if (!(margin >= 0 && marginAbs >= 0 && holdMs >= 0 && dwellMs >= 0)) return BAD_ARGUMENT;
  // All are >= 0 here, so the sum is finite exactly when each one is.
  const sum = latencyRef + jitterRef + throughputRef + wLatency + wJitter + wThroughput + margin + marginAbs + holdMs + dwellMs + windowMs + halfLifeMs;
  if (!isFinite(sum)) return BAD_ARGUMENT;
  put(s, C_LATENCY_REF, latencyRef);
  put(s, C_JITTER_REF, jitterRef);
  put(s, C_THROUGHPUT_REF, throughputRef);
  put(s, C_W_LATENCY, wLatency);
  put(s, C_W_JITTER, wJitter);
  put(s, C_W_THROUGHPUT, wThroughput);
  put(s, C_MARGIN, margin);
  put(s, C_MARGIN_ABS, marginAbs);
  put(s, C_HOLD, holdMs);
  put(s, C_DWELL, dwellMs);
  put(s, C_WINDOW, windowMs);
  put(s, C_HALF_LIFE, halfLifeMs);
  for (let i = 0; i < SLOTS; i++) scorerReset(s, i);
  put(s, G_LAST_SWITCH, -Infinity);
  clearBetter(s);
  return 0;
}

/** Forgets everything about one slot (a new connection on that transport). */
export function scorerReset(s: usize, slot: i32): i32 {
  if (slot < 0 || slot >= SLOTS) return BAD_ARGUMENT;
  memory.fill(slotBase(s, slot), 0, SLOT_SIZE);
  return 0;
}

/**
 * Records one sample: `kind` 0 RTT (ms), 1 bytes, 2 successes, 3 failures,
 * 4 answered probes, 5 lost probes (counts). 0, or BAD_ARGUMENT for a bad
 * slot or kind, a negative or NaN value, or a time that is not finite.
 */
export function scorerRecord(s: usize, kind: i32, slot: i32, value: f64, now: f64): i32 {
  if (slot < 0 || slot >= SLOTS || !isFinite(now) || !(value >= 0)) return BAD_ARGUMENT;
  const b = slotBase(s, slot);
  if (kind == K_RTT) {
    recordRtt(s, b, value, now);
    return 0;
  }
  if (!isFinite(value)) return BAD_ARGUMENT;
  if (kind == K_BYTES) recordBytes(s, b, value, now);
  else if (kind == K_SUCCESS) recordCount(s, b, CH_OK, value, now);
  else if (kind == K_FAILURE) recordCount(s, b, CH_FAIL, value, now);
  else if (kind == K_PROBE_OK) recordCount(s, b, CH_PROBE_OK, value, now);
  else if (kind == K_PROBE_LOST) recordCount(s, b, CH_PROBE_LOST, value, now);
  else return BAD_ARGUMENT;
  return 0;
}

/**
 * Records `count` samples stored at `ptr` as f64 quadruples
 * [kind, slot, value, now]. Returns how many were refused (0: all taken).
 */
export function scorerIngest(s: usize, ptr: usize, count: i32): i32 {
  let refused = 0;
  for (let i = 0; i < count; i++) {
    const p = ptr + (<usize>i << 5);
    const kind = load<f64>(p);
    const slot = load<f64>(p, 8);
    // Kinds and slots are small integers; anything else is refused.
    if (!(kind >= 0 && kind <= 5 && slot >= 0 && slot < <f64>SLOTS) || kind != Math.floor(kind) || slot != Math.floor(slot)) {
      refused++;
      continue;
    }
    if (scorerRecord(s, <i32>kind, <i32>slot, load<f64>(p, 16), load<f64>(p, 24)) < 0) refused++;
  }
  return refused;
}

/** Where scorerSnapshot writes its fields (OUT_FIELDS f64s; see layout.ts O_*). */
export function scorerOut(s: usize): usize {
  return s + OUT;
}

/** Writes the slot's metrics at `now` to scorerOut(s). 0 or BAD_ARGUMENT. */
export function scorerSnapshot(s: usize, slot: i32, now: f64): i32 {
  if (slot < 0 || slot >= SLOTS || !isFinite(now)) return BAD_ARGUMENT;
  const b = slotBase(s, slot);
  refresh(s, b, now);
  const o = s + OUT;
  const samples = get(b, S_SAMPLES);
  put(o, <usize>O_P50 << 3, percentile(b, 0.5));
  put(o, <usize>O_P95 << 3, percentile(b, 0.95));
  put(o, <usize>O_P99 << 3, percentile(b, 0.99));
  put(o, <usize>O_EWMA << 3, samples > 0 ? get(b, S_SRTT) : NaN);
  put(o, <usize>O_JITTER << 3, samples > 0 ? get(b, S_RTTVAR) : NaN);
  put(o, <usize>O_THROUGHPUT << 3, throughput(s, b, now));
  put(o, <usize>O_SUCCESS << 3, successRate(b));
  put(o, <usize>O_LOSS << 3, lossRate(b));
  put(o, <usize>O_SCORE << 3, score(s, b, now, get(b, S_BYTES_KNOWN) != 0));
  put(o, <usize>O_SAMPLES << 3, samples);
  put(o, <usize>O_WEIGHT << 3, get(b, S_TOTAL));
  put(o, <usize>O_BYTES_KNOWN << 3, get(b, S_BYTES_KNOWN));
  return 0;
}

/**
 * Whether to move from `current` to `candidate` at `now`: 1 switch, 0 keep,
 * 2 keep for now (the candidate is clearly better but not yet for `holdMs`,
 * or the last switch was under `dwellMs` ago). BAD_ARGUMENT for bad slots.
 */
export function scorerDecide(s: usize, current: i32, candidate: i32, now: f64): i32 {
  if (current < 0 || current >= SLOTS || candidate < 0 || candidate >= SLOTS || !isFinite(now)) return BAD_ARGUMENT;
  if (current == candidate) return 0;
  return decide(s, current, candidate, now);
}
