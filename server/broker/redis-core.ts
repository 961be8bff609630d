/**
 * What the parts of the Redis broker (redis.ts, redis-logs.ts,
 * redis-presence.ts) share: key and channel names, the command connection
 * with its state, the fallback rule for an unreachable Redis, and small helpers.
 */
import { Buffer } from 'node:buffer';
import { Redis } from 'ioredis';
import type { Logger } from '../log.ts';
import { defineScripts, type ScriptedRedis } from './redis-scripts.ts';

/** The default: a user's direct messages go out on the user's channel. */
export function defaultChannelFor(log: string): string {
  return log.startsWith('inbox:') ? `user:${log.slice('inbox:'.length)}` : log;
}

/** A Redis URL without credentials, for logs and health. */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return 'redis';
  }
}

/** ioredis sends Buffers as bytes (a plain Uint8Array would be stringified). */
export function buf(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Whether a command failed because the connection is gone or hung (not because of the command). */
export function isConnectionError(e: unknown): boolean {
  const msg = e instanceof Error ? `${e.name} ${e.message}` : String(e);
  return /connection is closed|stream isn't writeable|command timed out|MaxRetriesPerRequest|ECONNRE|EPIPE|ETIMEDOUT|ENOTCONN|socket|connection lost|broken pipe/i.test(msg);
}

/**
 * The two connections of a broker, not yet connected: commands (with the
 * scripts, and a timeout: an unanswered command counts as a lost connection)
 * and the pub/sub subscriber. Nothing is queued or re-sent while they are
 * down: the broker works locally instead, and reconnection backs off up to
 * `reconnectMaxDelayMs`.
 */
export function createConnections(url: string, commandTimeoutMs: number, reconnectMaxDelayMs: number): { cmd: Redis & ScriptedRedis; sub: Redis } {
  const common = {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResubscribe: false,
    autoResendUnfulfilledCommands: false,
    connectTimeout: Math.max(1000, commandTimeoutMs),
    retryStrategy: (times: number) => Math.min(50 * 2 ** Math.min(times, 6), reconnectMaxDelayMs),
  };
  const cmd = new Redis(url, { ...common, commandTimeout: commandTimeoutMs, connectionName: 'flare-cmd' }) as Redis & ScriptedRedis;
  const sub = new Redis(url, { ...common, connectionName: 'flare-sub' });
  defineScripts(cmd);
  return { cmd, sub };
}

/** Key and channel names under one prefix; every key of a log shares its hash tag `{<log>}`. */
export class RedisKeys {
  constructor(readonly prefix: string) {}

  channel(channel: string): string {
    return `${this.prefix}:ch:${channel}`;
  }

  /** The channel named by a pub/sub channel key. */
  channelOf(key: string): string {
    return key.slice(this.prefix.length + 4);
  }

  counter(log: string): string {
    return `${this.prefix}:{${log}}:seq`;
  }

  stream(log: string): string {
    return `${this.prefix}:{${log}}:log`;
  }

  ids(log: string): string {
    return `${this.prefix}:{${log}}:ids`;
  }

  /** The sorted set (expiries) and the hash (member JSON) of a presence set. */
  presence(set: string): [string, string] {
    return [`${this.prefix}:{presence:${set}}:z`, `${this.prefix}:{presence:${set}}:h`];
  }

  epoch(): string {
    return `${this.prefix}:epoch`;
  }
}

/** What the broker's parts need from it. */
export interface RedisCore {
  readonly cmd: Redis & ScriptedRedis;
  readonly keys: RedisKeys;
  readonly log?: Logger;
  /** Redis is usable (ready, or recovering). */
  up(): boolean;
  /** A command failed for a connection reason: noted; a timeout forces a reconnect. */
  commandFailed(where: string, e: unknown): void;
}

/**
 * Runs `command` while Redis is usable; when it is not, or the command fails
 * for a connection reason, answers with `local()` (what this process knows).
 * Other errors are thrown.
 */
export async function orLocal<T>(core: RedisCore, where: string, command: () => Promise<T>, local: () => T): Promise<T> {
  if (core.up()) {
    try {
      return await command();
    } catch (e) {
      if (!isConnectionError(e)) throw e;
      core.commandFailed(where, e);
    }
  }
  return local();
}
