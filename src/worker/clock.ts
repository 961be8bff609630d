/**
 * Time as the worker sees it, injected everywhere so that policies and tests
 * never depend on real time.
 *
 * Two clocks on purpose: `now()` is monotonic (performance.now) and measures
 * intervals; `wallNow()` is Unix milliseconds (Date.now) and is what travels
 * in frames. Timers are a separate seam because browsers throttle them in
 * background tabs: code that must notice elapsed time compares `now()` values
 * instead of trusting that a timer fired on time.
 */

/** Opaque handle of a scheduled timer. */
export type TimerHandle = unknown;

/** A clock plus timers. */
export interface Clock {
  /** Monotonic milliseconds (performance.now); only differences mean anything. */
  now(): number;
  /** Unix epoch milliseconds (Date.now). */
  wallNow(): number;
  /** Runs `fn` once after at least `ms` milliseconds (maybe much later when throttled). */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  /** Cancels a timer; unknown or fired handles are ignored. */
  clearTimeout(handle: TimerHandle): void;
}

/** The real clock of the current realm (window, worker or Deno). */
export const systemClock: Clock = {
  now: () => performance.now(),
  wallNow: () => Date.now(),
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
};
