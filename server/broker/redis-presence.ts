/**
 * Presence for the Redis broker: a sorted set per set scored by expiry on
 * Redis' clock plus a hash of member JSON (redis-scripts.ts), and a local
 * mirror of this process's own members, which answers while Redis is away and
 * is written back to Redis on recovery (a Redis restarted empty lost them).
 */
import type { BrokerMessage, PresenceMember } from './broker.ts';
import { decodeMember, encodeMember } from './redis-codec.ts';
import { isConnectionError, orLocal, type RedisCore } from './redis-core.ts';

interface LocalMember {
  member: PresenceMember;
  ttlMs: number;
  expires: number;
}

export class RedisPresence {
  /** This process's members, by set and id. */
  readonly #local = new Map<string, Map<string, LocalMember>>();
  #reaping = false;

  constructor(
    private readonly core: RedisCore,
    /** Publishes on a channel (the leave of a reaped member). */
    private readonly publish: (channel: string, message: BrokerMessage) => Promise<void>,
  ) {}

  /** Adds or refreshes a member; true when it was not present. */
  add(set: string, member: PresenceMember, ttlMs: number): Promise<boolean> {
    let local = this.#local.get(set);
    if (!local) this.#local.set(set, (local = new Map()));
    const now = Date.now();
    const prev = local.get(member.id);
    local.set(member.id, { member, ttlMs, expires: now + ttlMs });
    const [z, h] = this.core.keys.presence(set);
    return orLocal(
      this.core,
      'presence',
      async () => (await this.core.cmd.flarePresenceAdd(z, h, member.id, encodeMember(member), String(ttlMs))) === 1,
      () => !prev || prev.expires <= now,
    );
  }

  /** Removes a member; true when it was present. */
  remove(set: string, memberId: string): Promise<boolean> {
    const local = this.#local.get(set);
    const prev = local?.get(memberId);
    local?.delete(memberId);
    if (local && local.size === 0) this.#local.delete(set);
    const [z, h] = this.core.keys.presence(set);
    return orLocal(
      this.core,
      'presence',
      async () => (await this.core.cmd.flarePresenceRemove(z, h, memberId)) === 1,
      () => !!prev && prev.expires > Date.now(),
    );
  }

  /** Members not expired; while Redis is away, this process's own only. */
  list(set: string): Promise<PresenceMember[]> {
    const [z, h] = this.core.keys.presence(set);
    return orLocal(
      this.core,
      'presence',
      async () => (await this.core.cmd.flarePresenceListBuffer(z, h)).map(decodeMember),
      () => {
        const now = Date.now();
        return [...(this.#local.get(set)?.values() ?? [])].filter((p) => p.expires > now).map((p) => p.member);
      },
    );
  }

  /**
   * Removes expired members (of a crashed or cut-off process) from the rooms
   * this process has members in, and publishes their `leave`: the reap script
   * hands each one to exactly one process. Call while Redis is ready.
   */
  async reap(): Promise<void> {
    if (this.#reaping) return;
    this.#reaping = true;
    try {
      for (const set of [...this.#local.keys()]) {
        if (!set.startsWith('room:')) continue;
        const [z, h] = this.core.keys.presence(set);
        const dead = (await this.core.cmd.flarePresenceReapBuffer(z, h)).map(decodeMember);
        for (const member of dead) await this.publish(set, { kind: 'presence', room: set.slice('room:'.length), action: 'leave', member });
      }
    } catch (e) {
      if (!isConnectionError(e)) this.core.log?.warn('presence reaping failed', { err: e });
    } finally {
      this.#reaping = false;
    }
  }

  /** Recovery: writes this process's unexpired members back to Redis. */
  async readd(): Promise<void> {
    const now = Date.now();
    const work: Promise<unknown>[] = [];
    for (const [set, members] of this.#local) {
      for (const [id, p] of members) {
        if (p.expires <= now) {
          members.delete(id);
          continue;
        }
        const [z, h] = this.core.keys.presence(set);
        work.push(this.core.cmd.flarePresenceAdd(z, h, id, encodeMember(p.member), String(p.ttlMs)));
      }
      if (members.size === 0) this.#local.delete(set);
    }
    await Promise.all(work);
  }
}
