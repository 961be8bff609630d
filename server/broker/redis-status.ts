/**
 * The Redis broker's state (connecting, ready, down, recovering, closed) and
 * what health reports about it: since when Redis is unreachable, the last
 * error, the recoveries. Waiting for a state change is here too.
 */
import type { Logger } from '../log.ts';
import type { BrokerHealth } from './broker.ts';
import { redact } from './redis-core.ts';

export const RedisState = {
  CONNECTING: 'connecting',
  READY: 'ready',
  DOWN: 'down',
  RECOVERING: 'recovering',
  CLOSED: 'closed',
} as const;
export type RedisState = (typeof RedisState)[keyof typeof RedisState];

export interface RedisBrokerHealth extends BrokerHealth {
  state: RedisState;
  /** The Redis address, without credentials. */
  redis: string;
  /** Unix ms since when Redis has been unreachable (absent when ready). */
  down_since?: number;
  /** Provisional entries waiting to be written to Redis. */
  provisional: number;
  recoveries: number;
}

export class RedisStatus {
  #state: RedisState = RedisState.CONNECTING;
  /** Unix ms since when Redis is unreachable; null while it is reachable. */
  downSince: number | null = Date.now();
  lastError = 'connecting';
  recoveries = 0;
  /** Whether Redis was ever ready (a later ready state is a recovery). */
  everReady = false;
  #waiters: Array<() => void> = [];
  #lastErrorLog = 0;

  constructor(private readonly log?: Logger) {}

  get state(): RedisState {
    return this.#state;
  }

  /** Redis is usable (ready, or recovering). */
  get up(): boolean {
    return this.#state === RedisState.READY || this.#state === RedisState.RECOVERING;
  }

  set(next: RedisState): void {
    if (this.#state === next) return;
    this.#state = next;
    const w = this.#waiters;
    this.#waiters = [];
    for (const f of w) f();
  }

  /** Resolves at the next state change, or after `timeoutMs`. */
  nextChange(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, timeoutMs);
      function done() {
        clearTimeout(t);
        resolve();
      }
      this.#waiters.push(done);
    });
  }

  /** Resolves once the state is ready (true) or `timeoutMs` passed (false). */
  async whenReady(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (this.#state !== RedisState.READY) {
      const left = deadline - Date.now();
      if (left <= 0 || this.#state === RedisState.CLOSED) return false;
      await this.nextChange(left);
    }
    return true;
  }

  /** Keeps the error for health; logs at most one every 5 s. */
  noteError(text: string): void {
    this.lastError = text;
    const now = Date.now();
    if (now - this.#lastErrorLog > 5_000) {
      this.#lastErrorLog = now;
      this.log?.warn('redis error', { error: text });
    }
  }

  health(kind: string, url: string, provisional: number): RedisBrokerHealth {
    const ok = this.#state === RedisState.READY;
    return {
      ok,
      kind,
      ...(ok ? {} : { detail: `${this.#state}: ${this.lastError}` }),
      state: this.#state,
      redis: redact(url),
      ...(this.downSince !== null && !ok ? { down_since: this.downSince } : {}),
      provisional,
      recoveries: this.recoveries,
    };
  }
}
