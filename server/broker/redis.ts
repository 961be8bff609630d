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
 * This file holds the connections, their state and recovery; channels are in
 * redis-channels.ts, logs in redis-logs.ts (with local-logs.ts), presence in
 * redis-presence.ts.
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
import type { Redis } from 'ioredis';
import type { Logger } from '../log.ts';
import { newEpoch, type Appended, type Broker, type BrokerMessage, type LogEntry, type PresenceMember, type RangeOptions, type Unsubscribe } from './broker.ts';
import { DEDUPE_WINDOW } from './recent-ids.ts';
import { RedisChannels } from './redis-channels.ts';
import { createConnections, defaultChannelFor, redact, RedisKeys, type RedisCore } from './redis-core.ts';
import { RedisLogs } from './redis-logs.ts';
import { RedisPresence } from './redis-presence.ts';
import type { ScriptedRedis } from './redis-scripts.ts';
import { RedisState, RedisStatus, type RedisBrokerHealth } from './redis-status.ts';

export { defaultChannelFor, RedisState, type RedisBrokerHealth };

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

export class RedisBroker implements Broker {
  readonly kind = 'redis';
  readonly #opts: Required<Omit<RedisBrokerOptions, 'log' | 'onHandlerError'>> & Pick<RedisBrokerOptions, 'log' | 'onHandlerError'>;
  readonly #cmd: Redis & ScriptedRedis;
  readonly #sub: Redis;
  readonly #keys: RedisKeys;
  readonly #channels: RedisChannels;
  readonly #logs: RedisLogs;
  readonly #presence: RedisPresence;
  readonly #status: RedisStatus;
  #generation = 0;
  #pruner: ReturnType<typeof setInterval> | null = null;
  #reaper: ReturnType<typeof setInterval> | null = null;
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
    this.#status = new RedisStatus(this.#opts.log);
    this.#keys = new RedisKeys(this.#opts.prefix);
    ({ cmd: this.#cmd, sub: this.#sub } = createConnections(this.#opts.url, this.#opts.commandTimeoutMs, this.#opts.reconnectMaxDelayMs));
    const core: RedisCore = { cmd: this.#cmd, keys: this.#keys, log: this.#opts.log, up: () => this.#up(), commandFailed: (where, e) => this.#commandFailed(where, e) };
    this.#logs = new RedisLogs(core, this.#opts);
    this.#channels = new RedisChannels(core, this.#sub, this.#logs, this.#status, this.#opts.channelFor, this.#opts.onHandlerError);
    this.#presence = new RedisPresence(core, (channel, m) => this.publish(channel, m));
    for (const [name, conn] of [['cmd', this.#cmd], ['sub', this.#sub]] as const) {
      conn.on('ready', () => this.#connectionChanged());
      conn.on('close', () => this.#connectionChanged());
      conn.on('end', () => this.#connectionChanged());
      conn.on('error', (e: Error) => this.#noteError(`${name}: ${e.message || e.name}`));
    }
    this.#pruner = setInterval(() => this.#logs.local.prune(600_000, (log) => this.#channels.subscribed(log)), 60_000);
    this.#reaper = setInterval(() => this.#status.state === RedisState.READY && void this.#presence.reap(), this.#opts.reapIntervalMs);
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
    if (b.#status.state !== RedisState.READY) options.log?.warn('redis unreachable at start: the broker runs degraded until it answers', { redis: redact(options.url), error: b.#status.lastError });
    return b;
  }

  get state(): RedisState {
    return this.#status.state;
  }

  /** Resolves once the broker is ready (true) or `timeoutMs` passed (false). */
  whenReady(timeoutMs: number): Promise<boolean> {
    return this.#status.whenReady(timeoutMs);
  }

  #noteError(text: string): void {
    this.#status.noteError(text);
  }

  /**
   * A command failed for a connection reason. A timeout leaves the socket
   * "ready" (Redis hung, or the network drops packets silently): reconnect,
   * so the broker turns degraded instead of waiting out every command.
   */
  #commandFailed(where: string, e: unknown): void {
    const message = e instanceof Error ? e.message : String(e);
    this.#noteError(`${where}: ${message}`);
    if (/timed out/i.test(message) && this.#status.state === RedisState.READY) {
      this.#cmd.disconnect(true);
      this.#sub.disconnect(true);
    }
  }

  // ------------------------------------------------------------- connection

  #connectionChanged(): void {
    if (this.#status.state === RedisState.CLOSED) return;
    const up = this.#cmd.status === 'ready' && this.#sub.status === 'ready';
    if (!up) {
      if (this.#status.state !== RedisState.DOWN && this.#status.state !== RedisState.CONNECTING) {
        this.#generation++;
        this.#status.downSince = Date.now();
        this.#channels.dropHeld();
        this.#logs.local.markSuspects();
        this.#status.set(RedisState.DOWN);
        this.#opts.log?.warn('redis unreachable: the broker is degraded (local delivery only)', { error: this.#status.lastError });
      }
      return;
    }
    if (this.#status.state === RedisState.DOWN || this.#status.state === RedisState.CONNECTING) void this.#recover();
  }

  async #recover(): Promise<void> {
    const gen = ++this.#generation;
    const check = () => {
      if (gen !== this.#generation) throw new Error('recovery interrupted');
    };
    this.#channels.dropHeld();
    this.#status.set(RedisState.RECOVERING);
    const t0 = Date.now();
    try {
      const channels = await this.#channels.resubscribe();
      check();
      await this.#loadEpoch();
      check();
      await this.#presence.readd();
      check();
      const stats = await this.#logs.resync(check, (log) => this.#channels.subscribed(log), (channel, m) => this.#channels.dispatch(channel, m));
      check();
      this.#channels.releaseHeld();
      const wasDown = this.#status.everReady;
      this.#status.everReady = true;
      if (wasDown) this.#status.recoveries++;
      this.#status.downSince = null;
      this.#status.set(RedisState.READY);
      this.#opts.log?.info(wasDown ? 'redis reachable again: broker recovered' : 'redis broker ready', { redis: redact(this.#opts.url), channels, ms: Date.now() - t0, ...stats });
    } catch (e) {
      if (gen !== this.#generation || this.#status.state === RedisState.CLOSED) return;
      this.#noteError(`recovery: ${(e as Error).message}`);
      this.#status.downSince ??= Date.now();
      this.#status.set(RedisState.DOWN);
      setTimeout(() => this.#connectionChanged(), 250);
    }
  }

  /** Reads the epoch from Redis; a Redis that lost its data (the key with it) gets a new one. */
  async #loadEpoch(): Promise<void> {
    const epoch = await this.#cmd.flareEpoch(this.#keys.epoch(), newEpoch());
    if (this.#epoch !== null && epoch !== this.#epoch) this.#opts.log?.warn('redis lost its data: new history epoch (clients reload history)', { from: this.#epoch, to: epoch });
    this.#epoch = epoch;
  }

  #up(): boolean {
    return this.#status.up;
  }

  // --------------------------------------------------------------- channels

  publish(channel: string, message: BrokerMessage): Promise<void> {
    return this.#channels.publish(channel, message);
  }

  subscribe(channel: string, handler: (message: BrokerMessage) => void): Promise<Unsubscribe> {
    return this.#channels.subscribe(channel, handler);
  }

  // ------------------------------------------------------- logs and presence

  async #settled(): Promise<void> {
    while (this.#status.state === RedisState.RECOVERING) await this.#status.nextChange(this.#opts.commandTimeoutMs);
  }

  async append(log: string, entry: Omit<LogEntry, 'seq'>): Promise<Appended> {
    if (this.#status.state === RedisState.RECOVERING) await this.#settled();
    return this.#logs.append(log, entry, this.#status.state === RedisState.READY);
  }

  range(log: string, options: RangeOptions): Promise<LogEntry[]> {
    return this.#logs.range(log, options);
  }

  lastSeq(log: string): Promise<number> {
    return this.#logs.lastSeq(log);
  }

  presenceAdd(set: string, member: PresenceMember, ttlMs: number): Promise<boolean> {
    return this.#presence.add(set, member, ttlMs);
  }

  presenceRemove(set: string, memberId: string): Promise<boolean> {
    return this.#presence.remove(set, memberId);
  }

  presenceList(set: string): Promise<PresenceMember[]> {
    return this.#presence.list(set);
  }

  // ------------------------------------------------------------------- misc

  epoch(): string | null {
    return this.#epoch;
  }

  health(): RedisBrokerHealth {
    return this.#status.health(this.kind, this.#opts.url, this.#logs.local.pendingTotal);
  }

  async close(): Promise<void> {
    if (this.#status.state === RedisState.CLOSED) return;
    this.#generation++;
    this.#status.set(RedisState.CLOSED);
    if (this.#pruner !== null) clearInterval(this.#pruner);
    if (this.#reaper !== null) clearInterval(this.#reaper);
    this.#channels.clear();
    const quit = (c: Redis) => (c.status === 'ready' ? c.quit().catch(() => c.disconnect()) : Promise.resolve(c.disconnect()));
    await Promise.all([quit(this.#cmd), quit(this.#sub)]);
  }
}
