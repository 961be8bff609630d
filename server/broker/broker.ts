/**
 * The Broker: everything that must be shared between server processes, behind
 * one small interface. The in-memory broker (memory.ts) is the embedded
 * default; a Redis broker implements the same interface for scale-out.
 *
 * Three primitives, all async so a networked implementation fits:
 * - channels: publish / subscribe of BrokerMessages (`room:<name>`, `user:<id>`, `all`);
 * - logs: append-only sequences with a per-log sequence number starting at 1
 *   (`room:<name>` histories, `inbox:<user>` direct messages), trimmed to a size;
 * - presence sets with expiry (`room:<name>`), refreshed by re-adding.
 *
 * Messages hold bytes (Uint8Array); a networked broker serializes them itself.
 * Receivers must treat delivered objects as immutable.
 */
import type { Metadata } from '../../src/codec/frame-types.ts';

/** One message in a log (a room message or a direct message). */
export interface LogEntry {
  /** Position in its log: 1, 2, 3, ... without gaps. */
  seq: number;
  /** The publisher's message id (receivers de-duplicate by it). */
  messageId: string;
  /** PayloadType of the original frame (MESSAGE, EVENT, DATA). */
  type: number;
  payload: Uint8Array;
  /** The publisher's PayloadCommand metadata (routing keys included). */
  metadata: Metadata;
  /** User id and connection id of the publisher. */
  from: string;
  fromConnection: string;
  /** Server time of the append, Unix ms. */
  timestamp: number;
  /** Frame.reliability of the original (best-effort entries may be dropped for slow consumers). */
  reliability: number;
}

/** A member of a presence set: one connection in a room. */
export interface PresenceMember {
  /** The connection id (unique per member). */
  id: string;
  userId: string;
  deviceId: string;
  platform: string;
  joinedAt: number;
  /** App-supplied presence state (e.g. a display name). */
  state: Record<string, string>;
}

/** What travels on channels. */
export type BrokerMessage =
  | { kind: 'entry'; log: string; entry: LogEntry }
  | { kind: 'presence'; room: string; action: 'join' | 'leave'; member: PresenceMember }
  /**
   * A user's new connection: every process applies the conflict policy to its own connections older than
   * it (`at`, `n`: its Seniority, conflicts.ts; absent from older servers: newest).
   */
  | { kind: 'conflict'; userId: string; connectionId: string; deviceId: string; platform: string; strategy: string; origin: string; at?: number; n?: number }
  /** Close one connection wherever it is (admin kick). */
  | { kind: 'kick'; connectionId: string; reason: string }
  /** A notification for every connection (the seed's `broadcast`). */
  | { kind: 'broadcast'; title: string; content: Uint8Array; from: string; notificationType: number }
  /** An RPC to a user wherever they are connected (user-rpc.ts); answered on `Keys.node(origin)`. */
  | { kind: 'rpc'; id: string; origin: string; userId: string; method: string; body: Uint8Array; timeoutMs: number }
  /** The answer to an `rpc` from one process holding the user (`error`: a code, with `message`). */
  | { kind: 'rpc-result'; id: string; body: Uint8Array; error?: string; message?: string };

/**
 * What `append` returns: the entry with its seq. `duplicate` is set when the
 * log already held an entry from the same publisher (`from`) with the same
 * message id among its last DEDUPE_WINDOW seqs (recent-ids.ts): nothing was
 * appended, `seq` is the original's, and the entry must not be published again.
 */
export type Appended = LogEntry & { readonly duplicate?: true };

export type Unsubscribe = () => Promise<void>;

export interface RangeOptions {
  /** Entries with seq > after. */
  after?: number;
  /** Entries with seq < before. */
  before?: number;
  /** At most this many; with only `before`, the newest ones before it. */
  limit: number;
}

export interface BrokerHealth {
  ok: boolean;
  kind: string;
  detail?: string;
}

export interface Broker {
  readonly kind: string;
  /** Delivers `message` to every subscriber of `channel` (in all processes). */
  publish(channel: string, message: BrokerMessage): Promise<void>;
  /** Subscribes; messages of one channel arrive in publish order. */
  subscribe(channel: string, handler: (message: BrokerMessage) => void): Promise<Unsubscribe>;
  /**
   * Appends to a log and returns the entry with its sequence number; idempotent
   * per publisher and message id within the de-duplication window (see Appended).
   */
  append(log: string, entry: Omit<LogEntry, 'seq'>): Promise<Appended>;
  /** Entries of a log in ascending seq order. */
  range(log: string, options: RangeOptions): Promise<LogEntry[]>;
  /** The last assigned sequence number of a log (0 when empty). */
  lastSeq(log: string): Promise<number>;
  /** Adds or refreshes a member; true when it was not present. */
  presenceAdd(set: string, member: PresenceMember, ttlMs: number): Promise<boolean>;
  /** Removes a member; true when it was present. */
  presenceRemove(set: string, memberId: string): Promise<boolean>;
  /** Members whose entry has not expired. */
  presenceList(set: string): Promise<PresenceMember[]>;
  /**
   * The history epoch: an opaque string that changes whenever sequence numbers
   * may have restarted (logs lost), so resume positions from another epoch are
   * stale. Null while not known (a Redis broker that has not reached Redis yet).
   * Optional for brokers of embedding apps: without it CONNECT_ACK has no epoch.
   */
  epoch?(): string | null;
  health(): BrokerHealth;
  close(): Promise<void>;
}

/** A fresh epoch: start time and randomness, so two epochs never collide. */
export function newEpoch(now = Date.now()): string {
  const rand = crypto.getRandomValues(new Uint8Array(6));
  return `${now.toString(36)}-${[...rand].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/** Channel and log names, in one place. */
export const Keys = {
  room: (name: string) => `room:${name}`,
  user: (id: string) => `user:${id}`,
  inbox: (id: string) => `inbox:${id}`,
  all: 'all',
  /** RPC requests to users (every process listens). */
  rpc: 'rpc',
  /** One process (answers to its RPC requests). */
  node: (serverId: string) => `node:${serverId}`,
} as const;
