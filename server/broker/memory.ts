/**
 * The in-memory Broker: one process, no setup (the embedded default).
 * Publishing delivers to subscribers in order, on the next turn of the event
 * loop: what was published meanwhile is delivered together, so a burst fans
 * out to each connection in one write, as messages arriving many per Redis
 * read do with the Redis broker (publish resolves once delivered); logs are ring
 * buffers trimmed to `historySize`, de-duplicating appends by publisher and
 * message id (recent-ids.ts); presence entries carry an expiry. The history
 * epoch is made at construction (sequences restart with the process).
 */
import { clearImmediate, setImmediate } from 'node:timers';
import { newEpoch, type Appended, type Broker, type BrokerHealth, type BrokerMessage, type LogEntry, type PresenceMember, type RangeOptions, type Unsubscribe } from './broker.ts';
import { dedupeKey, RecentIds } from './recent-ids.ts';
import { Subscribers } from './subscribers.ts';

interface Log {
  entries: LogEntry[];
  last: number;
  ids: RecentIds;
}

export interface MemoryBrokerOptions {
  /** Entries kept per log. */
  historySize: number;
  /** Seqs per log within which a repeated message id is a duplicate (default DEDUPE_WINDOW). */
  dedupeWindow?: number;
  /** Injectable clock (presence expiry). */
  now?: () => number;
  /** Called when a subscriber throws (it does not affect other subscribers). */
  onHandlerError?: (e: unknown) => void;
}

export class MemoryBroker implements Broker {
  readonly kind = 'memory';
  readonly #subs: Subscribers;
  readonly #logs = new Map<string, Log>();
  readonly #presence = new Map<string, Map<string, { member: PresenceMember; expires: number }>>();
  readonly #opts: MemoryBrokerOptions;
  readonly #now: () => number;
  /** Logs live and die with this object: a new one restarts every sequence. */
  readonly #epoch = newEpoch();
  /** Published and not yet delivered, in publish order. */
  #queue: Array<[string, BrokerMessage]> = [];
  /** The next delivery: its timer, and the promise every publish until then returns. */
  #next: { timer: ReturnType<typeof setImmediate>; done: Promise<void>; resolve: () => void } | null = null;

  constructor(options: MemoryBrokerOptions) {
    this.#opts = options;
    this.#now = options.now ?? (() => Date.now());
    this.#subs = new Subscribers(options.onHandlerError);
  }

  publish(channel: string, message: BrokerMessage): Promise<void> {
    this.#queue.push([channel, message]);
    if (!this.#next) {
      // After the I/O of this turn, not in a microtask: publishes made by the other frames read in this
      // turn join the batch. (setImmediate: tens of microseconds; Deno's setTimeout(0) takes milliseconds.)
      let resolve!: () => void;
      const done = new Promise<void>((r) => (resolve = r));
      this.#next = { timer: setImmediate(() => this.#deliver()), done, resolve };
    }
    return this.#next.done;
  }

  #deliver(): void {
    const next = this.#next;
    const queue = this.#queue;
    // Publishes made by handlers during this delivery go out in the next one.
    this.#next = null;
    this.#queue = [];
    for (const [channel, message] of queue) this.#subs.deliver(channel, message);
    next?.resolve();
  }

  subscribe(channel: string, handler: (message: BrokerMessage) => void): Promise<Unsubscribe> {
    const { remove } = this.#subs.add(channel, handler);
    return Promise.resolve(() => {
      remove();
      return Promise.resolve();
    });
  }

  append(log: string, entry: Omit<LogEntry, 'seq'>): Promise<Appended> {
    let l = this.#logs.get(log);
    if (!l) this.#logs.set(log, (l = { entries: [], last: 0, ids: new RecentIds(this.#opts.dedupeWindow) }));
    const key = dedupeKey(entry.from, entry.messageId);
    const seen = key === null ? undefined : l.ids.get(key);
    if (seen !== undefined) return Promise.resolve({ ...entry, seq: seen, duplicate: true });
    const full: LogEntry = { ...entry, seq: ++l.last };
    if (key !== null) l.ids.add(key, full.seq);
    l.entries.push(full);
    // Trim in chunks so the array is not shifted on every append.
    const cap = Math.max(1, this.#opts.historySize);
    if (l.entries.length > cap + Math.max(16, cap >> 3)) l.entries.splice(0, l.entries.length - cap);
    return Promise.resolve(full);
  }

  range(log: string, options: RangeOptions): Promise<LogEntry[]> {
    const l = this.#logs.get(log);
    if (!l || options.limit <= 0) return Promise.resolve([]);
    const cap = Math.max(1, this.#opts.historySize);
    const oldestKept = Math.max(1, l.last - cap + 1);
    const after = Math.max(options.after ?? 0, oldestKept - 1);
    const before = Math.min(options.before ?? Infinity, l.last + 1);
    const base = l.entries.length ? l.entries[0]!.seq : l.last + 1;
    // Entries are contiguous by seq: index = seq - base.
    let from = Math.max(after + 1, base);
    let to = before - 1;
    if (to < from) return Promise.resolve([]);
    if (options.after === undefined && options.before !== undefined) from = Math.max(from, to - options.limit + 1);
    else to = Math.min(to, from + options.limit - 1);
    return Promise.resolve(l.entries.slice(from - base, to - base + 1));
  }

  lastSeq(log: string): Promise<number> {
    return Promise.resolve(this.#logs.get(log)?.last ?? 0);
  }

  presenceAdd(set: string, member: PresenceMember, ttlMs: number): Promise<boolean> {
    let s = this.#presence.get(set);
    if (!s) this.#presence.set(set, (s = new Map()));
    const prev = s.get(member.id);
    const isNew = !prev || prev.expires <= this.#now();
    s.set(member.id, { member, expires: this.#now() + ttlMs });
    return Promise.resolve(isNew);
  }

  presenceRemove(set: string, memberId: string): Promise<boolean> {
    const s = this.#presence.get(set);
    const prev = s?.get(memberId);
    if (!s || !prev) return Promise.resolve(false);
    s.delete(memberId);
    if (s.size === 0) this.#presence.delete(set);
    return Promise.resolve(prev.expires > this.#now());
  }

  presenceList(set: string): Promise<PresenceMember[]> {
    const s = this.#presence.get(set);
    if (!s) return Promise.resolve([]);
    const now = this.#now();
    const out: PresenceMember[] = [];
    for (const [id, e] of s) {
      if (e.expires > now) out.push(e.member);
      else s.delete(id);
    }
    return Promise.resolve(out);
  }

  epoch(): string {
    return this.#epoch;
  }

  health(): BrokerHealth {
    return { ok: true, kind: this.kind };
  }

  close(): Promise<void> {
    if (this.#next) clearImmediate(this.#next.timer);
    this.#queue = [];
    this.#next?.resolve();
    this.#next = null;
    this.#subs.clear();
    return Promise.resolve();
  }
}
