/**
 * The clock and timers the call layer uses, injected so that tests can drive time by hand
 * (STYLE: clocks and timers are injected so tests are deterministic).
 */

/** Opaque timer handle. */
export type TimerHandle = unknown;

/** A clock plus one-shot timers. */
export interface Timers {
  /** Milliseconds on a monotonic clock. */
  now(): number;
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** The real clock and timers of the page (or worker). */
export const realTimers: Timers = {
  now: () => performance.now(),
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
};
