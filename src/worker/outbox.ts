/**
 * The reliable outbox: outgoing frames wait here until the server ACKs them.
 *
 * - Bounded priority queue: `critical` before `high` before `normal` before
 *   `low`, first-in first-out within a priority. When full, a new frame
 *   evicts the oldest frame of the lowest priority below its own (which fails
 *   with QUEUE_FULL); if there is none, the new frame is refused.
 * - Resend until ACKed: a sent frame stays in flight; without an ACK within
 *   `resendAfterMs` it is sent again, and after a reconnect every frame in
 *   flight is sent again first, in its original order. The ACK is matched by
 *   `Frame.message_id`, as flare-core's server acknowledges. The server
 *   de-duplicates by that id, so a resend never delivers twice.
 * - TTL: a frame past its deadline (wall clock, so that it survives a reload)
 *   leaves the queue with a MESSAGE_EXPIRED error event.
 * - Progress: `onSent` names the frames handed to the connection (again at
 *   every resend), `onRequeued` those that wait again after it was lost.
 * - Persistence: every change is written through to an `OutboxStore`
 *   (outbox-store.ts: IndexedDB), so a reload loses nothing queued.
 *
 * The outbox owns no timers: the session calls `takeSendable(now)` when it can
 * send and schedules one timer for `nextWakeAt()`.
 */
import { ErrorCode, FlareError } from '../codec/errors.ts';
import type { Frame } from '../codec/frame-types.ts';

/** Priorities, lowest to highest. */
export const Priority = { low: 0, normal: 1, high: 2, critical: 3 } as const;
export type PriorityName = keyof typeof Priority;

/** One queued frame (structured-cloneable, as stored). */
export interface OutboxEntry {
  /** Frame.message_id, the ACK key. */
  readonly id: string;
  readonly frame: Frame;
  readonly priority: PriorityName;
  /** Order of arrival (FIFO within a priority). */
  readonly order: number;
  /** Unix ms when queued. */
  readonly queuedAt: number;
  /** Unix ms after which the frame expires, or null for never. */
  readonly expiresAt: number | null;
  /** Approximate size in bytes, for the byte bound. */
  readonly size: number;
  /** Times sent so far. */
  attempts: number;
}

/** How a frame left the outbox. */
export type OutboxEvent =
  | { type: 'acked'; entry: OutboxEntry }
  | { type: 'expired' | 'failed'; entry: OutboxEntry; error: FlareError };

/** Where the outbox writes through to (see outbox-store.ts). */
export interface OutboxStore {
  put(entry: OutboxEntry): void;
  delete(id: string): void;
}

/** Options; every field has a default. */
export interface OutboxOptions {
  /** Most frames held (default 1000). */
  maxEntries?: number;
  /** Most bytes held, approximately (default 8 MiB). */
  maxBytes?: number;
  /** Resend a frame not ACKed within this many ms (default 10000). */
  resendAfterMs?: number;
  /** Most frames in flight at once (default 256). */
  maxInFlight?: number;
  /** Receives acked / expired / failed. */
  onEvent?: (event: OutboxEvent) => void;
  /** The frames `takeSendable` just handed out to be written to the connection (by id). */
  onSent?: (ids: string[]) => void;
  /** Frames that were handed out and now wait to be sent again, after the connection was lost. */
  onRequeued?: (ids: string[]) => void;
  store?: OutboxStore | null;
}

/** Defaults of `OutboxOptions`. */
export const OUTBOX_DEFAULTS = { maxEntries: 1000, maxBytes: 8 * 1024 * 1024, resendAfterMs: 10_000, maxInFlight: 256 } as const;

/** Approximate encoded size of a frame. */
export function frameSize(frame: Frame): number {
  const c = frame.command;
  let n = 64 + frame.messageId.length;
  if (c?.case === 'payload') n += c.value.payload.length;
  else if (c?.case === 'system') n += c.value.data.length;
  else if (c?.case === 'notification') n += c.value.content.length + c.value.title.length;
  else if (c?.case === 'custom') n += c.value.data.length + c.value.name.length;
  return n;
}

/** The priority queue with ACK tracking. */
export class Outbox {
  readonly maxEntries: number;
  readonly maxBytes: number;
  readonly resendAfterMs: number;
  readonly maxInFlight: number;
  readonly #onEvent: (event: OutboxEvent) => void;
  readonly #onSent: ((ids: string[]) => void) | null;
  readonly #onRequeued: ((ids: string[]) => void) | null;
  readonly #store: OutboxStore | null;
  /** Waiting to be sent, one array per priority, each sorted by `order`. */
  readonly #ready: OutboxEntry[][] = [[], [], [], []];
  /** Sent, waiting for an ACK: id -> monotonic send time (insertion order = send order). */
  readonly #inFlight = new Map<string, number>();
  readonly #byId = new Map<string, OutboxEntry>();
  #bytes = 0;
  #order = 0;

  constructor(options: OutboxOptions = {}) {
    this.maxEntries = options.maxEntries ?? OUTBOX_DEFAULTS.maxEntries;
    this.maxBytes = options.maxBytes ?? OUTBOX_DEFAULTS.maxBytes;
    this.resendAfterMs = options.resendAfterMs ?? OUTBOX_DEFAULTS.resendAfterMs;
    this.maxInFlight = options.maxInFlight ?? OUTBOX_DEFAULTS.maxInFlight;
    this.#onEvent = options.onEvent ?? (() => {});
    this.#onSent = options.onSent ?? null;
    this.#onRequeued = options.onRequeued ?? null;
    this.#store = options.store ?? null;
  }

  /** Frames held (waiting and in flight). */
  get size(): number {
    return this.#byId.size;
  }

  /** Frames sent and not yet ACKed. */
  get inFlight(): number {
    return this.#inFlight.size;
  }

  /** Approximate bytes held. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Whether the frame with this id is held. */
  has(id: string): boolean {
    return this.#byId.has(id);
  }

  /**
   * Queues `frame` (its `messageId` is the ACK key). `wallNow` is Unix ms;
   * `ttlMs` is the time to live. Throws QUEUE_FULL when it does not fit and
   * nothing of lower priority can make room; throws INVALID_ARGUMENT for a
   * duplicate id.
   */
  enqueue(frame: Frame, wallNow: number, options: { priority?: PriorityName; ttlMs?: number } = {}): OutboxEntry {
    const priority = options.priority ?? 'normal';
    if (!(priority in Priority)) throw new FlareError(ErrorCode.INVALID_ARGUMENT, `unknown priority ${String(priority)}`);
    if (this.#byId.has(frame.messageId)) {
      throw new FlareError(ErrorCode.INVALID_ARGUMENT, `message ${frame.messageId} is already queued`);
    }
    const ttl = options.ttlMs;
    const entry: OutboxEntry = {
      id: frame.messageId,
      frame,
      priority,
      order: this.#order++,
      queuedAt: wallNow,
      expiresAt: ttl === undefined || ttl === Infinity ? null : wallNow + Math.max(0, ttl),
      size: frameSize(frame),
      attempts: 0,
    };
    this.#makeRoom(entry);
    this.#insert(entry);
    this.#store?.put(entry);
    return entry;
  }

  /**
   * Puts back entries loaded from the store (after a reload): they wait to be
   * sent again, keeping their ids, priorities, deadlines and attempt counts.
   */
  restore(entries: readonly OutboxEntry[]): void {
    for (const e of [...entries].sort((a, b) => a.queuedAt - b.queuedAt || a.order - b.order)) {
      if (this.#byId.has(e.id)) continue;
      this.#insert({ ...e, order: this.#order++ });
    }
  }

  /**
   * The frames to send now, highest priority first: frames in flight longer
   * than `resendAfterMs` go back first, then waiting frames up to
   * `maxInFlight`. Each returned entry is counted as sent at `now`
   * (monotonic ms); expired frames are dropped first (`wallNow`).
   */
  takeSendable(now: number, wallNow: number): OutboxEntry[] {
    this.expire(wallNow);
    for (const [id, sentAt] of this.#inFlight) {
      if (now - sentAt < this.resendAfterMs) break; // in send order: the rest are younger
      this.#inFlight.delete(id);
      this.#requeue(this.#byId.get(id)!);
    }
    const out: OutboxEntry[] = [];
    for (let p = 3; p >= 0 && this.#inFlight.size < this.maxInFlight; p--) {
      const queue = this.#ready[p]!;
      let taken = 0;
      while (taken < queue.length && this.#inFlight.size < this.maxInFlight) {
        const entry = queue[taken++]!;
        entry.attempts++;
        this.#inFlight.set(entry.id, now);
        out.push(entry);
      }
      queue.splice(0, taken);
    }
    if (out.length && this.#onSent) this.#onSent(out.map((e) => e.id));
    return out;
  }

  /**
   * An ACK arrived for `id`. With `error` (the server's error ACK) the frame
   * fails with REMOTE_ERROR instead. Returns the entry, or null for an
   * unknown id (a duplicate ACK, or a frame that already expired).
   */
  ack(id: string, error?: string): OutboxEntry | null {
    const entry = this.#remove(id);
    if (!entry) return null;
    if (error === undefined) this.#onEvent({ type: 'acked', entry });
    else this.#onEvent({ type: 'failed', entry, error: new FlareError(ErrorCode.REMOTE_ERROR, error, { details: { messageId: id } }) });
    return entry;
  }

  /** The connection is gone: every frame in flight waits to be sent again, in its original order. */
  requeueInFlight(): void {
    if (this.#inFlight.size === 0) return;
    const ids = [...this.#inFlight.keys()];
    for (const id of ids) this.#requeue(this.#byId.get(id)!);
    this.#inFlight.clear();
    this.#onRequeued?.(ids);
  }

  /** Drops frames past their deadline with MESSAGE_EXPIRED events; returns how many. */
  expire(wallNow: number): number {
    let n = 0;
    for (const entry of [...this.#byId.values()]) {
      if (entry.expiresAt !== null && entry.expiresAt <= wallNow) {
        this.#remove(entry.id);
        n++;
        const error = new FlareError(ErrorCode.MESSAGE_EXPIRED, `message ${entry.id} expired before the server acknowledged it`, {
          details: { messageId: entry.id, attempts: entry.attempts, ttlMs: entry.expiresAt - entry.queuedAt },
        });
        this.#onEvent({ type: 'expired', entry, error });
      }
    }
    return n;
  }

  /**
   * When the session should look again: the earliest deadline or resend time,
   * as monotonic ms (`now`/`wallNow` convert between the clocks); null when
   * nothing is pending.
   */
  nextWakeAt(now: number, wallNow: number): number | null {
    let at = Infinity;
    const first = this.#inFlight.values().next();
    if (!first.done) at = first.value + this.resendAfterMs;
    for (const e of this.#byId.values()) if (e.expiresAt !== null) at = Math.min(at, now + (e.expiresAt - wallNow));
    return at === Infinity ? null : at;
  }

  /** Every held entry, highest priority first, FIFO within a priority. */
  entries(): OutboxEntry[] {
    return [...this.#byId.values()].sort((a, b) => Priority[b.priority] - Priority[a.priority] || a.order - b.order);
  }

  #insert(entry: OutboxEntry): void {
    this.#byId.set(entry.id, entry);
    this.#bytes += entry.size;
    this.#ready[Priority[entry.priority]]!.push(entry);
  }

  /** Back into its ready queue at its place by `order` (before younger frames). */
  #requeue(entry: OutboxEntry): void {
    const queue = this.#ready[Priority[entry.priority]]!;
    let lo = 0;
    let hi = queue.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (queue[mid]!.order < entry.order) lo = mid + 1;
      else hi = mid;
    }
    queue.splice(lo, 0, entry);
  }

  #remove(id: string): OutboxEntry | null {
    const entry = this.#byId.get(id);
    if (!entry) return null;
    this.#byId.delete(id);
    this.#bytes -= entry.size;
    if (!this.#inFlight.delete(id)) {
      const queue = this.#ready[Priority[entry.priority]]!;
      const i = queue.indexOf(entry);
      if (i >= 0) queue.splice(i, 1);
    }
    this.#store?.delete(id);
    return entry;
  }

  #makeRoom(incoming: OutboxEntry): void {
    if (incoming.size > this.maxBytes) throw this.#full(incoming);
    while (this.#byId.size + 1 > this.maxEntries || this.#bytes + incoming.size > this.maxBytes) {
      const victim = this.#oldestBelow(Priority[incoming.priority]);
      if (!victim) throw this.#full(incoming);
      this.#remove(victim.id);
      this.#onEvent({
        type: 'failed',
        entry: victim,
        error: new FlareError(ErrorCode.QUEUE_FULL, `message ${victim.id} was evicted by a higher-priority message`, {
          details: { messageId: victim.id, priority: victim.priority },
        }),
      });
    }
  }

  /** The oldest waiting entry of the lowest priority below `p` (frames in flight are not evicted). */
  #oldestBelow(p: number): OutboxEntry | undefined {
    for (let q = 0; q < p; q++) {
      const first = this.#ready[q]![0];
      if (first) return first;
    }
    return undefined;
  }

  #full(entry: OutboxEntry): FlareError {
    return new FlareError(ErrorCode.QUEUE_FULL, `the outbox is full (${this.maxEntries} messages, ${this.maxBytes} bytes)`, {
      details: { messageId: entry.id, priority: entry.priority, size: this.size, bytes: this.#bytes },
    });
  }
}
