/**
 * App messages out: ids, the `msg_type` convention, own room messages shown
 * at once, delivery tracking, and the TTL that `messageRetry` implies. The
 * client's `sendText`, `sendBinary` and `sendMessage` all end here.
 */
import { ErrorCode, FlareError } from '../codec/errors.ts';
import { PayloadType } from '../codec/frame-types.ts';
import type { SendReceipt } from '../worker/api.ts';
import type { PriorityName } from '../worker/outbox.ts';
import type { DeliveryTracker, SendResult } from './delivery.ts';
import type { ClientEventMap, Emitter } from './events.ts';
import { MESSAGE_TYPE_KEY, ownMessage, route, type Target } from './message.ts';
import type { OutgoingFrame } from './middleware.ts';
import type { Room } from './room.ts';

/** Options of a send. */
export interface SendOptions {
  /** true (default): through the worker's outbox, resent until ACKed. false: now or never (NOT_CONNECTED). */
  reliable?: boolean;
  priority?: PriorityName;
  /** Fail with MESSAGE_EXPIRED when not ACKed within this long (default: from `messageRetry`). */
  ttlMs?: number;
  /** Extra metadata (text). */
  metadata?: Record<string, string>;
  /**
   * The message id (default: a new one). Give a failed message's id to send it again: a copy the
   * server already stored (its ACK was lost, or it arrived after the message expired here) is ACKed
   * with its original seq and delivered once.
   */
  id?: string;
}

/** What sending needs from the client. */
export interface MessagingDeps {
  /** Per-client tag that makes ids unique across pages sharing a connection. */
  tag: string;
  userId: string | null;
  rooms: ReadonlyMap<string, Room>;
  delivery: DeliveryTracker;
  events: Emitter<ClientEventMap>;
  sendFrame(frame: OutgoingFrame): Promise<SendReceipt>;
  /** TTL of reliable messages when the send does not give one. */
  defaultTtlMs(): number | undefined;
}

/** Sends app messages for one client. */
export class Messaging {
  readonly #d: MessagingDeps;
  #counter = 0;

  constructor(deps: MessagingDeps) {
    this.#d = deps;
  }

  /** A message id in flare-core's form `{unix ms}-{16 hex digits}` (8 of them this client's tag). */
  newId(): string {
    return `${Date.now()}-${this.#d.tag.padStart(8, '0').slice(-8)}${(++this.#counter).toString(16).padStart(8, '0')}`;
  }

  /**
   * Sends `payload` typed `type`. Everything up to the first await runs
   * synchronously (the room shows an own message before this returns a promise).
   */
  async send(target: Target, type: string, payload: Uint8Array, options: SendOptions = {}): Promise<SendResult> {
    const d = this.#d;
    const where = route(target);
    const id = options.id ?? this.newId();
    if (typeof id !== 'string' || id === '' || id.length > 128) throw new FlareError(ErrorCode.INVALID_ARGUMENT, 'a message id is a string of 1 to 128 characters');
    if (d.delivery.isOpen(id)) throw new FlareError(ErrorCode.INVALID_ARGUMENT, `message ${id} is still being sent`);
    const room = where.room !== undefined ? d.rooms.get(where.room) : undefined;
    const metadata = { ...options.metadata, [MESSAGE_TYPE_KEY]: type };
    const place = room?.addOwn(ownMessage({ id, type, from: d.userId, room: where.room ?? null, to: null, payload, metadata }));
    const result = d.delivery.track(id, place ? (ok, seq) => place(seq, ok) : undefined);
    const reliable = options.reliable ?? true;
    try {
      // The server refuses a room message from a connection that has not joined: wait for a join in progress.
      if (room?.joining) await room.joining;
      const receipt = await d.sendFrame({
        kind: 'payload',
        type: PayloadType.MESSAGE,
        id,
        ...where,
        payload,
        metadata,
        reliable,
        priority: options.priority,
        ttlMs: reliable ? (options.ttlMs ?? d.defaultTtlMs()) : undefined,
      });
      d.delivery.accepted(id, receipt.state);
      if (receipt.state === 'sent') d.events.emit('messageSent', { id, seq: null });
    } catch (e) {
      const error = FlareError.is(e) ? e : new FlareError(ErrorCode.INTERNAL, String(e), { cause: e });
      if (d.delivery.failed(id, error)) d.events.emit('messageFailed', { id, error });
      throw error;
    }
    return result;
  }
}
