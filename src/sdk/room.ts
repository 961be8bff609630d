/**
 * Rooms as objects: `join` / `leave`, a `messages` signal (ordered by the
 * room's sequence, own messages shown at once and placed when their ACK
 * assigns a seq), a `presence` signal (the join result, then `flare.presence`
 * joins and leaves), and history loading (`room.history`, older pages before
 * the oldest message held). The worker keeps a joined room across
 * reconnects and replays what was missed (resume); the room here only
 * renders what arrives.
 */
import { computed, signal } from './signals.ts';
import { ErrorCode, FlareError } from '../codec/errors.ts';
import type { InboundMessage } from '../worker/api.ts';
import { withSeq, type ReceivedMessage } from './message.ts';
import type { ReadonlySignal } from './state.ts';

/** One member present in a room (a connection: a user may be present several times). */
export interface PresenceMember {
  /** Connection id. */
  id: string;
  userId: string;
  deviceId: string;
  platform: string;
  joinedAt: number;
  state: Record<string, string>;
}

/** What `join` resolves with. */
export interface JoinResult {
  /** The room's last sequence number at the join. */
  seq: number;
  members: PresenceMember[];
  /** Messages after `since` were missing from history. */
  truncated: boolean;
}

/** What the room needs from the client. */
export interface RoomDeps {
  request<T>(method: string, data: unknown): Promise<T>;
  /** Keeps the room joined across reconnects (worker `trackRoom`). */
  track(room: string, lastSeq: number | null): Promise<void>;
  /** Stops that; resolves true when no page sharing the connection still uses the room. */
  untrack(room: string): Promise<boolean>;
  /** Messages kept live (older ones drop off as new ones arrive). */
  limit: number;
}

type MemberJson = { id: string; user_id: string; device_id: string; platform: string; joined_at: number; state: Record<string, string> };
const member = (m: MemberJson): PresenceMember => ({ id: m.id, userId: m.user_id, deviceId: m.device_id, platform: m.platform, joinedAt: m.joined_at, state: m.state ?? {} });

const bySeq = (a: ReceivedMessage, b: ReceivedMessage) => (a.seq || Infinity) - (b.seq || Infinity) || a.timestamp - b.timestamp;

/** One room. Get it from `client.room(name)`. */
export class Room {
  readonly name: string;
  readonly #deps: RoomDeps;
  readonly #messages = signal<readonly ReceivedMessage[]>([]);
  readonly #presence = signal<readonly PresenceMember[]>([]);
  readonly #joined = signal(false);
  /** Presence frames seen while a join is waiting for its answer (replayed over the answer's list). */
  #early: InboundMessage[] | null = null;
  #joining: Promise<void> | null = null;
  #limit: number;

  /** Messages in seq order; own messages not yet ACKed at the end. */
  readonly messages: ReadonlySignal<readonly ReceivedMessage[]> = computed(() => this.#messages.get());
  /** Who is in the room. */
  readonly presence: ReadonlySignal<readonly PresenceMember[]> = computed(() => this.#presence.get());
  readonly joined: ReadonlySignal<boolean> = computed(() => this.#joined.get());

  /** @internal Made by `client.room(name)`. */
  constructor(name: string, deps: RoomDeps) {
    if (typeof name !== 'string' || name === '') throw new FlareError(ErrorCode.INVALID_ARGUMENT, 'a room needs a name');
    this.name = name;
    this.#deps = deps;
    this.#limit = deps.limit;
  }

  /**
   * Joins (the server adds this connection to the room and announces it).
   * `since`: replay messages after this seq first. `presence`: this member's state.
   */
  join(options: { since?: number; presence?: Record<string, unknown> } = {}): Promise<JoinResult> {
    const joining = this.#join(options);
    const settled: Promise<void> = joining.then(
      () => void (this.#joining === settled && (this.#joining = null)),
      () => void (this.#joining === settled && (this.#joining = null)),
    );
    this.#joining = settled;
    return joining;
  }

  /** @internal Settles when a join in progress does (null when none is): room messages wait for it. */
  get joining(): Promise<void> | null {
    return this.#joining;
  }

  async #join(options: { since?: number; presence?: Record<string, unknown> }): Promise<JoinResult> {
    await this.#deps.track(this.name, options.since ?? null);
    const early: InboundMessage[] = (this.#early = []);
    let r: { seq: number; members: MemberJson[]; truncated: boolean };
    try {
      r = await this.#deps.request('room.join', { room: this.name, since: options.since, presence: options.presence });
    } finally {
      if (this.#early === early) this.#early = null;
    }
    this.#joined.set(true);
    const members = (r.members ?? []).map(member);
    // The server may announce a join or leave after taking the member list and before answering
    // (it awaits history and the broker in between): replaying what came early keeps it.
    this.#presence.set(members);
    for (const frame of early) this.presenceChanged(frame);
    return { seq: r.seq, members, truncated: r.truncated === true };
  }

  /** Leaves (the server stops delivering; presence announces the leave). */
  async leave(): Promise<void> {
    const last = await this.#deps.untrack(this.name);
    this.#joined.set(false);
    this.#presence.set([]);
    if (last) await this.#deps.request('room.leave', { room: this.name });
  }

  /**
   * Loads up to `limit` messages older than the oldest held (or before
   * `before`); they arrive as history messages ahead of the answer and are
   * merged into `messages`. Resolves with the loaded messages, oldest first.
   */
  async loadHistory(options: { limit?: number; before?: number } = {}): Promise<ReceivedMessage[]> {
    const limit = options.limit ?? 50;
    const oldest = this.#messages.get().find((m) => m.seq > 0)?.seq;
    const before = options.before ?? oldest;
    const r = await this.#deps.request<{ count: number; first: number | null; last: number | null }>('room.history', { room: this.name, limit, before });
    if (!r.count || r.first == null || r.last == null) return [];
    const loaded = this.#messages.get().filter((m) => m.seq >= r.first! && m.seq <= r.last!);
    this.#limit += loaded.length;
    return loaded;
  }

  /** @internal A message for this room (live, replayed or loaded). */
  receive(m: ReceivedMessage): void {
    const list = this.#messages.get();
    if (list.some((x) => x.id === m.id)) return;
    const next = [...list, m];
    if (m.seq > 0 && list.length > 0 && bySeq(list[list.length - 1]!, m) > 0) next.sort(bySeq);
    this.#set(next);
  }

  /** @internal One of our own messages: shown now, placed by seq when its ACK arrives. */
  addOwn(m: ReceivedMessage): (seq: number | null, ok: boolean) => void {
    this.#set([...this.#messages.get(), m]);
    return (seq, ok) => {
      const list = this.#messages.get().filter((x) => x.id !== m.id);
      if (ok) list.push(seq === null ? m : withSeq(m, seq));
      this.#set(list.sort(bySeq));
    };
  }

  /** @internal A `flare.presence` frame. */
  presenceChanged(frame: InboundMessage): void {
    this.#early?.push(frame);
    let m: PresenceMember;
    try {
      m = member(JSON.parse(new TextDecoder().decode(frame.payload)) as MemberJson);
    } catch {
      return;
    }
    const others = this.#presence.get().filter((x) => x.id !== m.id);
    this.#presence.set(frame.metadata.action === 'leave' ? others : [...others, m]);
  }

  #set(list: ReceivedMessage[]): void {
    const live = list.length > this.#limit ? list.slice(list.length - this.#limit) : list;
    this.#messages.set(live);
  }
}
