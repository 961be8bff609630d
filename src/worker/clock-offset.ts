/**
 * NTP-style estimate of the server clock's offset from ours, from PING/PONG
 * exchanges.
 *
 * A PONG carries the server's wall time in `Frame.timestamp`. If the request
 * and the reply took equal time, the server read its clock at the midpoint of
 * our send and receive, so `offset = serverTime - (sentWall + rtt / 2)` with
 * an error of at most `rtt / 2`. Queues make paths asymmetric, and the
 * asymmetry is smallest on the fastest exchange, so the estimate is the
 * offset of the sample with the lowest RTT among the last few (the min-RTT
 * filter of NTP's clock filter algorithm).
 */

/** One PING/PONG exchange. */
export interface OffsetSample {
  /** Round-trip time measured on the monotonic clock (ms). */
  readonly rttMs: number;
  /** server time - our time at the midpoint (ms). */
  readonly offsetMs: number;
  /** Monotonic time the sample was taken. */
  readonly at: number;
}

/** The current estimate. */
export interface OffsetEstimate {
  /** Add to `Date.now()` to get the server's time (ms). */
  readonly offsetMs: number;
  /** Maximum error of `offsetMs`: half the RTT of the chosen sample (ms). */
  readonly errorMs: number;
  /** Samples the estimate was chosen from. */
  readonly samples: number;
}

/** Keeps the last `window` samples and answers with the min-RTT one. */
export class ClockOffsetEstimator {
  readonly #window: number;
  readonly #samples: OffsetSample[] = [];

  /** @param window how many recent samples to choose from (default 8, as NTP). */
  constructor(window = 8) {
    if (!(window >= 1)) throw new RangeError('clock offset window must be >= 1');
    this.#window = window;
  }

  /**
   * Adds one exchange: `sentWall` is our wall time at send, `rttMs` the
   * monotonic round trip, `serverWall` the server's timestamp in the reply.
   * Returns the sample, or null when the inputs are unusable (negative RTT,
   * missing server time).
   */
  add(sentWall: number, rttMs: number, serverWall: number, at: number): OffsetSample | null {
    if (!(rttMs >= 0) || !Number.isFinite(serverWall) || serverWall <= 0 || !Number.isFinite(sentWall)) return null;
    const sample: OffsetSample = { rttMs, offsetMs: serverWall - (sentWall + rttMs / 2), at };
    this.#samples.push(sample);
    if (this.#samples.length > this.#window) this.#samples.shift();
    return sample;
  }

  /** The estimate from the lowest-RTT recent sample, or null before any sample. */
  get estimate(): OffsetEstimate | null {
    let best: OffsetSample | undefined;
    for (const s of this.#samples) if (!best || s.rttMs < best.rttMs) best = s;
    if (!best) return null;
    return { offsetMs: best.offsetMs, errorMs: best.rttMs / 2, samples: this.#samples.length };
  }

  /** Forgets every sample (a new server or a new path makes them meaningless). */
  reset(): void {
    this.#samples.length = 0;
  }
}
