/**
 * Reads one peer connection's `getStats()` report into RTT, loss and jitter (graded) plus decoded
 * frames. Loss is computed over the interval since the previous reading (counter deltas), so a burst
 * of loss shows up and then clears instead of being diluted by the whole call.
 */
import { gradeNetworkQuality } from './network-quality.ts';
import type { ParticipantStats } from './rtc-engine.ts';

/** Cumulative counters kept between readings. */
export interface InboundCounters {
  packetsLost: number;
  packetsReceived: number;
}

interface StatsLike {
  type: string;
  [key: string]: unknown;
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/**
 * Extracts the figures for `participantId` from `report`. `previous` is the counters returned by the
 * last call for the same connection (omit on the first reading).
 */
export function readPeerStats(
  participantId: string,
  report: RTCStatsReport,
  previous?: InboundCounters,
): { stats: ParticipantStats; counters: InboundCounters } {
  const all: StatsLike[] = [];
  report.forEach((s: StatsLike) => all.push(s));
  const byId = new Map(all.map((s) => [s.id as string, s]));

  // RTT of the selected ICE candidate pair (STUN consent checks measure it continuously).
  let rttMs: number | null = null;
  const transport = all.find((s) => s.type === 'transport' && typeof s.selectedCandidatePairId === 'string');
  const pair =
    (transport && byId.get(transport.selectedCandidatePairId as string)) ??
    all.find((s) => s.type === 'candidate-pair' && s.nominated === true && s.state === 'succeeded');
  const pairRtt = pair ? num(pair.currentRoundTripTime) : null;
  if (pairRtt !== null) rttMs = pairRtt * 1000;
  if (rttMs === null) {
    // Fall back to RTCP round trips reported by the remote side.
    const rtcp = all.filter((s) => s.type === 'remote-inbound-rtp').map((s) => num(s.roundTripTime)).filter((v) => v !== null);
    if (rtcp.length) rttMs = (Math.max(...rtcp) as number) * 1000;
  }

  let packetsLost = 0;
  let packetsReceived = 0;
  let framesDecoded = 0;
  let bytesReceived = 0;
  let audioJitter: number | null = null;
  let videoJitter: number | null = null;
  for (const s of all) {
    if (s.type !== 'inbound-rtp') continue;
    packetsLost += Math.max(0, num(s.packetsLost) ?? 0);
    packetsReceived += num(s.packetsReceived) ?? 0;
    bytesReceived += num(s.bytesReceived) ?? 0;
    framesDecoded += num(s.framesDecoded) ?? 0;
    const jitter = num(s.jitter);
    if (jitter !== null && s.kind === 'audio') audioJitter = Math.max(audioJitter ?? 0, jitter);
    if (jitter !== null && s.kind === 'video') videoJitter = Math.max(videoJitter ?? 0, jitter);
  }
  const lostDelta = packetsLost - (previous?.packetsLost ?? 0);
  const receivedDelta = packetsReceived - (previous?.packetsReceived ?? 0);
  const expected = lostDelta + receivedDelta;
  const packetLoss = expected > 0 ? Math.max(0, lostDelta) / expected : 0;
  // Audio jitter is what a listener hears; video jitter is used when there is no audio.
  const jitterSeconds = audioJitter ?? videoJitter;
  const jitterMs = jitterSeconds === null ? null : jitterSeconds * 1000;
  const level = gradeNetworkQuality({ rttMs: rttMs ?? undefined, packetLoss, jitterMs: jitterMs ?? undefined });
  return {
    stats: { participantId, rttMs, jitterMs, packetLoss, level, framesDecoded, bytesReceived },
    counters: { packetsLost, packetsReceived },
  };
}
