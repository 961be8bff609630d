/**
 * Network test over the Flare connection: round trips through a {@link NetworkProbe} (the SDK pings
 * the server, over WebTransport datagrams where available), summarised into RTT, jitter and loss and
 * graded into levels 1-6. Only real measurements: with no probe the result says `skipped`, never a
 * made-up figure (the seed's placeholder RTT of 100 ms and loss of 1 % are what this replaces).
 */
import type { NetworkQuality } from '../call/call-types.ts';
import { summarizeRoundTrips } from '../call/network-quality.ts';
import { realTimers, type Timers } from '../call/timers.ts';

/** One round trip to the server; resolves with the measured milliseconds, rejects when it was lost. */
export interface NetworkProbe {
  /** What carries the pings, for display: `webtransport-datagram`, `websocket`, ... */
  readonly kind?: string;
  ping(options?: { signal?: AbortSignal }): Promise<number>;
}

/** Options of {@link runNetworkTest}. */
export interface NetworkTestOptions {
  /** Pings to send (default 20). */
  samples?: number;
  /** Pause between pings (default 100 ms). */
  intervalMs?: number;
  /** A ping without a reply within this time counts as lost (default 2000 ms). */
  timeoutMs?: number;
  signal?: AbortSignal;
  timers?: Timers;
  /** Called after each sample (null = lost). */
  onSample?: (sample: { index: number; total: number; rttMs: number | null }) => void;
}

/** What the test found. */
export type NetworkTestResult =
  | { status: 'skipped'; reason: 'no-probe' }
  | { status: 'measured'; probe: string; quality: NetworkQuality; samples: Array<number | null> };

/** Runs the test; resolves `skipped` when `probe` is null. Aborting rejects with an AbortError. */
export async function runNetworkTest(probe: NetworkProbe | null | undefined, options: NetworkTestOptions = {}): Promise<NetworkTestResult> {
  if (!probe) return { status: 'skipped', reason: 'no-probe' };
  const total = options.samples ?? 20;
  const intervalMs = options.intervalMs ?? 100;
  const timeoutMs = options.timeoutMs ?? 2000;
  const timers = options.timers ?? realTimers;
  const samples: Array<number | null> = [];
  const aborted = () => new DOMException('network test aborted', 'AbortError');
  for (let index = 0; index < total; index++) {
    if (options.signal?.aborted) throw aborted();
    const rttMs = await pingOnce(probe, timeoutMs, timers, options.signal);
    if (options.signal?.aborted) throw aborted();
    samples.push(rttMs);
    options.onSample?.({ index, total, rttMs });
    if (index < total - 1 && intervalMs > 0) await new Promise<void>((resolve) => timers.setTimeout(resolve, intervalMs));
  }
  return { status: 'measured', probe: probe.kind ?? 'probe', quality: summarizeRoundTrips(samples)!, samples };
}

async function pingOnce(probe: NetworkProbe, timeoutMs: number, timers: Timers, outer?: AbortSignal): Promise<number | null> {
  const abort = new AbortController();
  const onOuterAbort = () => abort.abort();
  outer?.addEventListener('abort', onOuterAbort, { once: true });
  let timer: unknown = null;
  try {
    const timeout = new Promise<null>((resolve) => {
      timer = timers.setTimeout(() => {
        abort.abort();
        resolve(null);
      }, timeoutMs);
    });
    const reply = probe.ping({ signal: abort.signal }).then(
      (ms) => (Number.isFinite(ms) && ms >= 0 ? ms : null),
      () => null,
    );
    return await Promise.race([reply, timeout]);
  } finally {
    if (timer !== null) timers.clearTimeout(timer);
    outer?.removeEventListener('abort', onOuterAbort);
  }
}
