/**
 * The registry of this process's connections: by id and by user. It applies
 * the device-conflict policy (locally, and through the broker in other
 * processes), delivers direct messages and broadcasts, and runs the one
 * sweeper that checks every connection's timeouts.
 */
import { ErrorCode, FlareError } from '../src/codec/errors.ts';
import type { Frame } from '../src/codec/frame-types.ts';
import { notificationFrame } from '../src/codec/frames.ts';
import { CloseReason, SystemKey } from '../src/protocol/extensions.ts';
import { Keys, type Broker, type BrokerMessage, type Unsubscribe } from './broker/broker.ts';
import type { ServerConfig } from './config.ts';
import { conflictsOf, isOlder, resolveStrategy, SeniorityClock, type Seniority, type Strategy } from './conflicts.ts';
import { entryFrame, entryFromFrame, sharedEntry } from './entries.ts';
import type { Logger } from './log.ts';
import { Membership } from './membership.ts';
import type { Metrics } from './metrics.ts';
import type { RoomService } from './rooms.ts';
import { SessionState, type Session } from './session.ts';
import { checkSessionTimers } from './session-timers.ts';
import { SharedFrame } from './wire.ts';

export interface HubDeps {
  config: ServerConfig;
  log: Logger;
  metrics: Metrics;
  broker: Broker;
  rooms: RoomService;
  serverId: string;
}

/** A connection that may replace older ones. */
interface DeviceNotice {
  connectionId: string;
  deviceId: string;
  platform: string;
  seniority: Seniority | null;
}

export class Hub {
  readonly sessions = new Map<string, Session>();
  readonly #byUser = new Map<string, Set<Session>>();
  readonly #userSubs = new Map<string, Promise<Unsubscribe>>();
  #allSub: Unsubscribe | null = null;
  #sweeper: ReturnType<typeof setInterval> | null = null;
  /** Connections accepted but not yet registered (handshake in progress). */
  readonly #pending = new Set<Session>();
  /** When each registered connection registered, and the conflict strategy it registered with. */
  readonly #registered = new Map<Session, { seniority: Seniority; strategy: Strategy }>();
  readonly #clock = new SeniorityClock();

  constructor(private readonly deps: HubDeps) {}

  async start(): Promise<void> {
    this.#allSub = await this.deps.broker.subscribe(Keys.all, (m) => this.#onAll(m));
    const every = Math.max(50, Math.min(1000, this.deps.config.idleTimeoutMs / 10, this.deps.config.handshakeTimeoutMs / 5));
    this.#sweeper = setInterval(() => this.sweep(), every);
  }

  /** Checks every connection's timeouts (the sweeper calls this). */
  sweep(): void {
    const mono = performance.now();
    const wall = Date.now();
    for (const s of this.#pending) checkSessionTimers(s, mono, wall);
    for (const s of this.sessions.values()) checkSessionTimers(s, mono, wall);
  }

  /** A new transport connection, before its handshake. */
  accepted(session: Session): void {
    this.#pending.add(session);
  }

  /** Connections per transport (registered ones). */
  countsByTransport(): Record<string, number> {
    const out: Record<string, number> = { websocket: 0, webtransport: 0 };
    for (const s of this.sessions.values()) out[s.link.transport] = (out[s.link.transport] ?? 0) + 1;
    return out;
  }

  /**
   * Registers an authenticated connection: kicks the older connections its
   * arrival replaces (returned, for CONNECT_ACK's `conflict_connections`), and
   * subscribes to the user's channel.
   */
  async register(session: Session): Promise<string[]> {
    const req = session.connectRequest!;
    const strategy = resolveStrategy(this.deps.config.conflictPolicy, req.desiredStrategy);
    const seniority = this.#clock.next(session.id);
    const replaced = this.#applyConflicts(session.userId, { connectionId: session.id, deviceId: session.deviceId, platform: session.platform, seniority }, strategy);
    this.#pending.delete(session);
    this.sessions.set(session.id, session);
    this.#registered.set(session, { seniority, strategy });
    let set = this.#byUser.get(session.userId);
    if (!set) this.#byUser.set(session.userId, (set = new Set()));
    set.add(session);
    session.inbox = new Membership(Keys.inbox(session.userId), (e, live) => (live ? session.sendShared(sharedEntry(e)) : session.sendFrame(entryFrame(e, true))), session.id);
    await this.#subscribeUser(session.userId);
    if (strategy !== 'coexist') await this.#announce(session);
    return replaced;
  }

  /** Tells the other processes about a connection, so that they kick their connections older than it. */
  async #announce(session: Session): Promise<void> {
    const reg = this.#registered.get(session);
    if (!reg) return;
    await this.deps.broker.publish(Keys.user(session.userId), {
      kind: 'conflict',
      userId: session.userId,
      connectionId: session.id,
      deviceId: session.deviceId,
      platform: session.platform,
      strategy: reg.strategy,
      origin: this.deps.serverId,
      at: reg.seniority.at,
      n: reg.seniority.n,
    });
  }

  /**
   * After NEGOTIATION_READY: replay the inbox, join the rooms asked in CONNECT.
   * Resolves (never rejects) when done; a room that cannot be joined gets an
   * ERROR frame naming it, and the others are joined all the same.
   */
  async opened(session: Session): Promise<void> {
    const req = session.connectRequest!;
    const inbox = session.inbox!;
    try {
      if (req.inboxSeq !== null) {
        inbox.lastSeq = req.inboxSeq;
        inbox.replay(await this.deps.broker.range(inbox.log, { after: req.inboxSeq, limit: this.deps.config.replayLimit }));
      } else inbox.lastSeq = await this.deps.broker.lastSeq(inbox.log);
    } catch (e) {
      this.deps.log.error('inbox replay failed', { err: e, connection: session.id });
    }
    inbox.goLive();
    for (const [room, since] of req.rooms) {
      if (!session.isOpen) return;
      try {
        await this.deps.rooms.join(session, room, { since, presence: req.presence });
      } catch (e) {
        const err = e instanceof FlareError ? e : null;
        if (!err) this.deps.log.error('join from CONNECT failed', { err: e, room, connection: session.id });
        session.sendError(err?.code ?? ErrorCode.INTERNAL, `could not join room '${room}' named in CONNECT: ${err?.message ?? 'internal error'}`);
      }
    }
  }

  /**
   * Kicks this process's connections of `userId` that `incoming` replaces under
   * `strategy` and that registered before it (`seniority` null: a notice from an
   * older server, taken as the newest). A connection here that is newer than a
   * remote `incoming` stays, and is announced again so that the older one goes:
   * two logins at almost the same moment on two processes kick exactly the older.
   */
  #applyConflicts(userId: string, incoming: DeviceNotice, strategy: Strategy): string[] {
    const mine = this.#byUser.get(userId);
    if (!mine || strategy === 'coexist') return [];
    const refs = [...mine].map((s) => ({ connectionId: s.id, deviceId: s.deviceId, platform: s.platform, s }));
    const kicked: string[] = [];
    for (const ref of conflictsOf(strategy, incoming, refs) as typeof refs) {
      const s = ref.s;
      const reg = this.#registered.get(s);
      if (reg && incoming.seniority && isOlder(incoming.seniority, reg.seniority)) {
        if (conflictsOf(reg.strategy, ref, [incoming]).length) void this.#announce(s).catch((e) => this.deps.log.warn('conflict notice failed', { err: e }));
        continue;
      }
      s.kick(CloseReason.DEVICE_CONFLICT, 'kicked: signed in on another device', {
        [SystemKey.PLATFORM]: incoming.platform,
        [SystemKey.NEW_DEVICE_ID]: incoming.deviceId,
        [SystemKey.NEW_CONNECTION_ID]: incoming.connectionId,
      });
      kicked.push(s.id);
    }
    return kicked;
  }

  unregister(session: Session): void {
    this.#pending.delete(session);
    if (this.sessions.get(session.id) !== session) return;
    this.sessions.delete(session.id);
    this.#registered.delete(session);
    const set = this.#byUser.get(session.userId);
    set?.delete(session);
    if (set && set.size === 0) {
      this.#byUser.delete(session.userId);
      const sub = this.#userSubs.get(session.userId);
      this.#userSubs.delete(session.userId);
      sub?.then((u) => u()).catch(() => {});
    }
    this.deps.rooms.leaveAll(session);
  }

  #subscribeUser(userId: string): Promise<Unsubscribe> {
    let sub = this.#userSubs.get(userId);
    if (!sub) {
      sub = this.deps.broker.subscribe(Keys.user(userId), (m) => this.#onUser(userId, m));
      this.#userSubs.set(userId, sub);
    }
    return sub;
  }

  #onUser(userId: string, m: BrokerMessage): void {
    const sessions = this.#byUser.get(userId);
    if (!sessions) return;
    switch (m.kind) {
      case 'entry':
        for (const s of sessions) s.inbox?.deliver(m.entry);
        return;
      case 'conflict':
        if (m.origin === this.deps.serverId) return; // applied locally already
        this.#applyConflicts(userId, {
          connectionId: m.connectionId,
          deviceId: m.deviceId,
          platform: m.platform,
          seniority: m.at === undefined ? null : { at: m.at, n: m.n ?? 0, connectionId: m.connectionId },
        }, m.strategy as Strategy);
        return;
      case 'kick':
        for (const s of sessions) if (s.id === m.connectionId) s.kick(CloseReason.ADMIN, m.reason);
        return;
    }
  }

  #onAll(m: BrokerMessage): void {
    if (m.kind !== 'broadcast') return;
    const shared = new SharedFrame(notificationFrame(m.notificationType, { title: m.title, content: m.content, metadata: { from: m.from } }), true);
    for (const s of this.sessions.values()) if (s.isOpen) s.sendShared(shared);
  }

  /** A direct message: appended to the recipient's inbox, delivered to all their connections. Resolves to its seq (the original's for a resend). */
  async direct(from: Session, to: string, frame: Frame): Promise<number> {
    if (!to) throw new FlareError(ErrorCode.INVALID_ARGUMENT, 'empty recipient');
    const entry = await this.deps.broker.append(Keys.inbox(to), entryFromFrame(frame, from.userId, from.id));
    if (entry.duplicate) {
      this.deps.metrics.inc('flare_publish_duplicates_total');
      return entry.seq;
    }
    await this.deps.broker.publish(Keys.user(to), { kind: 'entry', log: Keys.inbox(to), entry });
    return entry.seq;
  }

  /** A notification to every connection of every process; resolves to the local count reached. */
  async broadcast(from: string, title: string, content: Uint8Array, notificationType: number): Promise<number> {
    await this.deps.broker.publish(Keys.all, { kind: 'broadcast', title, content, from, notificationType });
    let n = 0;
    for (const s of this.sessions.values()) if (s.state === SessionState.OPEN) n++;
    return n;
  }

  /**
   * Shutdown: every connection gets a going-away CLOSE with a reconnect delay
   * drawn uniformly from [0, windowMs], so clients do not all return at once.
   * Resolves when every transport has closed or `graceMs` passed.
   */
  async goAwayAll(windowMs: number, graceMs: number, random: () => number = Math.random): Promise<void> {
    const all = [...this.#pending, ...this.sessions.values()];
    for (const s of all) s.goAway(Math.round(random() * windowMs));
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([Promise.all(all.map((s) => s.link.done)), new Promise((r) => (timer = setTimeout(r, graceMs)))]);
    clearTimeout(timer);
  }

  async stop(): Promise<void> {
    if (this.#sweeper !== null) clearInterval(this.#sweeper);
    this.#sweeper = null;
    await this.#allSub?.();
    for (const sub of this.#userSubs.values()) await (await sub)();
    this.#userSubs.clear();
  }
}
