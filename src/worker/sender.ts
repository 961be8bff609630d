/**
 * Moving the outbox onto the wire: one pump per burst (a microtask), so that
 * many `send` calls in one task become one transport write (one WebSocket
 * message when batching); one timer for the earliest deadline (a resend, an
 * expiry, an inbox gap timeout); and the room gate after a (re)connect.
 */
import { metaText } from '../codec/metadata.ts';
import { RouteKey } from '../protocol/extensions.ts';
import type { Clock, TimerHandle } from './clock.ts';
import type { Link } from './link.ts';
import type { Outbox } from './outbox.ts';
import type { ServerRpc } from './server-rpc.ts';

/** What the sender needs. */
export interface SenderDeps {
  clock: Clock;
  outbox: Outbox;
  rpc: ServerRpc;
  /** The link to send on, or null when not connected. */
  link(): Link | null;
  /** Another deadline to wake for (the inbox's gap timeout), monotonic ms. */
  otherWakeAt(): number | null;
  /** Runs at every wake-up, before the pump (inbox gap expiry). */
  onWake(): void;
}

export class Sender {
  readonly #d: SenderDeps;
  #scheduled = false;
  #gate: Promise<void> | null = null;
  #wakeTimer: TimerHandle | null = null;
  #wakeAt = Infinity;

  constructor(deps: SenderDeps) {
    this.#d = deps;
  }

  /** Sends what can be sent, at the end of the current task. */
  schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    queueMicrotask(() => {
      this.#scheduled = false;
      this.pump();
    });
  }

  /** Sends what can be sent now. */
  pump(): void {
    const link = this.#d.link();
    if (!link || this.#gate) return;
    const { clock, outbox } = this.#d;
    const entries = outbox.takeSendable(clock.now(), clock.wallNow());
    if (entries.length === 0) return;
    try {
      link.send(entries.map((e) => e.frame));
    } catch {
      // The link is going down; its teardown puts these back in the queue.
    }
    this.wake();
  }

  /** (Re)arms the one timer for the earliest deadline. */
  wake(): void {
    const { clock, outbox } = this.#d;
    const now = clock.now();
    const at = Math.min(outbox.nextWakeAt(now, clock.wallNow()) ?? Infinity, this.#d.otherWakeAt() ?? Infinity);
    if (at === Infinity || at >= this.#wakeAt) return;
    if (this.#wakeTimer !== null) clock.clearTimeout(this.#wakeTimer);
    this.#wakeAt = at;
    this.#wakeTimer = clock.setTimeout(() => {
      this.#wakeTimer = null;
      this.#wakeAt = Infinity;
      outbox.expire(clock.wallNow());
      this.#d.onWake();
      this.pump();
      this.wake();
    }, Math.max(0, at - now));
  }

  /**
   * The server joins the rooms named in CONNECT asynchronously, and refuses a
   * message to a room it has not joined yet. So when the outbox holds messages
   * for tracked rooms, sending waits until an explicit `room.join` of each
   * came back (a no-op for a room already joined: `since` replays nothing new).
   */
  gateOnRooms(link: Link, tracked: ReadonlyMap<string, number | null>, positions: Record<string, number>): void {
    const rooms = new Set<string>();
    for (const e of this.#d.outbox.entries()) {
      const c = e.frame.command;
      const room = c && c.case !== 'system' ? metaText(c.value.metadata, RouteKey.ROOM) : undefined;
      if (room !== undefined && tracked.has(room)) rooms.add(room);
    }
    if (rooms.size === 0) return;
    const gate = Promise.all(
      [...rooms].map((room) => this.#d.rpc.call(link, 'room.join', { room, since: positions[room] ?? tracked.get(room) ?? undefined })),
    ).then(() => undefined);
    this.#gate = gate;
    const release = () => {
      if (this.#gate === gate) this.#gate = null;
      this.schedule();
    };
    gate.then(release, release);
  }
}
