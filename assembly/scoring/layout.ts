// Memory layout of one scorer (a block of f64s from `alloc`). The JavaScript
// twin (src/codec/scoring-js.ts) keeps the same layout in a Float64Array, so
// both read alike; every offset here is in bytes and a multiple of 8.

/** Transport slots per scorer. */
export const SLOTS: i32 = 8;
/** Sub-buckets per octave of the latency histogram (relative width 1/16). */
export const SUB_BITS: i32 = 4;
/** Octaves from 1 µs: the last bucket starts at 2^32 µs, about 71.6 minutes. */
export const OCTAVES: i32 = 32;
/** Bucket 0 holds < 1 µs, then OCTAVES << SUB_BITS log buckets, then one overflow bucket. */
export const BUCKETS: i32 = (OCTAVES << SUB_BITS) + 2;
/** Sub-windows of the sliding windows (bytes, successes, failures, probes). */
export const RING: i32 = 16;
/** Channels of the sliding windows. */
export const CH_BYTES: i32 = 0;
export const CH_OK: i32 = 1;
export const CH_FAIL: i32 = 2;
export const CH_PROBE_OK: i32 = 3;
export const CH_PROBE_LOST: i32 = 4;
export const CHANNELS: i32 = 5;

// Configuration (set by scorerConfigure).
export const C_LATENCY_REF: usize = 0;
export const C_JITTER_REF: usize = 8;
export const C_THROUGHPUT_REF: usize = 16;
export const C_W_LATENCY: usize = 24;
export const C_W_JITTER: usize = 32;
export const C_W_THROUGHPUT: usize = 40;
export const C_MARGIN: usize = 48;
export const C_MARGIN_ABS: usize = 56;
export const C_HOLD: usize = 64;
export const C_DWELL: usize = 72;
export const C_WINDOW: usize = 80;
export const C_HALF_LIFE: usize = 88;
export const CONFIG_FIELDS: i32 = 12;

// Scorer-wide state.
export const G_LAST_SWITCH: usize = 128; // time of the last "switch" (-Infinity: never)
export const OUT: usize = 192; // snapshot output, OUT_FIELDS f64s
export const OUT_FIELDS: i32 = 12;
export const BETTER_SINCE: usize = 320; // SLOTS x SLOTS f64: since when candidate beats current (-Infinity: not)
export const SLOT_BASE: usize = BETTER_SINCE + <usize>(SLOTS * SLOTS * 8);

// Per slot, from its base.
export const S_SAMPLES: usize = 0; // RTT samples ever recorded
export const S_SRTT: usize = 8; // EWMA of RTT, ms
export const S_RTTVAR: usize = 16; // EWMA of |RTT - SRTT|, ms (jitter)
export const S_TOTAL: usize = 24; // histogram weight (decayed)
export const S_EPOCH: usize = 32; // start of the current half-life period
export const S_HEAD: usize = 40; // absolute index of the newest sub-window
export const S_RING_ON: usize = 48; // 1 once a window sample arrived
export const S_FIRST_BYTES: usize = 56; // time of the first byte sample
export const S_BYTES_KNOWN: usize = 64; // 1 once recordBytes was called
export const S_RING: usize = 128; // CHANNELS x RING f64
export const S_HIST: usize = S_RING + <usize>(CHANNELS * RING * 8);
export const SLOT_SIZE: usize = S_HIST + <usize>(BUCKETS * 8);
export const SCORER_SIZE: usize = SLOT_BASE + <usize>SLOTS * SLOT_SIZE;

// Snapshot fields (OUT + 8 * index).
export const O_P50 = 0;
export const O_P95 = 1;
export const O_P99 = 2;
export const O_EWMA = 3;
export const O_JITTER = 4;
export const O_THROUGHPUT = 5;
export const O_SUCCESS = 6;
export const O_LOSS = 7;
export const O_SCORE = 8;
export const O_SAMPLES = 9;
export const O_WEIGHT = 10;
export const O_BYTES_KNOWN = 11;

// Sample kinds of scorerRecord / scorerIngest.
export const K_RTT = 0;
export const K_BYTES = 1;
export const K_SUCCESS = 2;
export const K_FAILURE = 3;
export const K_PROBE_OK = 4;
export const K_PROBE_LOST = 5;
