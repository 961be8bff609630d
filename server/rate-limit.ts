/**
 * A token bucket: `rate` tokens per second, at most `burst` held. Refilled
 * lazily from an injectable monotonic clock, so it costs nothing while idle.
 */
export class TokenBucket {
  #tokens: number;
  #last: number;

  constructor(
    readonly rate: number,
    readonly burst: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.#tokens = burst;
    this.#last = now();
  }

  /** Takes one token; false when the bucket is empty (the caller refuses the work). Rate 0: unlimited. */
  take(): boolean {
    if (this.rate <= 0) return true;
    const t = this.now();
    this.#tokens = Math.min(this.burst, this.#tokens + ((t - this.#last) / 1000) * this.rate);
    this.#last = t;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}
