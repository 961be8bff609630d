/**
 * The timing of reconnect attempts during one outage: asks the reconnect
 * policy for each delay (with the attempt count, the outage's age, the
 * server's suggested delay and whether the network just came back) and runs
 * the attempt when it is due. Offline, it waits for `online` instead, polling
 * at `offlinePollMs` in case that signal never comes.
 */
import type { Clock, TimerHandle } from './clock.ts';
import type { ReconnectPolicy } from './reconnect-policy.ts';

/** What the scheduler needs. */
export interface RetrySchedulerDeps {
  clock: Clock;
  policy: ReconnectPolicy;
  online: () => boolean;
  offlinePollMs: number;
  /** Runs one attempt. */
  attempt(): void;
  /** The policy gave up. */
  giveUp(lastError: unknown): void;
}

export class RetryScheduler {
  /** Why the last attempt (or the connection) failed. */
  lastError: unknown = null;
  /** Unix ms before which the server asked us not to come back, or null. */
  serverRetryAt: number | null = null;
  readonly #d: RetrySchedulerDeps;
  #count = 0;
  #since = 0;
  #timer: TimerHandle | null = null;

  constructor(deps: RetrySchedulerDeps) {
    this.#d = deps;
  }

  /** Attempts made in this outage. */
  get attempts(): number {
    return this.#count;
  }

  /** Whether an attempt is waiting for its time. */
  get waiting(): boolean {
    return this.#timer !== null;
  }

  /** An outage begins now. */
  begin(): void {
    this.cancel();
    this.#count = 0;
    this.#since = this.#d.clock.now();
  }

  /** Connected: the outage is over. */
  end(): void {
    this.cancel();
    this.#count = 0;
    this.serverRetryAt = null;
  }

  /** Schedules the next attempt (at once after `online` unless the server asked for a wait). */
  schedule(networkRestored = false): void {
    const { clock, policy } = this.#d;
    this.cancel();
    const delay = policy.nextRetryDelayInMs({
      retryCount: this.#count,
      elapsedMs: clock.now() - this.#since,
      serverRetryAfterMs: this.serverRetryAt === null ? undefined : this.serverRetryAt - clock.wallNow(),
      networkRestored,
      lastError: this.lastError,
    });
    if (delay === null) return this.#d.giveUp(this.lastError);
    const wait = networkRestored || this.#d.online() ? delay : Math.max(delay, this.#d.offlinePollMs);
    this.#timer = clock.setTimeout(() => {
      this.#timer = null;
      this.#count++;
      this.#d.attempt();
    }, wait);
  }

  /** The network is back: retry now instead of at the scheduled time. */
  networkRestored(): void {
    if (this.#timer !== null) this.schedule(true);
  }

  cancel(): void {
    if (this.#timer !== null) this.#d.clock.clearTimeout(this.#timer);
    this.#timer = null;
  }
}
