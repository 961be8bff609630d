/**
 * Logs for the Redis broker: appends through the APPEND script (sequence,
 * stream entry, de-duplication and publish in one step), history reads, and
 * the log half of recovery. What this process knows about each log lives in
 * LocalLogs (local-logs.ts), which also answers while Redis is away.
 */
import type { Appended, BrokerMessage, LogEntry, RangeOptions } from './broker.ts';
import { LocalLogs } from './local-logs.ts';
import { dedupeKey } from './recent-ids.ts';
import { decodeEntryBody, encodeEntryBody, seqOfId } from './redis-codec.ts';
import { buf, isConnectionError, orLocal, type RedisCore } from './redis-core.ts';
import type { Reply } from './redis-scripts.ts';

export interface RedisLogsOptions {
  historySize: number;
  dedupeWindow: number;
  channelFor: (log: string) => string;
  recentPerLog: number;
  outageBuffer: number;
}

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** Stream rows (`[id, ['d', body]]`) as entries. */
function entriesOf(rows: Reply[]): LogEntry[] {
  const out: LogEntry[] = [];
  for (const row of rows) {
    const [id, fields] = row as [Uint8Array, Uint8Array[]];
    const body = fields[1];
    if (!body) continue;
    out.push(decodeEntryBody(body, seqOfId(id)).entry);
  }
  return out;
}

export class RedisLogs {
  readonly local: LocalLogs;
  /** Entries appended through the script (already published to Redis). */
  readonly #own = new WeakSet<LogEntry>();

  constructor(
    private readonly core: RedisCore,
    private readonly opts: RedisLogsOptions,
  ) {
    this.local = new LocalLogs({ recentPerLog: opts.recentPerLog, outageBuffer: opts.outageBuffer });
  }

  /** The APPEND script: [seq, duplicate]. With `check`, a known publisher + message id returns the original's seq. */
  async #appendScript(log: string, channel: string, entry: Omit<LogEntry, 'seq'>, check: boolean): Promise<[number, boolean]> {
    const { cmd, keys } = this.core;
    const body = buf(encodeEntryBody(log, entry));
    const key = dedupeKey(entry.from, entry.messageId) ?? '';
    const [seq, dup] = await cmd.flareAppend(keys.counter(log), keys.stream(log), keys.ids(log), String(this.opts.historySize), keys.channel(channel), body, key, String(this.opts.dedupeWindow), check ? '1' : '0');
    return [Number(seq), Number(dup) === 1];
  }

  /** Appends through Redis when `ready`, else (or when Redis fails) provisionally. */
  async append(log: string, entry: Omit<LogEntry, 'seq'>, ready: boolean): Promise<Appended> {
    const st = this.local.touch(log);
    if (ready) {
      try {
        const [seq, duplicate] = await this.#appendScript(log, this.opts.channelFor(log), entry, true);
        if (duplicate) return { ...entry, seq, duplicate: true };
        const full: LogEntry = { ...entry, seq };
        this.#own.add(full);
        this.local.noteOwn(log, full);
        this.local.learn(st, seq);
        return full;
      } catch (e) {
        if (!isConnectionError(e)) throw e;
        this.core.commandFailed('append', e);
      }
    }
    return this.local.provisional(log, st, entry);
  }

  async range(log: string, options: RangeOptions): Promise<LogEntry[]> {
    if (options.limit <= 0) return [];
    const reverse = options.after === undefined && options.before !== undefined;
    const st = this.local.touch(log);
    const { cmd, keys } = this.core;
    return await orLocal(
      this.core,
      'range',
      async () => {
        const reply = await cmd.flareRangeBuffer(
          keys.counter(log),
          keys.stream(log),
          String(options.after ?? -1),
          String(options.before === undefined ? -1 : Math.min(options.before, MAX_SAFE)),
          String(options.limit),
          String(Math.max(1, this.opts.historySize)),
          reverse ? '1' : '0',
        );
        const entries = entriesOf(reply[1] as Reply[]);
        if (reverse) entries.reverse();
        this.local.learn(st, Number(reply[0]));
        return entries;
      },
      () => this.local.recentRange(st, options), // degraded: what this process saw recently
    );
  }

  lastSeq(log: string): Promise<number> {
    const st = this.local.touch(log);
    return orLocal(
      this.core,
      'lastSeq',
      async () => {
        const v = Number((await this.core.cmd.get(this.core.keys.counter(log))) ?? 0);
        // While recovering, Redis may not have been raised to what this process knows yet.
        const known = st.based ? st.hw : 0;
        this.local.learn(st, v);
        return Math.max(v, known);
      },
      () => st.hw,
    );
  }

  /** Whether the append script already published this entry on `channel`. */
  publishedByScript(channel: string, log: string, entry: LogEntry): boolean {
    return this.#own.has(entry) && channel === this.opts.channelFor(log);
  }

  /** An entry about to be handed to local subscribers: false for a redelivery (drop it). */
  admit(log: string, entry: LogEntry, up: boolean): boolean {
    const st = this.local.touch(log);
    if (!this.local.handOut(st, entry)) return false;
    if (!this.local.isProvisional(entry)) {
      if (up) this.local.learn(st, entry.seq);
      else st.hw = Math.max(st.hw, entry.seq);
    }
    return true;
  }

  /**
   * Recovery: raises every known counter to this process's high-water mark,
   * hands local subscribers what they missed (`deliver`), and re-appends
   * outage entries and the real entries that provisional seqs hid here.
   * `check` throws when the recovery was interrupted.
   */
  async resync(check: () => void, subscribed: (log: string) => boolean, deliver: (channel: string, m: BrokerMessage) => void): Promise<{ logs: number; caught_up: number; reappended: number }> {
    const { cmd, keys } = this.core;
    let caughtUp = 0;
    let reappended = 0;
    const logs = this.local.entries();
    const limit = String(Math.max(this.opts.historySize, 1000));
    for (let i = 0; i < logs.length; i += 200) {
      const batch = logs.slice(i, i + 200);
      const replies = await Promise.all(
        batch.map(([log, st]) => {
          const { hw, from } = this.local.resyncRequest(st, subscribed(log));
          return cmd.flareResyncBuffer(keys.counter(log), keys.stream(log), String(hw), String(from), limit);
        }),
      );
      check();
      for (let j = 0; j < batch.length; j++) {
        const [log, st] = batch[j]!;
        const reply = replies[j]!;
        const old = Number(reply[0]);
        const entries = entriesOf(reply[1] as Reply[]);
        const channel = this.opts.channelFor(log);
        const plan = this.local.plan(st, old, entries, subscribed(log));
        st.hw = Math.max(st.hw, old, entries.at(-1)?.seq ?? 0);
        for (const e of plan.catchUp) deliver(channel, { kind: 'entry', log, entry: e });
        caughtUp += plan.catchUp.length;
        for (const e of plan.again) {
          const { seq: _seq, ...rest } = e;
          // A copy, appended even though its id is known (check '0'); later resends find it.
          const [seq] = await this.#appendScript(log, channel, rest, false);
          st.hw = Math.max(st.hw, seq);
          this.local.noteOwn(log, { ...rest, seq });
        }
        // Only now: an interrupted recovery redoes all of it (receivers de-duplicate by message id).
        this.local.settle(st);
        reappended += plan.again.length;
        if (plan.again.length) this.core.log?.info('outage entries written to redis', { log, ...plan.counts });
      }
    }
    return { logs: logs.length, caught_up: caughtUp, reappended };
  }
}
