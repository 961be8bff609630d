/**
 * When to try again after the connection is lost: a pure, injectable policy.
 *
 * The default is exponential backoff with full jitter (AWS's "full jitter":
 * a uniformly random delay between 0 and the exponential bound), with the
 * video-call seed's numbers: 1 s initial bound, doubling, 30 s cap. Full
 * jitter spreads a crowd of clients that lost the same server over the whole
 * window instead of bunching them at the same instants.
 *
 * The session asks `nextRetryDelayInMs(ctx)` before each attempt; `null`
 * means give up (the session then goes to Failed).
 */

/** What the session knows when it asks for the next delay. */
export interface ReconnectContext {
  /** Attempts already made since the connection was lost (0 before the first retry). */
  readonly retryCount: number;
  /** Milliseconds since the connection was lost. */
  readonly elapsedMs: number;
  /**
   * Milliseconds the server asked us to wait from now (a CLOSE with
   * `retry_after_ms` at shutdown), already reduced by the time that passed;
   * undefined when the server suggested nothing.
   */
  readonly serverRetryAfterMs?: number;
  /** True when this question follows the browser's `online` event. */
  readonly networkRestored?: boolean;
  /** Why the last attempt failed (or why the connection was lost). */
  readonly lastError?: unknown;
}

/** Decides the delay before the next reconnect attempt. */
export interface ReconnectPolicy {
  /** Milliseconds to wait before the next attempt, or null to stop retrying. */
  nextRetryDelayInMs(ctx: ReconnectContext): number | null;
}

/** Options of the default policy; every field has a default. */
export interface BackoffOptions {
  /** Bound of the first delay (default 1000 ms). */
  initialDelayMs?: number;
  /** Growth of the bound per attempt (default 2). */
  multiplier?: number;
  /** Largest bound (default 30000 ms). */
  maxDelayMs?: number;
  /** Attempts before giving up (default Infinity: never give up). */
  maxAttempts?: number;
  /** Give up after this long without a connection (default Infinity). */
  maxElapsedMs?: number;
  /** Uniform random in [0, 1) (default Math.random); injected by tests. */
  random?: () => number;
}

/** Default values of `BackoffOptions`. */
export const BACKOFF_DEFAULTS = {
  initialDelayMs: 1000,
  multiplier: 2,
  maxDelayMs: 30_000,
  maxAttempts: Infinity,
  maxElapsedMs: Infinity,
} as const;

/** Exponential backoff with full jitter, a server-suggested floor and instant retry on `online`. */
export class BackoffReconnectPolicy implements ReconnectPolicy {
  readonly initialDelayMs: number;
  readonly multiplier: number;
  readonly maxDelayMs: number;
  readonly maxAttempts: number;
  readonly maxElapsedMs: number;
  readonly #random: () => number;

  constructor(options: BackoffOptions = {}) {
    this.initialDelayMs = options.initialDelayMs ?? BACKOFF_DEFAULTS.initialDelayMs;
    this.multiplier = options.multiplier ?? BACKOFF_DEFAULTS.multiplier;
    this.maxDelayMs = options.maxDelayMs ?? BACKOFF_DEFAULTS.maxDelayMs;
    this.maxAttempts = options.maxAttempts ?? BACKOFF_DEFAULTS.maxAttempts;
    this.maxElapsedMs = options.maxElapsedMs ?? BACKOFF_DEFAULTS.maxElapsedMs;
    this.#random = options.random ?? Math.random;
    if (!(this.initialDelayMs >= 0) || !(this.multiplier >= 1) || !(this.maxDelayMs >= this.initialDelayMs)) {
      throw new RangeError('backoff: need initialDelayMs >= 0, multiplier >= 1, maxDelayMs >= initialDelayMs');
    }
    if (!(this.maxAttempts >= 0) || !(this.maxElapsedMs >= 0)) {
      throw new RangeError('backoff: maxAttempts and maxElapsedMs must be >= 0');
    }
  }

  /** The upper bound of the jittered delay for attempt `retryCount` (no jitter). */
  boundFor(retryCount: number): number {
    // Exponent capped so a long outage cannot overflow to Infinity * 0 = NaN.
    const exp = Math.min(retryCount, 64);
    return Math.min(this.maxDelayMs, this.initialDelayMs * this.multiplier ** exp);
  }

  nextRetryDelayInMs(ctx: ReconnectContext): number | null {
    if (ctx.retryCount >= this.maxAttempts || ctx.elapsedMs >= this.maxElapsedMs) return null;
    const serverFloor = Math.max(0, ctx.serverRetryAfterMs ?? 0);
    // The network just came back: the wait was for the network, not for the server.
    if (ctx.networkRestored) return serverFloor;
    const jittered = Math.floor(this.#random() * this.boundFor(ctx.retryCount));
    // Never earlier than the server asked; jitter on top so its clients do not return in one burst.
    return serverFloor > 0 ? serverFloor + Math.floor(this.#random() * this.initialDelayMs) : jittered;
  }
}

/** A policy that never retries (autoReconnect: false). */
export const NEVER_RECONNECT: ReconnectPolicy = { nextRetryDelayInMs: () => null };
