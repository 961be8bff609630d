/**
 * Grades round-trip time, packet loss and jitter into the seed's network quality levels 1-6.
 *
 * Each metric is graded on its own and the worst grade wins:
 *
 * | level | meaning   | RTT (ms) | loss       | jitter (ms) |
 * | ----- | --------- | -------- | ---------- | ----------- |
 * | 1     | excellent | <= 100   | < 1 %      | <= 10       |
 * | 2     | good      | <= 200   | < 3 %      | <= 30       |
 * | 3     | poor      | <= 300   | < 7 %      | <= 50       |
 * | 4     | bad       | <= 600   | < 15 %     | <= 100      |
 * | 5     | very bad  | above    | < 50 %     | above       |
 * | 6     | down      | no reply | >= 50 %    |             |
 *
 * Why these numbers: ITU-T G.114 puts the comfortable limit for interactive voice at 150 ms one way
 * (300 ms round trip), which is where level 3 ends; audio codecs with FEC (Opus) hide about 1-3 % loss,
 * video starts to freeze visibly beyond about 5-7 %; jitter buffers of 30-50 ms absorb the jitter of
 * levels 1-3. The seed's own coarse verdict (`excellent` below 100 ms and 1 %, `good` below 300 ms and
 * 5 %) maps onto levels 1 and 2-3, see {@link scoreOfLevel}.
 */
import { NetworkQualityLevel, NetworkQualityScore, type NetworkQuality } from './call-types.ts';

/** Upper bounds (inclusive for RTT and jitter, exclusive for loss) of levels 1-4. */
export const QUALITY_THRESHOLDS = {
  rttMs: [100, 200, 300, 600],
  packetLoss: [0.01, 0.03, 0.07, 0.15],
  jitterMs: [10, 30, 50, 100],
  /** Loss at or above this is level 6 (down). */
  downLoss: 0.5,
} as const;

/** The figures to grade; missing ones do not count against the grade. */
export interface QualityInput {
  rttMs?: number | null;
  packetLoss?: number | null;
  jitterMs?: number | null;
}

function gradeAtMost(value: number, bounds: readonly number[], inclusive: boolean): NetworkQualityLevel {
  for (let i = 0; i < bounds.length; i++) {
    if (inclusive ? value <= bounds[i]! : value < bounds[i]!) return (i + 1) as NetworkQualityLevel;
  }
  return NetworkQualityLevel.VeryBad;
}

/**
 * Grades one measurement. `rttMs: null` means no reply came back at all, which is level 6 (down);
 * an absent (`undefined`) figure is simply not graded.
 */
export function gradeNetworkQuality(input: QualityInput): NetworkQualityLevel {
  if (input.rttMs === null) return NetworkQualityLevel.Down;
  let level: number = NetworkQualityLevel.Excellent;
  if (input.packetLoss != null && Number.isFinite(input.packetLoss)) {
    if (input.packetLoss >= QUALITY_THRESHOLDS.downLoss) return NetworkQualityLevel.Down;
    level = Math.max(level, gradeAtMost(input.packetLoss, QUALITY_THRESHOLDS.packetLoss, false));
  }
  if (input.rttMs != null && Number.isFinite(input.rttMs)) {
    level = Math.max(level, gradeAtMost(input.rttMs, QUALITY_THRESHOLDS.rttMs, true));
  }
  if (input.jitterMs != null && Number.isFinite(input.jitterMs)) {
    level = Math.max(level, gradeAtMost(input.jitterMs, QUALITY_THRESHOLDS.jitterMs, true));
  }
  return level as NetworkQualityLevel;
}

/** The seed's coarse verdict for a level: 1 excellent, 2-3 good, 4-6 poor. */
export function scoreOfLevel(level: NetworkQualityLevel): NetworkQualityScore {
  if (level <= NetworkQualityLevel.Excellent) return NetworkQualityScore.Excellent;
  if (level <= NetworkQualityLevel.Poor) return NetworkQualityScore.Good;
  return NetworkQualityScore.Poor;
}

/**
 * Summarises a series of round-trip samples (`null` = no reply, i.e. lost) into a graded
 * {@link NetworkQuality}: RTT is the median of the replies, jitter the mean absolute difference of
 * successive replies (the interarrival-variation idea of RFC 3550, unsmoothed for a short test),
 * loss the fraction of samples without a reply. Returns null for an empty series.
 */
export function summarizeRoundTrips(samples: ReadonlyArray<number | null>): NetworkQuality | null {
  if (samples.length === 0) return null;
  const replies = samples.filter((s): s is number => s !== null && Number.isFinite(s));
  const packetLoss = (samples.length - replies.length) / samples.length;
  if (replies.length === 0) {
    return { rttMs: null, jitterMs: null, packetLoss, level: NetworkQualityLevel.Down };
  }
  const sorted = [...replies].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const rttMs = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  let jitterMs = 0;
  for (let i = 1; i < replies.length; i++) jitterMs += Math.abs(replies[i]! - replies[i - 1]!);
  jitterMs = replies.length > 1 ? jitterMs / (replies.length - 1) : 0;
  return { rttMs, jitterMs, packetLoss, level: gradeNetworkQuality({ rttMs, jitterMs, packetLoss }) };
}
