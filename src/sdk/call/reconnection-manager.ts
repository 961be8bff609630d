/**
 * Restores a dropped media connection (the seed's ReconnectionManager): exponential backoff with
 * jitter, a bounded number of attempts, and the call status driven through reconnecting -> in-call
 * or -> failed. What one attempt does is a hook: the WebRTC engine restarts ICE, the Agora engine
 * leaves and joins again. The delay policy is a pure, injectable object (livekit's ReconnectPolicy).
 */
import { CallStatus } from './call-types.ts';
import { ConnectCode, FailCode, type CallStateCode } from './call-codes.ts';
import type { CallStateManager } from './call-state-manager.ts';
import { realTimers, type TimerHandle, type Timers } from './timers.ts';

/** What a policy is told before each attempt. */
export interface ReconnectContext {
  /** Attempts already made in this episode (0 before the first). */
  retryCount: number;
  /** Milliseconds since the connection was lost. */
  elapsedMs: number;
}

/** Decides the delay before the next attempt, or null to give up. Must be pure apart from `random`. */
export interface ReconnectPolicy {
  nextRetryDelayInMs(context: ReconnectContext): number | null;
}

/** Options of {@link BackoffReconnectPolicy}; the defaults are the seed's figures. */
export interface BackoffOptions {
  /** First backoff interval (seed: 1 s). */
  initialDelayMs?: number;
  /** Cap on the interval (seed: 30 s). */
  maxDelayMs?: number;
  /** Growth per attempt (seed: 2). */
  multiplier?: number;
  /** Jitter as a fraction of the interval, applied as +-jitter (seed: 0.1). */
  jitter?: number;
  /** Attempts before giving up (the seed stops after 3; a restart is cheap, so 5 here). */
  maxAttempts?: number;
  /** Make the first attempt at once: the seed's "instant reconnect" for short network blips. */
  immediateFirstAttempt?: boolean;
  /** Source of randomness in [0, 1), injectable for tests. */
  random?: () => number;
}

/** Exponential backoff with symmetric jitter, capped. */
export class BackoffReconnectPolicy implements ReconnectPolicy {
  readonly #o: Required<BackoffOptions>;

  constructor(options: BackoffOptions = {}) {
    this.#o = {
      initialDelayMs: 1000,
      maxDelayMs: 30_000,
      multiplier: 2,
      jitter: 0.1,
      maxAttempts: 5,
      immediateFirstAttempt: true,
      random: Math.random,
      ...options,
    };
  }

  nextRetryDelayInMs({ retryCount }: ReconnectContext): number | null {
    const o = this.#o;
    if (retryCount >= o.maxAttempts) return null;
    if (o.immediateFirstAttempt && retryCount === 0) return 0;
    const step = o.immediateFirstAttempt ? retryCount - 1 : retryCount;
    const base = Math.min(o.initialDelayMs * o.multiplier ** step, o.maxDelayMs);
    const spread = base * o.jitter;
    const delay = base + (o.random() * 2 - 1) * spread;
    return Math.max(0, Math.min(delay, o.maxDelayMs));
  }
}

/** One reconnection attempt: resolve when the connection is back, reject when this attempt failed. */
export type RestartHook = (context: { retryCount: number; signal: AbortSignal }) => Promise<void>;

/** Drives reconnection episodes for one call. */
export class ReconnectionManager {
  readonly #state: CallStateManager;
  readonly #policy: ReconnectPolicy;
  readonly #timers: Timers;
  #episode: { abort: AbortController; done: Promise<boolean>; timer: TimerHandle | null } | null = null;

  constructor(state: CallStateManager, options: { policy?: ReconnectPolicy; timers?: Timers } = {}) {
    this.#state = state;
    this.#policy = options.policy ?? new BackoffReconnectPolicy();
    this.#timers = options.timers ?? realTimers;
  }

  /** Whether an episode is running. */
  get active(): boolean {
    return this.#episode !== null;
  }

  /**
   * Starts an episode: status -> reconnecting, then `restart` attempts spaced by the policy until one
   * succeeds (status -> in-call, resolves true) or the policy gives up (status -> failed, resolves
   * false). A second call while an episode runs returns the running episode.
   */
  start(restart: RestartHook, options: { code: CallStateCode; reason?: string }): Promise<boolean> {
    if (this.#episode) return this.#episode.done;
    const status = this.#state.status.get();
    if (status !== CallStatus.Reconnecting && !this.#state.setState(CallStatus.Reconnecting, options)) {
      return Promise.resolve(false);
    }
    const abort = new AbortController();
    const episode: { abort: AbortController; done: Promise<boolean>; timer: TimerHandle | null } = {
      abort,
      timer: null,
      done: Promise.resolve(false),
    };
    this.#episode = episode;
    episode.done = this.#run(restart, episode).finally(() => {
      if (this.#episode === episode) this.#episode = null;
    });
    return episode.done;
  }

  /** Ends the running episode without changing the call status (hang-up during reconnection). */
  cancel(): void {
    const episode = this.#episode;
    if (!episode) return;
    episode.abort.abort();
    if (episode.timer !== null) this.#timers.clearTimeout(episode.timer);
    this.#episode = null;
    this.#state.setReconnection({ active: false, attempts: 0, nextDelayMs: null });
  }

  async #run(restart: RestartHook, episode: { abort: AbortController; timer: TimerHandle | null }): Promise<boolean> {
    const started = this.#timers.now();
    const signal = episode.abort.signal;
    for (let retryCount = 0; ; retryCount++) {
      const delay = this.#policy.nextRetryDelayInMs({ retryCount, elapsedMs: this.#timers.now() - started });
      if (signal.aborted) return false;
      if (delay === null) {
        this.#state.setState(CallStatus.Failed, {
          code: FailCode.RECONNECT_EXHAUSTED,
          reason: `connection not restored after ${retryCount} attempts`,
        });
        return false;
      }
      this.#state.setReconnection({ active: true, attempts: retryCount, nextDelayMs: delay });
      if (delay > 0) {
        await new Promise<void>((resolve) => {
          episode.timer = this.#timers.setTimeout(resolve, delay);
          signal.addEventListener('abort', () => resolve(), { once: true });
        });
        episode.timer = null;
      }
      if (signal.aborted) return false;
      this.#state.setReconnection({ active: true, attempts: retryCount + 1, nextDelayMs: null });
      try {
        await restart({ retryCount, signal });
      } catch {
        continue;
      }
      if (signal.aborted) return false;
      this.#state.setState(CallStatus.InCall, { code: ConnectCode.RECONNECTED, reason: `restored after ${retryCount + 1} attempts` });
      return true;
    }
  }
}
