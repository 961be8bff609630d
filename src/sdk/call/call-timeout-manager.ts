/**
 * Timeouts of a call's setup (the seed's CallTimeoutManager, 30 s no-answer by default), one per
 * kind: the caller waiting for an answer, the callee's ringing, and the media connection being
 * established. Timers are injected, so tests run them on a hand-driven clock.
 */
import { realTimers, type TimerHandle, type Timers } from './timers.ts';

/** The timeouts a call uses. */
export const TimeoutKind = {
  /** Caller side: nobody answered. */
  NoAnswer: 'no-answer',
  /** Callee side: the incoming call rang without being answered. */
  Ringing: 'ringing',
  /** After accept: media did not connect. */
  Connect: 'connect',
} as const;
export type TimeoutKind = (typeof TimeoutKind)[keyof typeof TimeoutKind];

/** Default durations in milliseconds; override per manager or per start. */
export const DEFAULT_TIMEOUTS: Readonly<Record<TimeoutKind, number>> = {
  [TimeoutKind.NoAnswer]: 30_000,
  [TimeoutKind.Ringing]: 30_000,
  [TimeoutKind.Connect]: 20_000,
};

interface Running {
  handle: TimerHandle;
  deadline: number;
}

/** Runs at most one timer per {@link TimeoutKind}. */
export class CallTimeoutManager {
  readonly #timers: Timers;
  readonly #durations: Record<TimeoutKind, number>;
  readonly #running = new Map<TimeoutKind, Running>();

  constructor(options: { timers?: Timers; durations?: Partial<Record<TimeoutKind, number>> } = {}) {
    this.#timers = options.timers ?? realTimers;
    this.#durations = { ...DEFAULT_TIMEOUTS, ...options.durations };
  }

  /** The configured duration of `kind`. */
  durationOf(kind: TimeoutKind): number {
    return this.#durations[kind];
  }

  /** Starts (or restarts) the `kind` timeout; `onTimeout` runs once when it fires. */
  start(kind: TimeoutKind, onTimeout: () => void, options: { ms?: number } = {}): void {
    this.clear(kind);
    const ms = options.ms ?? this.#durations[kind];
    const handle = this.#timers.setTimeout(() => {
      this.#running.delete(kind);
      onTimeout();
    }, ms);
    this.#running.set(kind, { handle, deadline: this.#timers.now() + ms });
  }

  /** Cancels the `kind` timeout; returns whether one was running. */
  clear(kind: TimeoutKind): boolean {
    const running = this.#running.get(kind);
    if (!running) return false;
    this.#timers.clearTimeout(running.handle);
    this.#running.delete(kind);
    return true;
  }

  /** Cancels every timeout (hang-up, teardown). */
  clearAll(): void {
    for (const kind of [...this.#running.keys()]) this.clear(kind);
  }

  isRunning(kind: TimeoutKind): boolean {
    return this.#running.has(kind);
  }

  /** Milliseconds left on the `kind` timeout, or null when it is not running. */
  remainingMs(kind: TimeoutKind): number | null {
    const running = this.#running.get(kind);
    return running ? Math.max(0, running.deadline - this.#timers.now()) : null;
  }
}
