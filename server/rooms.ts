/**
 * Rooms: membership, publish with per-room sequence numbers, history, resume
 * and presence, on top of the Broker. One broker subscription per room per
 * process, however many local members; each member has a Membership that
 * keeps its deliveries ordered and duplicate-free.
 */
import { ErrorCode, FlareError } from '../src/codec/errors.ts';
import { Reliability, type Frame } from '../src/codec/frame-types.ts';
import { customFrame } from '../src/codec/frames.ts';
import { ExtCommand, RouteKey } from '../src/protocol/extensions.ts';
import { Keys, type Broker, type BrokerMessage, type LogEntry, type PresenceMember, type Unsubscribe } from './broker/broker.ts';
import type { ServerConfig } from './config.ts';
import { entryFrame, entryFromFrame, sharedEntry } from './entries.ts';
import type { Logger } from './log.ts';
import { Membership } from './membership.ts';
import type { Metrics } from './metrics.ts';
import type { Session } from './session.ts';
import { SharedFrame } from './wire.ts';

export interface RoomDeps {
  config: ServerConfig;
  log: Logger;
  metrics: Metrics;
  broker: Broker;
}

interface LocalRoom {
  /** Local members by connection id, with their presence entry; `events`: announced and told of others. */
  members: Map<string, { session: Session; member: PresenceMember; events: boolean }>;
  sub: Promise<Unsubscribe>;
  /** Last seq seen live, for gap detection across processes. */
  lastSeen: number;
  /** Serializes gap fills so entries still go out in order. */
  chain: Promise<void>;
}

export interface JoinOptions {
  /** Replay entries after this seq; null or undefined: no replay. */
  since?: number | null;
  presence?: Record<string, string>;
  /**
   * Take part in presence events (default true): announce this member's join and leave, and tell it
   * of others'. False suits large rooms, where every join would otherwise reach every member.
   */
  presenceEvents?: boolean;
}

export interface JoinResult {
  room: string;
  /** Last seq delivered to this connection. */
  seq: number;
  /** At most MAX_JOIN_MEMBERS members (`room.members` lists all). */
  members: PresenceMemberJson[];
  member_count: number;
  /** True when the history no longer held everything after `since`, or the replay limit was hit. */
  truncated: boolean;
}

/** A presence member on the wire (snake_case JSON). */
export interface PresenceMemberJson {
  id: string;
  user_id: string;
  device_id: string;
  platform: string;
  joined_at: number;
  state: Record<string, string>;
}

export function memberJson(m: PresenceMember): PresenceMemberJson {
  return { id: m.id, user_id: m.userId, device_id: m.deviceId, platform: m.platform, joined_at: m.joinedAt, state: m.state };
}

const MAX_ROOM_NAME = 200;
/** Members listed in a `room.join` result (a join into a big room should not cost O(members) bytes). */
export const MAX_JOIN_MEMBERS = 100;
const PAGE = 500;
const encoder = new TextEncoder();

export class RoomService {
  readonly #rooms = new Map<string, LocalRoom>();
  #refresher: ReturnType<typeof setInterval> | null = null;

  constructor(private readonly deps: RoomDeps) {}

  start(): void {
    this.#refresher = setInterval(() => this.#refreshPresence(), Math.max(100, this.deps.config.presenceTtlMs / 3));
  }

  stop(): void {
    if (this.#refresher !== null) clearInterval(this.#refresher);
    this.#refresher = null;
  }

  /** Rooms with members in this process. */
  get localRoomCount(): number {
    return this.#rooms.size;
  }

  static checkName(room: unknown): string {
    if (typeof room !== 'string' || room.length === 0 || room.length > MAX_ROOM_NAME) {
      throw new FlareError(ErrorCode.INVALID_ARGUMENT, `room must be a non-empty string of at most ${MAX_ROOM_NAME} characters`);
    }
    return room;
  }

  async join(session: Session, room: string, options: JoinOptions = {}): Promise<JoinResult> {
    RoomService.checkName(room);
    const { broker, config } = this.deps;
    const log = Keys.room(room);
    let m = session.rooms.get(room);
    let truncated = false;
    if (!m) {
      const local = await this.#local(room);
      m = new Membership(log, (e, live) => (live ? session.sendShared(sharedEntry(e)) : session.sendFrame(entryFrame(e, true))), session.id);
      const member: PresenceMember = {
        id: session.id,
        userId: session.userId,
        deviceId: session.deviceId,
        platform: session.platform,
        joinedAt: Date.now(),
        state: options.presence ?? {},
      };
      const events = options.presenceEvents !== false;
      session.rooms.set(room, m);
      local.members.set(session.id, { session, member, events });
      if ((await broker.presenceAdd(log, member, config.presenceTtlMs)) && events) {
        await broker.publish(log, { kind: 'presence', room, action: 'join', member });
      }
      if (options.since !== null && options.since !== undefined) truncated = await this.#replay(m, options.since);
      else m.lastSeq = await broker.lastSeq(log);
      m.goLive();
    } else if (options.since !== null && options.since !== undefined && options.since < m.lastSeq) {
      // Already a member asking again: replay what it says it missed (the Membership drops nothing new).
      const entries = await broker.range(log, { after: options.since, limit: config.replayLimit });
      for (const e of entries) if (e.seq <= m.lastSeq) session.sendFrame(entryFrame(e, true));
    }
    const all = await broker.presenceList(log);
    return { room, seq: m.lastSeq, members: all.slice(0, MAX_JOIN_MEMBERS).map(memberJson), member_count: all.length, truncated };
  }

  /** Replays entries after `since`, page by page, up to the replay limit; true when something was missing. */
  async #replay(m: Membership, since: number): Promise<boolean> {
    const { broker, config } = this.deps;
    m.lastSeq = since;
    let sent = 0;
    let truncated = false;
    for (;;) {
      const want = Math.min(PAGE, config.replayLimit - sent);
      if (want <= 0) {
        truncated = (await broker.lastSeq(m.log)) > m.lastSeq;
        break;
      }
      const entries = await broker.range(m.log, { after: m.lastSeq, limit: want });
      if (entries.length && entries[0]!.seq > m.lastSeq + 1) truncated = true;
      m.replay(entries);
      sent += entries.length;
      if (entries.length < want) break;
    }
    if (m.lastSeq === since && since > 0 && !truncated) {
      // Nothing newer: a `since` beyond the end (e.g. a reset server) is clamped.
      m.lastSeq = Math.min(since, await broker.lastSeq(m.log));
    }
    return truncated;
  }

  async leave(session: Session, room: string): Promise<boolean> {
    const m = session.rooms.get(room);
    if (!m) return false;
    session.rooms.delete(room);
    const local = this.#rooms.get(room);
    const entry = local?.members.get(session.id);
    local?.members.delete(session.id);
    if (local && local.members.size === 0) {
      this.#rooms.delete(room);
      local.sub.then((u) => u()).catch(() => {});
    }
    const log = Keys.room(room);
    if ((await this.deps.broker.presenceRemove(log, session.id)) && entry?.events) {
      await this.deps.broker.publish(log, { kind: 'presence', room, action: 'leave', member: entry.member });
    }
    return true;
  }

  /** Leaves every room (the connection closed). */
  leaveAll(session: Session): void {
    for (const room of [...session.rooms.keys()]) {
      this.leave(session, room).catch((e) => this.deps.log.warn('leave failed', { room, err: e }));
    }
  }

  /** Publishes a payload frame to a room the session is a member of; resolves to its seq. */
  async publish(session: Session, room: string, frame: Frame): Promise<number> {
    if (!session.rooms.has(room)) throw new FlareError(ErrorCode.INVALID_ARGUMENT, `not a member of room '${room}' (join it first)`);
    const log = Keys.room(room);
    const entry = await this.deps.broker.append(log, entryFromFrame(frame, session.userId, session.id));
    if (entry.duplicate) {
      // A resend (the client's ACK was lost): ACKed with the original seq, not delivered again.
      this.deps.metrics.inc('flare_publish_duplicates_total');
      return entry.seq;
    }
    await this.deps.broker.publish(log, { kind: 'entry', log, entry });
    this.deps.metrics.inc('flare_room_messages_total');
    return entry.seq;
  }

  /** Sends history entries as payload frames marked `history=1`. */
  async history(session: Session, room: string, opts: { after?: number; before?: number; limit?: number }): Promise<{ room: string; count: number; first: number; last: number }> {
    RoomService.checkName(room);
    const limit = Math.min(Math.max(1, opts.limit ?? 50), this.deps.config.replayLimit);
    const range = opts.after === undefined && opts.before === undefined ? { before: Number.MAX_SAFE_INTEGER, limit } : { after: opts.after, before: opts.before, limit };
    const entries = await this.deps.broker.range(Keys.room(room), range);
    for (const e of entries) session.sendFrame(entryFrame(e, true));
    return { room, count: entries.length, first: entries[0]?.seq ?? 0, last: entries.at(-1)?.seq ?? 0 };
  }

  async members(room: string): Promise<PresenceMemberJson[]> {
    RoomService.checkName(room);
    return (await this.deps.broker.presenceList(Keys.room(room))).map(memberJson);
  }

  #local(room: string): Promise<LocalRoom> {
    let local = this.#rooms.get(room);
    if (!local) {
      const created: LocalRoom = { members: new Map(), sub: null as unknown as Promise<Unsubscribe>, lastSeen: 0, chain: Promise.resolve() };
      created.sub = this.deps.broker.subscribe(Keys.room(room), (m) => this.#onMessage(room, created, m));
      this.#rooms.set(room, (local = created));
    }
    const l = local;
    return l.sub.then(() => l);
  }

  #onMessage(room: string, local: LocalRoom, m: BrokerMessage): void {
    if (m.kind === 'entry') {
      const entry = m.entry;
      if (local.lastSeen > 0 && entry.seq > local.lastSeen + 1) {
        // A gap (another process published in between and its message is late): fill from the log first.
        const from = local.lastSeen;
        local.lastSeen = entry.seq;
        local.chain = local.chain
          .then(async () => {
            const missing = await this.deps.broker.range(m.log, { after: from, before: entry.seq, limit: entry.seq - from });
            for (const e of missing) this.#fanOut(local, room, e);
            this.#fanOut(local, room, entry);
          })
          .catch((e) => this.deps.log.warn('gap fill failed', { room, err: e }));
        return;
      }
      local.lastSeen = Math.max(local.lastSeen, entry.seq);
      this.#fanOut(local, room, entry);
    } else if (m.kind === 'presence') {
      const frame = customFrame(
        ExtCommand.PRESENCE,
        { data: encoder.encode(JSON.stringify(memberJson(m.member))), metadata: { [RouteKey.ROOM]: room, action: m.action } },
        { reliability: Reliability.BEST_EFFORT },
      );
      const shared = new SharedFrame(frame, true);
      for (const { session, events } of local.members.values()) if (events && session.id !== m.member.id) session.sendShared(shared);
    }
  }

  #fanOut(local: LocalRoom, room: string, entry: LogEntry): void {
    for (const { session } of local.members.values()) session.rooms.get(room)?.deliver(entry);
  }

  #refreshPresence(): void {
    const { broker, config } = this.deps;
    for (const [room, local] of this.#rooms) {
      for (const { member } of local.members.values()) broker.presenceAdd(Keys.room(room), member, config.presenceTtlMs).catch(() => {});
    }
  }
}
