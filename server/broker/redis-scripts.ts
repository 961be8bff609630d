/**
 * The Lua scripts of the Redis broker (redis.ts), each atomic on one Redis:
 * append (de-duplication check, INCR + XADD + PUBLISH), history reads clamped like the in-memory
 * broker, the recovery resync, and presence on a sorted set scored by expiry
 * on Redis' own clock (so the processes' clocks do not matter), and the history epoch.
 * Numbers are formatted with `%d`: Lua's default turns 1e14 into "1e+14".
 */
import type { Buffer } from 'node:buffer';

/**
 * KEYS: counter, stream, ids (sorted set: de-duplication key -> seq). ARGV: maxlen, channel ('' = none),
 * body, dedupe key ('' = none), window, check ('1': return the original for a known key; '0': append
 * anyway, as recovery's copies do). Returns {seq, duplicate (1/0)}.
 */
export const APPEND = `
if ARGV[4] ~= '' and ARGV[6] == '1' then
  local prev = redis.call('ZSCORE', KEYS[3], ARGV[4])
  if prev then return {tonumber(prev), 1} end
end
local seq = redis.call('INCR', KEYS[1])
local ok = redis.pcall('XADD', KEYS[2], 'MAXLEN', '~', ARGV[1], string.format('%d-0', seq), 'd', ARGV[3])
if type(ok) == 'table' and ok.err then
  local info = redis.call('XINFO', 'STREAM', KEYS[2])
  local last = 0
  for i = 1, #info, 2 do
    if info[i] == 'last-generated-id' then last = tonumber(string.match(info[i + 1], '^(%d+)')) end
  end
  seq = last + 1
  redis.call('SET', KEYS[1], string.format('%d', seq))
  redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[1], string.format('%d-0', seq), 'd', ARGV[3])
end
if ARGV[4] ~= '' then
  redis.call('ZADD', KEYS[3], string.format('%d', seq), ARGV[4])
  redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', string.format('%d', seq - tonumber(ARGV[5])))
end
if ARGV[2] ~= '' then redis.call('PUBLISH', ARGV[2], 'E' .. string.format('%d', seq) .. '\\n' .. ARGV[3]) end
return {seq, 0}
`;

/** KEYS: counter, stream. ARGV: after (-1: none), before (-1: none), limit, cap, reverse (1/0). Returns {last, entries}. */
export const RANGE = `
local last = tonumber(redis.call('GET', KEYS[1]) or '0')
local oldest = math.max(1, last - tonumber(ARGV[4]) + 1)
local after = math.max(tonumber(ARGV[1]), oldest - 1, 0)
local before = tonumber(ARGV[2])
if before < 0 or before > last + 1 then before = last + 1 end
local lo, hi = after + 1, before - 1
if hi < lo then return {last, {}} end
if ARGV[5] == '1' then
  return {last, redis.call('XREVRANGE', KEYS[2], string.format('%d-0', hi), string.format('%d-0', lo), 'COUNT', ARGV[3])}
end
return {last, redis.call('XRANGE', KEYS[2], string.format('%d-0', lo), string.format('%d-0', hi), 'COUNT', ARGV[3])}
`;

/**
 * Recovery. KEYS: counter, stream. ARGV: hw, from (-1: no read), limit.
 * Raises the counter to at least hw; returns {old counter, entries after min(from, old)}.
 */
export const RESYNC = `
local old = tonumber(redis.call('GET', KEYS[1]) or '0')
local hw = tonumber(ARGV[1])
if old < hw then redis.call('SET', KEYS[1], string.format('%d', hw)) end
local from = tonumber(ARGV[2])
if from < 0 then return {old, {}} end
if old < from then from = old end
return {old, redis.call('XRANGE', KEYS[2], string.format('%d-0', from + 1), '+', 'COUNT', ARGV[3])}
`;

const NOW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`;

/** KEYS: zset, hash. ARGV: id, member JSON, ttl ms. Returns 1 when the member was not present. */
export const PRESENCE_ADD = `${NOW}
local ttl = tonumber(ARGV[3])
local prev = redis.call('ZSCORE', KEYS[1], ARGV[1])
redis.call('ZADD', KEYS[1], string.format('%d', now + ttl), ARGV[1])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
redis.call('PEXPIRE', KEYS[1], string.format('%d', ttl * 2 + 1000))
redis.call('PEXPIRE', KEYS[2], string.format('%d', ttl * 2 + 1000))
if prev and tonumber(prev) > now then return 0 end
return 1
`;

/** KEYS: zset, hash. ARGV: id. Returns 1 when the member was present (and not expired). */
export const PRESENCE_REMOVE = `${NOW}
local prev = redis.call('ZSCORE', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
if prev and tonumber(prev) > now then return 1 end
return 0
`;

/** KEYS: zset, hash. The JSON of the members not expired (expired ones are left for PRESENCE_REAP). */
export const PRESENCE_LIST = `${NOW}
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. string.format('%d', now), '+inf')
local out = {}
for i = 1, #ids, 1000 do
  local vals = redis.call('HMGET', KEYS[2], unpack(ids, i, math.min(i + 999, #ids)))
  for j = 1, #vals do if vals[j] then out[#out + 1] = vals[j] end end
end
return out
`;

/**
 * KEYS: zset, hash. Removes expired members and returns their JSON, so that
 * exactly one process announces each one's leave (members of a crashed process).
 */
export const PRESENCE_REAP = `${NOW}
local dead = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', string.format('%d', now), 'LIMIT', 0, 1000)
if #dead == 0 then return {} end
local out = {}
local vals = redis.call('HMGET', KEYS[2], unpack(dead))
for j = 1, #vals do if vals[j] then out[#out + 1] = vals[j] end end
redis.call('ZREM', KEYS[1], unpack(dead))
redis.call('HDEL', KEYS[2], unpack(dead))
return out
`;

/** KEYS: epoch. ARGV: a fresh epoch. The stored history epoch; the fresh one is stored when there is none (a new or emptied Redis). */
export const EPOCH = `
local v = redis.call('GET', KEYS[1])
if v then return v end
redis.call('SET', KEYS[1], ARGV[1])
return ARGV[1]
`;

/** A raw reply of a Buffer-returning script. */
export type Reply = Uint8Array | number | Reply[];

/** The commands ioredis defines for the scripts (`defineScripts`). */
export interface ScriptedRedis {
  flareAppend(counter: string, stream: string, ids: string, maxlen: string, channel: string, body: Buffer, key: string, window: string, check: string): Promise<[number, number]>;
  flareRangeBuffer(counter: string, stream: string, after: string, before: string, limit: string, cap: string, reverse: string): Promise<Reply[]>;
  flareResyncBuffer(counter: string, stream: string, hw: string, from: string, limit: string): Promise<Reply[]>;
  flarePresenceAdd(zset: string, hash: string, id: string, json: string, ttl: string): Promise<number>;
  flarePresenceRemove(zset: string, hash: string, id: string): Promise<number>;
  flarePresenceListBuffer(zset: string, hash: string): Promise<Uint8Array[]>;
  flarePresenceReapBuffer(zset: string, hash: string): Promise<Uint8Array[]>;
  flareEpoch(key: string, fresh: string): Promise<string>;
}

/** Defines every script on an ioredis connection (loaded with EVALSHA, re-sent on NOSCRIPT after a Redis restart). */
export function defineScripts(redis: { defineCommand(name: string, def: { numberOfKeys: number; lua: string }): void }): void {
  redis.defineCommand('flareAppend', { numberOfKeys: 3, lua: APPEND });
  redis.defineCommand('flareRange', { numberOfKeys: 2, lua: RANGE });
  redis.defineCommand('flareResync', { numberOfKeys: 2, lua: RESYNC });
  redis.defineCommand('flarePresenceAdd', { numberOfKeys: 2, lua: PRESENCE_ADD });
  redis.defineCommand('flarePresenceRemove', { numberOfKeys: 2, lua: PRESENCE_REMOVE });
  redis.defineCommand('flarePresenceList', { numberOfKeys: 2, lua: PRESENCE_LIST });
  redis.defineCommand('flarePresenceReap', { numberOfKeys: 2, lua: PRESENCE_REAP });
  redis.defineCommand('flareEpoch', { numberOfKeys: 1, lua: EPOCH });
}
