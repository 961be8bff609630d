/**
 * What one process knows about each log, so the Redis broker (redis.ts) can
 * keep going while Redis is away and put things right when it is back:
 * the highest seq known, what was handed to local subscribers, recent entries
 * (history during an outage), provisional entries, and own appends that a
 * restarted Redis may have lost. No I/O: the recovery rules are plain
 * functions of this state and what Redis answers.
 */
import { ErrorCode, FlareError } from '../../src/codec/errors.ts';
import type { Appended, LogEntry, RangeOptions } from './broker.ts';
import { DEDUPE_WINDOW } from './recent-ids.ts';

export interface LogState {
  /** Highest seq known to exist (from Redis, or provisional during an outage). */
  hw: number;
  /** Highest seq handed to this process's subscribers (lower or equal ones are not handed again). */
  delivered: number;
  /** Whether `hw` ever came from Redis (else provisional appends are refused). */
  based: boolean;
  /** When this process first touched the log (Unix ms). */
  since: number;
  /** Last use (pruning). */
  touched: number;
  /** Recent entries handed out here, ascending. */
  recent: LogEntry[];
  /** Outage: the seq before the first provisional entry, and the provisional entries. */
  provisionalBase: number | null;
  pending: LogEntry[];
  /** Own appends from just before Redis went away (a Redis restarted without persistence may have lost them). */
  suspects: LogEntry[];
}

/** What recovery does with one log, given the old Redis counter and the entries Redis holds after `from`. */
export interface RecoveryPlan {
  /** Entries published elsewhere that local subscribers have not had: hand them out now. */
  catchUp: LogEntry[];
  /** Entries to append again under new seqs: lost own appends, real entries hidden by provisional seqs, provisional entries. Oldest first. */
  again: LogEntry[];
  counts: { lost: number; hidden: number; provisional: number };
}

export interface LocalLogsOptions {
  /** Recent entries kept per log. */
  recentPerLog: number;
  /** Most provisional entries, all logs together. */
  outageBuffer: number;
  /** Own appends younger than this when Redis goes away become suspects. */
  suspectWindowMs?: number;
}

const SUSPECT_MAX = 10_000;

export class LocalLogs {
  readonly #logs = new Map<string, LogState>();
  readonly #provisional = new WeakSet<LogEntry>();
  #recentOwn: Array<{ log: string; entry: LogEntry; at: number }> = [];
  #pendingTotal = 0;
  readonly #window: number;

  constructor(private readonly opts: LocalLogsOptions) {
    this.#window = opts.suspectWindowMs ?? 5_000;
  }

  /** Provisional entries waiting for Redis. */
  get pendingTotal(): number {
    return this.#pendingTotal;
  }

  touch(log: string): LogState {
    let st = this.#logs.get(log);
    const now = Date.now();
    if (!st) this.#logs.set(log, (st = { hw: 0, delivered: 0, based: false, since: now, touched: now, recent: [], provisionalBase: null, pending: [], suspects: [] }));
    st.touched = now;
    return st;
  }

  entries(): Array<[string, LogState]> {
    return [...this.#logs.entries()];
  }

  /** Redis said `seq` exists (an append, a read, a live entry). */
  learn(st: LogState, seq: number): void {
    st.hw = Math.max(st.hw, seq);
    st.based = true;
  }

  isProvisional(e: LogEntry): boolean {
    return this.#provisional.has(e);
  }

  /** An entry is about to be handed to local subscribers: false when it (or a later one) already was. */
  handOut(st: LogState, e: LogEntry): boolean {
    if (e.seq <= st.delivered) return false;
    st.delivered = e.seq;
    const last = st.recent.at(-1);
    if (!last || e.seq > last.seq) {
      st.recent.push(e);
      if (st.recent.length > this.opts.recentPerLog) st.recent.splice(0, st.recent.length - this.opts.recentPerLog);
    }
    return true;
  }

  /** An append Redis acknowledged. */
  noteOwn(log: string, entry: LogEntry): void {
    const now = Date.now();
    const q = this.#recentOwn;
    q.push({ log, entry, at: now });
    let drop = 0;
    while (drop < q.length && (q[drop]!.at < now - this.#window || q.length - drop > SUSPECT_MAX)) drop++;
    if (drop > 64 || drop === q.length) q.splice(0, drop);
  }

  /** Redis went away: recent own appends become suspects. */
  markSuspects(): void {
    const since = Date.now() - this.#window;
    for (const { log, entry, at } of this.#recentOwn) if (at >= since) this.touch(log).suspects.push(entry);
    this.#recentOwn = [];
  }

  /**
   * An append while Redis is away: the next seq after the highest known, kept
   * for recovery. A resend of an entry this process still holds (recent or
   * provisional, the last DEDUPE_WINDOW of them) returns the original instead.
   */
  provisional(log: string, st: LogState, entry: Omit<LogEntry, 'seq'>): Appended {
    const same = (e: LogEntry) => e.messageId === entry.messageId && e.from === entry.from;
    if (entry.messageId) {
      const seen = st.recent.findLast(same) ?? st.pending.slice(-DEDUPE_WINDOW).findLast(same);
      if (seen) return { ...entry, seq: seen.seq, duplicate: true };
    }
    if (!st.based) throw new FlareError(ErrorCode.UNAVAILABLE, `redis is unreachable and this process does not know the sequence of ${log}: retry later`);
    if (this.#pendingTotal >= this.opts.outageBuffer) throw new FlareError(ErrorCode.UNAVAILABLE, 'redis is unreachable and the outage buffer is full: retry later');
    const full: LogEntry = { ...entry, seq: st.hw + 1 };
    st.provisionalBase ??= st.hw;
    st.hw = full.seq;
    st.pending.push(full);
    this.#pendingTotal++;
    this.#provisional.add(full);
    return full;
  }

  /** A history read from the recent entries (while Redis is away), with the in-memory broker's semantics. */
  recentRange(st: LogState, options: RangeOptions): LogEntry[] {
    const reverse = options.after === undefined && options.before !== undefined;
    const after = options.after ?? 0;
    const before = options.before ?? Infinity;
    const inRange = st.recent.filter((e) => e.seq > after && e.seq < before);
    return reverse ? inRange.slice(-options.limit) : inRange.slice(0, options.limit);
  }

  /** Recovery, step 1: the counter floor to set in Redis and where to read from (-1: no read). */
  resyncRequest(st: LogState, hasSubscribers: boolean): { hw: number; from: number } {
    const read = hasSubscribers || st.pending.length > 0 || st.suspects.length > 0;
    let from = !read ? -1 : st.based ? (st.provisionalBase ?? st.hw) : 0;
    for (const e of st.suspects) from = Math.min(from, e.seq - 1);
    return { hw: st.based ? st.hw : 0, from };
  }

  /**
   * Recovery, step 2: given the counter Redis had (`old`, before the floor was
   * set) and its entries after min(from, old), what to hand out and what to
   * append again. Real entries at seqs this process's subscribers already
   * passed are hidden from them (provisional seqs, or a Redis that lost data
   * and was refilled by others): they are appended again as copies.
   */
  plan(st: LogState, old: number, entries: readonly LogEntry[], hasSubscribers: boolean): RecoveryPlan {
    const shadowPossible = hasSubscribers && st.based && (st.pending.length > 0 || old < st.hw);
    const seen = new Set<string>();
    for (const list of [st.recent, st.pending, st.suspects]) for (const e of list) seen.add(e.messageId);
    const inRedis = new Set(entries.map((e) => e.messageId));
    const lost = st.suspects.filter((e) => !inRedis.has(e.messageId));
    const hidden: LogEntry[] = [];
    const catchUp: LogEntry[] = [];
    for (const e of entries) {
      if (e.seq <= st.hw) {
        if (shadowPossible && !seen.has(e.messageId)) hidden.push(e);
      } else if (st.based || e.timestamp >= st.since) catchUp.push(e);
    }
    const again = [...lost, ...hidden, ...st.pending].sort((a, b) => a.timestamp - b.timestamp);
    return { catchUp, again, counts: { lost: lost.length, hidden: hidden.length, provisional: st.pending.length } };
  }

  /** Recovery, step 3: the log is consistent with Redis again. */
  settle(st: LogState): void {
    const hadPending = st.pending.length > 0;
    this.#pendingTotal -= st.pending.length;
    st.pending = [];
    st.suspects = [];
    st.provisionalBase = null;
    if (hadPending) st.recent = st.recent.filter((e) => !this.#provisional.has(e));
    st.based = true;
  }

  /** Forgets logs unused for `idleMs` with nothing pending that `keep` does not name. */
  prune(idleMs: number, keep: (log: string) => boolean): void {
    const cutoff = Date.now() - idleMs;
    for (const [log, st] of this.#logs) if (st.touched < cutoff && st.pending.length === 0 && !keep(log)) this.#logs.delete(log);
  }
}
