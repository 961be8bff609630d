/**
 * The heartbeat of one link (heartbeat.ts), wired to what it feeds: PINGs go
 * out on the link, every PONG's round trip goes to scoring and to the
 * clock-offset estimate, and a link that stopped answering is reported.
 * The first PING goes out as soon as the link is up.
 */
import { SystemType } from '../codec/frame-types.ts';
import { systemFrame } from '../codec/frames.ts';
import type { Clock } from './clock.ts';
import type { ClockOffsetEstimator } from './clock-offset.ts';
import { Heartbeat } from './heartbeat.ts';
import type { Link } from './link.ts';
import type { ResolvedOptions } from './options.ts';
import type { Scorer } from './scorer.ts';

/** What a link's heartbeat needs. */
export interface LinkHeartbeatDeps {
  clock: Clock;
  options: Pick<ResolvedOptions, 'heartbeatIntervalMs' | 'heartbeatTimeoutMs' | 'heartbeatPongTimeoutMs'>;
  newId(now: number): string;
  scorer: Scorer;
  offset: ClockOffsetEstimator;
  /** The link stopped answering (`reason` is for the state change). */
  dead(link: Link, reason: string): void;
  /** A round trip was measured on the link. */
  rtt(rttMs: number, clockOffsetMs: number | null): void;
}

/** Starts the PING/PONG loop of `link`; stop it when the link is dropped. */
export function startLinkHeartbeat(link: Link, d: LinkHeartbeatDeps): Heartbeat {
  const heartbeat = new Heartbeat({
    clock: d.clock,
    intervalMs: d.options.heartbeatIntervalMs,
    timeoutMs: d.options.heartbeatTimeoutMs,
    pongTimeoutMs: d.options.heartbeatPongTimeoutMs,
    sendPing: () => {
      const id = d.newId(d.clock.wallNow());
      try {
        link.send([systemFrame(SystemType.PING, {}, { messageId: id })]);
        return id;
      } catch {
        return null;
      }
    },
    onDead: ({ reason, silentMs }) => {
      d.scorer.probe(link.kind, false);
      d.dead(link, `${reason} after ${Math.round(silentMs)} ms of silence`);
    },
    onRtt: ({ rttMs, sentWall, serverWall }) => {
      d.scorer.rtt(link.kind, rttMs);
      d.scorer.probe(link.kind, true);
      d.offset.add(sentWall, rttMs, serverWall, d.clock.now());
      d.rtt(rttMs, d.offset.estimate?.offsetMs ?? null);
    },
  });
  heartbeat.start();
  // One PING at once: RTT and the clock offset are known right after connecting, not a heartbeat interval later.
  heartbeat.pingNow();
  return heartbeat;
}
