/**
 * Liveness by timestamps, not by trusting timers.
 *
 * The heartbeat sends a PING every `intervalMs` and declares the connection
 * dead when nothing at all (PONG or any other frame) arrived for `timeoutMs`
 * (flare-core: 30 s and 90 s). Every decision compares monotonic timestamps
 * (`Clock.now`); a timer is only a prompt to look.
 *
 * Background tabs throttle timers (Chrome: to once a minute), and a laptop
 * lid stops them altogether. When a tick arrives much later than scheduled,
 * frames that arrived meanwhile may still be queued behind it, so silence
 * measured at that moment proves nothing: that is how socket.io and LiveKit
 * clients drop healthy connections. A late tick therefore never declares
 * death. It starts a *re-check* instead: send a PING now and wait
 * `recheckTimeoutMs` for any frame. The same re-check runs at once when the
 * page reports `online`, `visibilitychange` (visible) or `resume`, so a dead
 * connection is noticed seconds after the user comes back instead of
 * minutes.
 */
import type { Clock, TimerHandle } from './clock.ts';

/** Why the heartbeat gave up on the connection. */
export type HeartbeatDeathReason = 'timeout' | 'recheck_failed';

/** What the heartbeat needs from the session. */
export interface HeartbeatOptions {
  clock: Clock;
  /** PING period (default 30000 ms, as flare-core). */
  intervalMs?: number;
  /** Silence that means death on a punctual tick (default 90000 ms, as flare-core). */
  timeoutMs?: number;
  /** How long a re-check waits for any frame (default 5000 ms). */
  recheckTimeoutMs?: number;
  /**
   * A PING unanswered (and nothing else heard) for this long starts a re-check
   * (default 10000 ms). A killed peer on QUIC sends no reset, so without this a
   * dead link would be found only after `timeoutMs`.
   */
  pongTimeoutMs?: number;
  /** A tick this much later than scheduled is "late" (default max(1000, intervalMs / 4)). */
  lateToleranceMs?: number;
  /** Sends one PING; returns its message id, or null when it could not be sent. */
  sendPing(): string | null;
  /** Called once when the connection is judged dead; the heartbeat stops itself first. */
  onDead(info: { reason: HeartbeatDeathReason; silentMs: number }): void;
  /** Called for each PONG matched to a PING (RTT on the monotonic clock). */
  onRtt?(sample: { rttMs: number; sentWall: number; serverWall: number }): void;
}

/** Defaults of `HeartbeatOptions`. */
export const HEARTBEAT_DEFAULTS = { intervalMs: 30_000, timeoutMs: 90_000, recheckTimeoutMs: 5000, pongTimeoutMs: 10_000 } as const;

interface PendingPing {
  id: string;
  sentAt: number;
  sentWall: number;
}

const MAX_PENDING = 8;

/** The PING/PONG loop of one connection. `start()` after the handshake, `stop()` when it ends. */
export class Heartbeat {
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly recheckTimeoutMs: number;
  readonly pongTimeoutMs: number;
  readonly lateToleranceMs: number;
  readonly #o: HeartbeatOptions;
  readonly #clock: Clock;
  #timer: TimerHandle | null = null;
  #expectedAt = 0;
  #lastRxAt = 0;
  #recheckSince: number | null = null;
  #lateRestarts = 0;
  #lastPingAt = -Infinity;
  #running = false;
  readonly #pending: PendingPing[] = [];

  constructor(options: HeartbeatOptions) {
    this.#o = options;
    this.#clock = options.clock;
    this.intervalMs = options.intervalMs ?? HEARTBEAT_DEFAULTS.intervalMs;
    this.timeoutMs = options.timeoutMs ?? HEARTBEAT_DEFAULTS.timeoutMs;
    this.recheckTimeoutMs = options.recheckTimeoutMs ?? HEARTBEAT_DEFAULTS.recheckTimeoutMs;
    this.pongTimeoutMs = Math.min(options.pongTimeoutMs ?? HEARTBEAT_DEFAULTS.pongTimeoutMs, this.timeoutMs);
    this.lateToleranceMs = options.lateToleranceMs ?? Math.max(1000, this.intervalMs / 4);
    if (!(this.intervalMs > 0) || !(this.timeoutMs > 0) || !(this.recheckTimeoutMs > 0)) {
      throw new RangeError('heartbeat: intervalMs, timeoutMs and recheckTimeoutMs must be > 0');
    }
  }

  /** Whether the loop runs. */
  get running(): boolean {
    return this.#running;
  }

  /** Whether a re-check is waiting for an answer. */
  get rechecking(): boolean {
    return this.#recheckSince !== null;
  }

  /** Milliseconds since the last frame arrived (monotonic). */
  get silentMs(): number {
    return this.#clock.now() - this.#lastRxAt;
  }

  /** Starts the loop; the connection counts as just heard from. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#lastRxAt = this.#clock.now();
    this.#lastPingAt = this.#lastRxAt;
    this.#schedule(this.intervalMs);
  }

  /** Stops the loop and forgets pending PINGs. */
  stop(): void {
    this.#running = false;
    this.#recheckSince = null;
    this.#pending.length = 0;
    if (this.#timer !== null) this.#clock.clearTimeout(this.#timer);
    this.#timer = null;
  }

  /** Any frame arrived: the connection is alive. */
  noteActivity(): void {
    this.#lastRxAt = this.#clock.now();
    if (this.#recheckSince !== null) {
      this.#recheckSince = null;
      this.#lateRestarts = 0;
      this.#schedule(this.intervalMs);
    }
  }

  /**
   * A PONG arrived. `pingId` is the PING it answers when the server echoes
   * it (our extension: metadata `ping_id`); otherwise the oldest pending
   * PING is taken. `serverWall` is the PONG's `Frame.timestamp`.
   */
  notePong(pingId: string | null, serverWall: number): void {
    const now = this.#clock.now();
    this.noteActivity();
    let index = pingId === null ? 0 : this.#pending.findIndex((p) => p.id === pingId);
    if (index < 0 || this.#pending.length === 0) return;
    const ping = this.#pending[index]!;
    // Older PINGs were lost or answered without an id: they will not be matched any more.
    this.#pending.splice(0, index + 1);
    this.#o.onRtt?.({ rttMs: now - ping.sentAt, sentWall: ping.sentWall, serverWall });
  }

  /**
   * Checks now instead of waiting for the next tick: sends a PING and
   * declares death if nothing arrives within `recheckTimeoutMs`. Call on
   * `online`, `visibilitychange` (visible) and `resume`.
   */
  recheck(): void {
    if (!this.#running || this.#recheckSince !== null) return;
    this.#startRecheck(this.#clock.now());
  }

  /** Sends one extra PING now (a fresh RTT sample); the schedule is unchanged. */
  pingNow(): void {
    if (this.#running) this.#ping(this.#clock.now());
  }

  #schedule(ms: number): void {
    if (this.#timer !== null) this.#clock.clearTimeout(this.#timer);
    this.#expectedAt = this.#clock.now() + ms;
    this.#timer = this.#clock.setTimeout(() => this.#tick(), ms);
  }

  #startRecheck(now: number): void {
    this.#recheckSince = now;
    this.#ping(now);
    this.#schedule(this.recheckTimeoutMs);
  }

  #ping(now: number): void {
    const id = this.#o.sendPing();
    if (id === null) return;
    this.#pending.push({ id, sentAt: now, sentWall: this.#clock.wallNow() });
    if (this.#pending.length > MAX_PENDING) this.#pending.shift();
  }

  #tick(): void {
    this.#timer = null;
    if (!this.#running) return;
    const now = this.#clock.now();
    const late = now - this.#expectedAt > this.lateToleranceMs;
    if (this.#recheckSince !== null) {
      // A late re-check deadline may have overtaken the answer: allow one fresh re-check, then judge by time.
      if (late && this.#lateRestarts === 0) {
        this.#lateRestarts++;
        this.#startRecheck(now);
        return;
      }
      if (now - this.#recheckSince >= this.recheckTimeoutMs) return this.#die('recheck_failed', now);
      this.#schedule(this.#recheckSince + this.recheckTimeoutMs - now);
      return;
    }
    if (late) return this.#startRecheck(now);
    if (now - this.#lastRxAt >= this.timeoutMs) return this.#die('timeout', now);
    // The newest PING unanswered, and nothing at all heard since it left, for pongTimeoutMs: suspicious.
    const newest = this.#pending.at(-1);
    const unanswered = newest !== undefined && this.#lastRxAt < newest.sentAt;
    if (unanswered && now - newest.sentAt >= this.pongTimeoutMs) return this.#startRecheck(now);
    if (now - this.#lastPingAt >= this.intervalMs) {
      this.#ping(now);
      this.#lastPingAt = now;
    }
    const last = this.#pending.at(-1);
    const pongDue = last !== undefined && this.#lastRxAt < last.sentAt ? last.sentAt + this.pongTimeoutMs : Infinity;
    this.#schedule(Math.max(1, Math.min(this.#lastPingAt + this.intervalMs, pongDue) - now));
  }

  #die(reason: HeartbeatDeathReason, now: number): void {
    const silentMs = now - this.#lastRxAt;
    this.stop();
    this.#o.onDead({ reason, silentMs });
  }
}
