/**
 * Messages as the app sees them: who to send to, what arrived, and the
 * conventions that let text, binary and custom-typed messages share flare-core
 * payload frames (the seed's `send_text_message`, `send_binary_message`,
 * `send_message` with a `message_type`).
 */
import { ErrorCode, FlareError } from '../codec/errors.ts';
import type { InboundMessage } from '../worker/api.ts';

/** Metadata key carrying the app-level message type (`text`, `binary`, or the app's own). */
export const MESSAGE_TYPE_KEY = 'msg_type';

/** Where a message goes: a user id (string or `{user}`) or `{room}`. */
export type Target = string | { user: string } | { room: string };

/** Routing fields for a target. */
export function route(target: Target): { to?: string; room?: string } {
  if (typeof target === 'string' && target !== '') return { to: target };
  if (target && typeof target === 'object') {
    if ('room' in target && typeof target.room === 'string' && target.room !== '') return { room: target.room };
    if ('user' in target && typeof target.user === 'string' && target.user !== '') return { to: target.user };
  }
  throw new FlareError(ErrorCode.INVALID_ARGUMENT, 'a target is a user id, {user: id} or {room: name}', { details: { target: String(target) } });
}

const decoder = new TextDecoder();

/** A received app message. */
export interface ReceivedMessage {
  readonly id: string;
  /** `text`, `binary`, or the type the sender gave `sendMessage`. */
  readonly type: string;
  readonly from: string | null;
  readonly room: string | null;
  readonly to: string | null;
  /** Position in the room (or the user's direct-message inbox); 0 when unsequenced. */
  readonly seq: number;
  /** Server timestamp (Unix ms). */
  readonly timestamp: number;
  /** Replayed from history. */
  readonly history: boolean;
  readonly payload: Uint8Array;
  readonly metadata: Readonly<Record<string, string>>;
  /** Sent by this client (its own room messages, which the server does not echo). */
  readonly own: boolean;
  /** The payload as UTF-8 text. */
  text(): string;
  /** The payload parsed as JSON. */
  json<T = unknown>(): T;
}

class Received implements ReceivedMessage {
  readonly id: string;
  readonly type: string;
  readonly from: string | null;
  readonly room: string | null;
  readonly to: string | null;
  readonly seq: number;
  readonly timestamp: number;
  readonly history: boolean;
  readonly payload: Uint8Array;
  readonly metadata: Readonly<Record<string, string>>;
  readonly own: boolean;

  constructor(m: Omit<ReceivedMessage, 'text' | 'json'>) {
    this.id = m.id;
    this.type = m.type;
    this.from = m.from;
    this.room = m.room;
    this.to = m.to;
    this.seq = m.seq;
    this.timestamp = m.timestamp;
    this.history = m.history;
    this.payload = m.payload;
    this.metadata = m.metadata;
    this.own = m.own;
  }

  text(): string {
    return decoder.decode(this.payload);
  }

  json<T = unknown>(): T {
    return JSON.parse(this.text()) as T;
  }
}

/** The app message for an incoming frame. */
export function fromInbound(m: InboundMessage): ReceivedMessage {
  return new Received({
    id: m.id,
    type: m.metadata[MESSAGE_TYPE_KEY] ?? (m.kind === 'notification' ? 'notification' : 'binary'),
    from: m.from,
    room: m.room,
    to: m.to,
    seq: m.seq,
    timestamp: m.timestamp,
    history: m.history,
    payload: m.payload,
    metadata: m.metadata,
    own: false,
  });
}

/** The app message for one of our own sends (rooms show them at once; the server does not echo them). */
export function ownMessage(m: { id: string; type: string; from: string | null; room: string | null; to: string | null; payload: Uint8Array; metadata: Record<string, string> }): ReceivedMessage {
  return new Received({ ...m, seq: 0, timestamp: Date.now(), history: false, own: true });
}

/** A copy of `m` with a new seq (an ACK assigned it). */
export function withSeq(m: ReceivedMessage, seq: number): ReceivedMessage {
  return new Received({ ...m, seq });
}
