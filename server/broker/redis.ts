/**
 * The Redis Broker: several server processes behave as one (docs/SCALE-OUT.md).
 *
 * - Channels: Redis pub/sub on a dedicated subscriber connection; one Redis
 *   subscription per channel per process, however many local handlers.
 * - Logs: a counter (`INCR`) and a stream whose ids are `<seq>-0`, written by
 *   one Lua script that also PUBLISHes the entry, so every process receives a
 *   log's entries in seq order. Streams are trimmed with `MAXLEN ~`; reads
 *   clamp to the last `historySize` like the in-memory broker.
 * - Presence: a sorted set per room scored by expiry (Redis' clock) plus a
 *   hash of member JSON; a crashed process's members expire.
 *
 * While Redis is unreachable the broker is *degraded*: publishes reach this
 * process's subscribers only; appends to logs this process knows get
 * provisional seqs (continuing its highest known seq) and are delivered
 * locally; presence is kept in a local mirror. When both connections are back
 * it recovers by itself: resubscribe, re-add presence, raise every counter to
 * at least the highest seq this process has seen (a Redis restart without
 * persistence must not make seqs go backwards), deliver what local
 * subscribers missed, and re-append the outage's entries (and any real entry
 * a provisional seq hid) under new seqs. The history epoch is kept in Redis
 * (a Redis that lost its data gets a new one). See docs/SCALE-OUT.md for the
 * guarantees.
 */
import { Buffer } from 'node:buffer';
import { Redis } from 'ioredis';
import type { Logger } from '../log.ts';
import { newEpoch, type Appended, type Broker, type BrokerHealth, type BrokerMessage, type LogEntry, type PresenceMember, type RangeOptions, type Unsubscribe } from './broker.ts';
import { defineScripts, type Reply, type ScriptedRedis } from './redis-scripts.ts';
import { LocalLogs } from './local-logs.ts';
import { DEDUPE_WINDOW, dedupeKey } from './recent-ids.ts';
import { decodeEntryBody, decodeMember, decodeMessage, encodeEntryBody, encodeMember, encodeMessage, seqOfId } from './redis-codec.ts';

export interface RedisBrokerOptions {
  /** redis://[user:password@]host:port[/db] (rediss:// for TLS). */
  url: string;
  /** Entries kept per log (streams are trimmed to about this; reads clamp to it). */
  historySize: number;
  /** Prefix of every key and channel, so deployments can share a Redis (default `flare`). */
  prefix?: string;
  log?: Logger;
  /** Called when a subscriber throws (it does not affect other subscribers). */
  onHandlerError?: (e: unknown) => void;
  /** The channel on which a log's entries are published (default: `inbox:<u>` -> `user:<u>`, else the log's name). */
  channelFor?: (log: string) => string;
  /** Seqs per log within which a repeated publisher + message id is a duplicate (default DEDUPE_WINDOW). */
  dedupeWindow?: number;
  /** Recent entries kept per log in this process, for history reads during an outage (default 64). */
  recentPerLog?: number;
  /** Most provisional entries held during an outage, all logs together (default 10,000). */
  outageBuffer?: number;
  /** A Redis command that has not answered in this time counts as a lost connection (default 3 s). */
  commandTimeoutMs?: number;
  /** Longest pause between reconnection attempts (default 1 s). */
  reconnectMaxDelayMs?: number;
  /** How often expired presence members of rooms with local members are removed and announced (default 1 s). */
  reapIntervalMs?: number;
}

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

interface PresenceLocal {
  member: PresenceMember;
  ttlMs: number;
  expires: number;
}

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** The default: a user's direct messages go out on the user's channel. */
export function defaultChannelFor(log: string): string {
  return log.startsWith('inbox:') ? `user:${log.slice('inbox:'.length)}` : log;
}

function redact(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return 'redis';
  }
}

const decoder = new TextDecoder();

/** ioredis sends Buffers as bytes (a plain Uint8Array would be stringified). */
function buf(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function isConnectionError(e: unknown): boolean {
  const msg = e instanceof Error ? `${e.name} ${e.message}` : String(e);
  return /connection is closed|stream isn't writeable|command timed out|MaxRetriesPerRequest|ECONNRE|EPIPE|ETIMEDOUT|ENOTCONN|socket|connection lost|broken pipe/i.test(msg);
}

export class RedisBroker implements Broker {
  readonly kind = 'redis';
  readonly #opts: Required<Omit<RedisBrokerOptions, 'log' | 'onHandlerError'>> & Pick<RedisBrokerOptions, 'log' | 'onHandlerError'>;
  readonly #cmd: Redis & ScriptedRedis;
  readonly #sub: Redis;
  readonly #prefix: string;
  readonly #handlers = new Map<string, Set<(m: BrokerMessage) => void>>();
  readonly #logs: LocalLogs;
  readonly #presence = new Map<string, Map<string, PresenceLocal>>();
  /** Entries appended through the script (already published to Redis). */
  readonly #own = new WeakSet<LogEntry>();
  #state: RedisState = RedisState.CONNECTING;
  #generation = 0;
  #downSince: number | null = Date.now();
  #lastError = 'connecting';
  #recoveries = 0;
  #everReady = false;
  /** Messages that arrive while recovering, delivered once it is done. */
  #held: Array<[string, Uint8Array]> = [];
  #waiters: Array<() => void> = [];
  #pruner: ReturnType<typeof setInterval> | null = null;
  #reaper: ReturnType<typeof setInterval> | null = null;
  #reaping = false;
  #lastErrorLog = 0;
  /** The history epoch stored in Redis (null until Redis answered once). */
  #epoch: string | null = null;

  constructor(options: RedisBrokerOptions) {
    this.#opts = {
      prefix: 'flare',
      channelFor: defaultChannelFor,
      recentPerLog: 64,
      outageBuffer: 10_000,
      commandTimeoutMs: 3_000,
      reconnectMaxDelayMs: 1_000,
      reapIntervalMs: 1_000,
      dedupeWindow: DEDUPE_WINDOW,
      ...options,
    };
    this.#prefix = this.#opts.prefix;
    this.#logs = new LocalLogs({ recentPerLog: this.#opts.recentPerLog, outageBuffer: this.#opts.outageBuffer });
    const common = {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      autoResubscribe: false,
      autoResendUnfulfilledCommands: false,
      connectTimeout: Math.max(1000, this.#opts.commandTimeoutMs),
      retryStrategy: (times: number) => Math.min(50 * 2 ** Math.min(times, 6), this.#opts.reconnectMaxDelayMs),
    };
    this.#cmd = new Redis(this.#opts.url, { ...common, commandTimeout: this.#opts.commandTimeoutMs, connectionName: 'flare-cmd' }) as Redis & ScriptedRedis;
    this.#sub = new Redis(this.#opts.url, { ...common, connectionName: 'flare-sub' });
    defineScripts(this.#cmd);
    for (const [name, conn] of [['cmd', this.#cmd], ['sub', this.#sub]] as const) {
      conn.on('ready', () => this.#connectionChanged());
      conn.on('close', () => this.#connectionChanged());
      conn.on('end', () => this.#connectionChanged());
      conn.on('error', (e: Error) => this.#noteError(`${name}: ${e.message || e.name}`));
    }
    this.#sub.on('messageBuffer', (channel: Uint8Array, message: Uint8Array) => this.#onRedisMessage(channel, message));
    this.#pruner = setInterval(() => this.#logs.prune(600_000, (log) => this.#handlers.has(this.#opts.channelFor(log))), 60_000);
    this.#reaper = setInterval(() => void this.#reap(), this.#opts.reapIntervalMs);
    if (typeof Deno !== 'undefined') {
      Deno.unrefTimer(this.#pruner as unknown as number);
      Deno.unrefTimer(this.#reaper as unknown as number);
    }
  }

  /**
   * Creates a broker and waits (up to `waitMs`) for Redis. When Redis is not
   * reachable by then, the broker starts degraded and keeps trying.
   */
  static async connect(options: RedisBrokerOptions, waitMs = 5_000): Promise<RedisBroker> {
    const b = new RedisBroker(options);
    b.#cmd.connect().catch(() => {});
    b.#sub.connect().catch(() => {});
    await b.whenReady(waitMs);
    if (b.#state !== RedisState.READY) options.log?.warn('redis unreachable at start: the broker runs degraded until it answers', { redis: redact(options.url), error: b.#lastError });
    return b;
  }

  get state(): RedisState {
    return this.#state;
  }

  /** Resolves once the broker is ready (true) or `timeoutMs` passed (false). */
  async whenReady(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (this.#state !== RedisState.READY) {
      const left = deadline - Date.now();
      if (left <= 0 || this.#state === RedisState.CLOSED) return false;
      await this.#nextStateChange(left);
    }
    return true;
  }

  #nextStateChange(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, timeoutMs);
      function done() {
        clearTimeout(t);
        resolve();
      }
      this.#waiters.push(done);
    });
  }

  #setState(next: RedisState): void {
    if (this.#state === next) return;
    this.#state = next;
    const w = this.#waiters;
    this.#waiters = [];
    for (const f of w) f();
  }

  #noteError(text: string): void {
    this.#lastError = text;
    const now = Date.now();
    if (now - this.#lastErrorLog > 5_000) {
      this.#lastErrorLog = now;
      this.#opts.log?.warn('redis error', { error: text });
    }
  }

  /**
   * A command failed for a connection reason. A timeout leaves the socket
   * "ready" (Redis hung, or the network drops packets silently): reconnect,
   * so the broker turns degraded instead of waiting out every command.
   */
  #commandFailed(where: string, e: unknown): void {
    const message = e instanceof Error ? e.message : String(e);
    this.#noteError(`${where}: ${message}`);
    if (/timed out/i.test(message) && this.#state === RedisState.READY) {
      this.#cmd.disconnect(true);
      this.#sub.disconnect(true);
    }
  }

  // ------------------------------------------------------------- connection

  #connectionChanged(): void {
    if (this.#state === RedisState.CLOSED) return;
    const up = this.#cmd.status === 'ready' && this.#sub.status === 'ready';
    if (!up) {
      if (this.#state !== RedisState.DOWN && this.#state !== RedisState.CONNECTING) {
        this.#generation++;
        this.#downSince = Date.now();
        this.#held = [];
        this.#logs.markSuspects();
        this.#setState(RedisState.DOWN);
        this.#opts.log?.warn('redis unreachable: the broker is degraded (local delivery only)', { error: this.#lastError });
      }
      return;
    }
    if (this.#state === RedisState.DOWN || this.#state === RedisState.CONNECTING) void this.#recover();
  }

  async #recover(): Promise<void> {
    const gen = ++this.#generation;
    const check = () => {
      if (gen !== this.#generation) throw new Error('recovery interrupted');
    };
    this.#held = [];
    this.#setState(RedisState.RECOVERING);
    const t0 = Date.now();
    try {
      const channels = [...this.#handlers.keys()].map((c) => this.#channelKey(c));
      for (let i = 0; i < channels.length; i += 500) await this.#sub.subscribe(...channels.slice(i, i + 500));
      check();
      await this.#loadEpoch();
      check();
      await this.#readdPresence();
      check();
      const stats = await this.#resyncLogs(check);
      check();
      const held = this.#held;
      this.#held = [];
      for (const [channel, bytes] of held) this.#deliverRaw(channel, bytes);
      const wasDown = this.#everReady;
      this.#everReady = true;
      if (wasDown) this.#recoveries++;
      this.#downSince = null;
      this.#setState(RedisState.READY);
      this.#opts.log?.info(wasDown ? 'redis reachable again: broker recovered' : 'redis broker ready', { redis: redact(this.#opts.url), channels: channels.length, ms: Date.now() - t0, ...stats });
    } catch (e) {
      if (gen !== this.#generation || this.#state === RedisState.CLOSED) return;
      this.#noteError(`recovery: ${(e as Error).message}`);
      this.#downSince ??= Date.now();
      this.#setState(RedisState.DOWN);
      setTimeout(() => this.#connectionChanged(), 250);
    }
  }

  /** Reads the epoch from Redis; a Redis that lost its data (the key with it) gets a new one. */
  async #loadEpoch(): Promise<void> {
    const epoch = await this.#cmd.flareEpoch(`${this.#prefix}:epoch`, newEpoch());
    if (this.#epoch !== null && epoch !== this.#epoch) this.#opts.log?.warn('redis lost its data: new history epoch (clients reload history)', { from: this.#epoch, to: epoch });
    this.#epoch = epoch;
  }

  async #readdPresence(): Promise<void> {
    const now = Date.now();
    const work: Promise<unknown>[] = [];
    for (const [set, members] of this.#presence) {
      for (const [id, p] of members) {
        if (p.expires <= now) {
          members.delete(id);
          continue;
        }
        const [z, h] = this.#presenceKeys(set);
        work.push(this.#cmd.flarePresenceAdd(z, h, id, encodeMember(p.member), String(p.ttlMs)));
      }
      if (members.size === 0) this.#presence.delete(set);
    }
    await Promise.all(work);
  }

  /**
   * Raises every known counter to this process's high-water mark, delivers
   * what local subscribers missed, and re-appends outage entries and the real
   * entries that provisional seqs hid here.
   */
  async #resyncLogs(check: () => void): Promise<{ logs: number; caught_up: number; reappended: number }> {
    let caughtUp = 0;
    let reappended = 0;
    const logs = this.#logs.entries();
    const limit = String(Math.max(this.#opts.historySize, 1000));
    const subscribed = (log: string) => this.#handlers.has(this.#opts.channelFor(log));
    for (let i = 0; i < logs.length; i += 200) {
      const batch = logs.slice(i, i + 200);
      const replies = await Promise.all(
        batch.map(([log, st]) => {
          const { hw, from } = this.#logs.resyncRequest(st, subscribed(log));
          return this.#cmd.flareResyncBuffer(this.#counterKey(log), this.#streamKey(log), String(hw), String(from), limit);
        }),
      );
      check();
      for (let j = 0; j < batch.length; j++) {
        const [log, st] = batch[j]!;
        const reply = replies[j]!;
        const old = Number(reply[0]);
        const entries = this.#entriesOf(reply[1] as Reply[]);
        const channel = this.#opts.channelFor(log);
        const plan = this.#logs.plan(st, old, entries, subscribed(log));
        st.hw = Math.max(st.hw, old, entries.at(-1)?.seq ?? 0);
        for (const e of plan.catchUp) this.#dispatch(channel, { kind: 'entry', log, entry: e });
        caughtUp += plan.catchUp.length;
        for (const e of plan.again) {
          const { seq: _seq, ...rest } = e;
          // A copy, appended even though its id is known (check '0'); later resends find it.
          const [seq] = await this.#appendScript(log, channel, rest, false);
          st.hw = Math.max(st.hw, seq);
          this.#logs.noteOwn(log, { ...rest, seq });
        }
        // Only now: an interrupted recovery redoes all of it (receivers de-duplicate by message id).
        this.#logs.settle(st);
        reappended += plan.again.length;
        if (plan.again.length) this.#opts.log?.info('outage entries written to redis', { log, ...plan.counts });
      }
    }
    return { logs: logs.length, caught_up: caughtUp, reappended };
  }

  // --------------------------------------------------------------- channels

  #channelKey(channel: string): string {
    return `${this.#prefix}:ch:${channel}`;
  }

  #onRedisMessage(channelBytes: Uint8Array, message: Uint8Array): void {
    const full = decoder.decode(channelBytes);
    const channel = full.slice(this.#prefix.length + 4);
    if (this.#state === RedisState.RECOVERING) {
      this.#held.push([channel, message]);
      return;
    }
    this.#deliverRaw(channel, message);
  }

  #deliverRaw(channel: string, bytes: Uint8Array): void {
    if (!this.#handlers.has(channel)) return;
    let m: BrokerMessage;
    try {
      m = decodeMessage(bytes);
    } catch (e) {
      this.#noteError(`undecodable message on ${channel}: ${(e as Error).message}`);
      return;
    }
    this.#dispatch(channel, m);
  }

  /** Delivers to this process's subscribers, in order. */
  #dispatch(channel: string, m: BrokerMessage): void {
    if (m.kind === 'entry') {
      const st = this.#logs.touch(m.log);
      // Redelivery (catch-up next to held live messages, a degraded fallback): drop it.
      if (!this.#logs.handOut(st, m.entry)) return;
      if (!this.#logs.isProvisional(m.entry)) {
        if (this.#up()) this.#logs.learn(st, m.entry.seq);
        else st.hw = Math.max(st.hw, m.entry.seq);
      }
    }
    const subs = this.#handlers.get(channel);
    if (!subs) return;
    for (const handler of [...subs]) {
      try {
        handler(m);
      } catch (e) {
        this.#opts.onHandlerError?.(e);
      }
    }
  }

  #up(): boolean {
    return this.#state === RedisState.READY || this.#state === RedisState.RECOVERING;
  }

  async publish(channel: string, message: BrokerMessage): Promise<void> {
    if (message.kind === 'entry') {
      const e = message.entry;
      if (this.#logs.isProvisional(e)) return this.#dispatch(channel, message);
      if (this.#own.has(e) && channel === this.#opts.channelFor(message.log)) {
        // The append script published it already. While degraded the subscriber
        // may have missed it: deliver here too (receivers drop seqs they have).
        if (!this.#up()) this.#dispatch(channel, message);
        return;
      }
    }
    if (this.#up()) {
      try {
        await this.#cmd.publish(this.#channelKey(channel), buf(encodeMessage(message)));
        return;
      } catch (e) {
        if (!isConnectionError(e)) throw e;
        this.#commandFailed('publish', e);
      }
    }
    this.#dispatch(channel, message);
  }

  async subscribe(channel: string, handler: (message: BrokerMessage) => void): Promise<Unsubscribe> {
    let subs = this.#handlers.get(channel);
    const first = !subs;
    if (!subs) this.#handlers.set(channel, (subs = new Set()));
    subs.add(handler);
    if (first && this.#up()) {
      // Failures are fine: recovery resubscribes every channel.
      await this.#sub.subscribe(this.#channelKey(channel)).catch((e: Error) => this.#noteError(`subscribe: ${e.message}`));
    }
    return async () => {
      subs.delete(handler);
      if (subs.size === 0 && this.#handlers.get(channel) === subs) {
        this.#handlers.delete(channel);
        if (this.#up()) await this.#sub.unsubscribe(this.#channelKey(channel)).catch(() => {});
      }
    };
  }

  // -------------------------------------------------------------------- logs

  #counterKey(log: string): string {
    return `${this.#prefix}:{${log}}:seq`;
  }

  #streamKey(log: string): string {
    return `${this.#prefix}:{${log}}:log`;
  }

  #idsKey(log: string): string {
    return `${this.#prefix}:{${log}}:ids`;
  }

  /** The APPEND script: [seq, duplicate]. With `check`, a known publisher + message id returns the original's seq. */
  async #appendScript(log: string, channel: string, entry: Omit<LogEntry, 'seq'>, check: boolean): Promise<[number, boolean]> {
    const body = buf(encodeEntryBody(log, entry));
    const key = dedupeKey(entry.from, entry.messageId) ?? '';
    const [seq, dup] = await this.#cmd.flareAppend(this.#counterKey(log), this.#streamKey(log), this.#idsKey(log), String(this.#opts.historySize), this.#channelKey(channel), body, key, String(this.#opts.dedupeWindow), check ? '1' : '0');
    return [Number(seq), Number(dup) === 1];
  }

  async #settled(): Promise<void> {
    while (this.#state === RedisState.RECOVERING) await this.#nextStateChange(this.#opts.commandTimeoutMs);
  }

  async append(log: string, entry: Omit<LogEntry, 'seq'>): Promise<Appended> {
    if (this.#state === RedisState.RECOVERING) await this.#settled();
    const st = this.#logs.touch(log);
    if (this.#state === RedisState.READY) {
      try {
        const [seq, duplicate] = await this.#appendScript(log, this.#opts.channelFor(log), entry, true);
        if (duplicate) return { ...entry, seq, duplicate: true };
        const full: LogEntry = { ...entry, seq };
        this.#own.add(full);
        this.#logs.noteOwn(log, full);
        this.#logs.learn(st, seq);
        return full;
      } catch (e) {
        if (!isConnectionError(e)) throw e;
        this.#commandFailed('append', e);
      }
    }
    return this.#logs.provisional(log, st, entry);
  }

  #entriesOf(rows: Reply[]): LogEntry[] {
    const out: LogEntry[] = [];
    for (const row of rows) {
      const [id, fields] = row as [Uint8Array, Uint8Array[]];
      const body = fields[1];
      if (!body) continue;
      out.push(decodeEntryBody(body, seqOfId(id)).entry);
    }
    return out;
  }

  async range(log: string, options: RangeOptions): Promise<LogEntry[]> {
    if (options.limit <= 0) return [];
    const reverse = options.after === undefined && options.before !== undefined;
    const st = this.#logs.touch(log);
    if (this.#up()) {
      try {
        const reply = await this.#cmd.flareRangeBuffer(
          this.#counterKey(log),
          this.#streamKey(log),
          String(options.after ?? -1),
          String(options.before === undefined ? -1 : Math.min(options.before, MAX_SAFE)),
          String(options.limit),
          String(Math.max(1, this.#opts.historySize)),
          reverse ? '1' : '0',
        );
        const entries = this.#entriesOf(reply[1] as Reply[]);
        if (reverse) entries.reverse();
        this.#logs.learn(st, Number(reply[0]));
        return entries;
      } catch (e) {
        if (!isConnectionError(e)) throw e;
        this.#commandFailed('range', e);
      }
    }
    return this.#logs.recentRange(st, options); // degraded: what this process saw recently
  }

  async lastSeq(log: string): Promise<number> {
    const st = this.#logs.touch(log);
    if (this.#up()) {
      try {
        const v = Number((await this.#cmd.get(this.#counterKey(log))) ?? 0);
        // While recovering, Redis may not have been raised to what this process knows yet.
        const known = st.based ? st.hw : 0;
        this.#logs.learn(st, v);
        return Math.max(v, known);
      } catch (e) {
        if (!isConnectionError(e)) throw e;
        this.#commandFailed('lastSeq', e);
      }
    }
    return st.hw;
  }

  // ---------------------------------------------------------------- presence

  #presenceKeys(set: string): [string, string] {
    return [`${this.#prefix}:{presence:${set}}:z`, `${this.#prefix}:{presence:${set}}:h`];
  }

  async presenceAdd(set: string, member: PresenceMember, ttlMs: number): Promise<boolean> {
    let local = this.#presence.get(set);
    if (!local) this.#presence.set(set, (local = new Map()));
    const now = Date.now();
    const prev = local.get(member.id);
    local.set(member.id, { member, ttlMs, expires: now + ttlMs });
    if (this.#up()) {
      try {
        const [z, h] = this.#presenceKeys(set);
        return (await this.#cmd.flarePresenceAdd(z, h, member.id, encodeMember(member), String(ttlMs))) === 1;
      } catch (e) {
        if (!isConnectionError(e)) throw e;
        this.#commandFailed('presence', e);
      }
    }
    return !prev || prev.expires <= now;
  }

  async presenceRemove(set: string, memberId: string): Promise<boolean> {
    const local = this.#presence.get(set);
    const prev = local?.get(memberId);
    local?.delete(memberId);
    if (local && local.size === 0) this.#presence.delete(set);
    if (this.#up()) {
      try {
        const [z, h] = this.#presenceKeys(set);
        return (await this.#cmd.flarePresenceRemove(z, h, memberId)) === 1;
      } catch (e) {
        if (!isConnectionError(e)) throw e;
        this.#commandFailed('presence', e);
      }
    }
    return !!prev && prev.expires > Date.now();
  }

  /**
   * Removes expired members (of a crashed or cut-off process) from the rooms
   * this process has members in, and publishes their `leave`: the reap script
   * hands each one to exactly one process.
   */
  async #reap(): Promise<void> {
    if (this.#reaping || this.#state !== RedisState.READY) return;
    this.#reaping = true;
    try {
      for (const set of [...this.#presence.keys()]) {
        if (!set.startsWith('room:')) continue;
        const [z, h] = this.#presenceKeys(set);
        const dead = (await this.#cmd.flarePresenceReapBuffer(z, h)).map(decodeMember);
        for (const member of dead) await this.publish(set, { kind: 'presence', room: set.slice('room:'.length), action: 'leave', member });
      }
    } catch (e) {
      if (!isConnectionError(e)) this.#opts.log?.warn('presence reaping failed', { err: e });
    } finally {
      this.#reaping = false;
    }
  }

  async presenceList(set: string): Promise<PresenceMember[]> {
    if (this.#up()) {
      try {
        const [z, h] = this.#presenceKeys(set);
        return (await this.#cmd.flarePresenceListBuffer(z, h)).map(decodeMember);
      } catch (e) {
        if (!isConnectionError(e)) throw e;
        this.#commandFailed('presence', e);
      }
    }
    // Degraded: this process's own members only.
    const now = Date.now();
    return [...(this.#presence.get(set)?.values() ?? [])].filter((p) => p.expires > now).map((p) => p.member);
  }

  // ------------------------------------------------------------------- misc

  epoch(): string | null {
    return this.#epoch;
  }

  health(): RedisBrokerHealth {
    const ok = this.#state === RedisState.READY;
    return {
      ok,
      kind: this.kind,
      ...(ok ? {} : { detail: `${this.#state}: ${this.#lastError}` }),
      state: this.#state,
      redis: redact(this.#opts.url),
      ...(this.#downSince !== null && !ok ? { down_since: this.#downSince } : {}),
      provisional: this.#logs.pendingTotal,
      recoveries: this.#recoveries,
    };
  }

  async close(): Promise<void> {
    if (this.#state === RedisState.CLOSED) return;
    this.#generation++;
    this.#setState(RedisState.CLOSED);
    if (this.#pruner !== null) clearInterval(this.#pruner);
    if (this.#reaper !== null) clearInterval(this.#reaper);
    this.#handlers.clear();
    const quit = (c: Redis) => (c.status === 'ready' ? c.quit().catch(() => c.disconnect()) : Promise.resolve(c.disconnect()));
    await Promise.all([quit(this.#cmd), quit(this.#sub)]);
  }
}
