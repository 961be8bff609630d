/**
 * The client's events: a typed map where every handler receives one context
 * object (centrifuge-js style). It covers the Flare IM seed's `ClientEvent`
 * list (Connected, Disconnected, Reconnecting, Reconnected, MessageReceived,
 * MessageSent, MessageFailed, Heartbeat, Error, ProtocolSwitched) plus what
 * the worker adds (state changes with reason codes, kicks, races, gaps).
 */
import type { FlareError } from '../codec/errors.ts';
import type { ConnectionState } from '../worker/codes.ts';
import type { Protocol } from './options.ts';
import type { ReceivedMessage } from './message.ts';

/** Event name -> the context object its handlers receive. */
export interface ClientEventMap {
  /** Every state change, with the worker's reason code (src/worker/codes.ts). */
  state: { from: ConnectionState; to: ConnectionState; code: string; reason: string };
  /** A handshake completed (first connect, reconnect, or after a transport switch). */
  connected: { protocol: Protocol; connectionId: string; userId: string; reconnected: boolean; format: string; compression: string };
  /** The client stopped: `disconnect()`, retries exhausted, authentication refused, or no auto-reconnect. */
  disconnected: { state: 'disconnected' | 'failed'; code: string; reason: string };
  /** The connection dropped; the worker is trying again. */
  reconnecting: { code: string; reason: string };
  /** Connected again after a drop (also delivered as `connected` with `reconnected: true`). */
  reconnected: { protocol: Protocol; connectionId: string };
  /** The session moved to another transport without losing messages. */
  protocolSwitched: { from: Protocol; to: Protocol; reason: string };
  /** The transport race was decided. */
  raced: { winner: Protocol; decidedBy: string; scores: Partial<Record<Protocol, number>> };
  /** The server ended the session (device conflict, admin); no automatic reconnect. */
  kicked: { reason: string; message: string };
  /** An app message (payload or notification) arrived, from a user or a room. */
  messageReceived: { message: ReceivedMessage };
  /** The server confirmed a message (its ACK), or a best-effort message went out. */
  messageSent: { id: string; seq: number | null };
  /** A message will not be delivered (expired, refused, evicted). */
  messageFailed: { id: string; error: FlareError };
  /** A heartbeat round trip. */
  heartbeat: { rttMs: number; clockOffsetMs: number | null };
  /** A room's sequence has a hole (`open`) or one was given up on (`skipped`). */
  gap: { stream: string; from: number; to: number; state: 'open' | 'skipped' };
  /** Something went wrong that is not tied to one call (server ERROR frames, handler failures). */
  error: { error: FlareError };
}

export type ClientEventName = keyof ClientEventMap;
export type ClientEventHandler<K extends ClientEventName> = (ctx: ClientEventMap[K]) => void;

/** A small typed emitter; a handler that throws is reported (`reportError`) and does not stop the others. */
export class Emitter<M extends object> {
  readonly #handlers = new Map<keyof M, Set<(ctx: never) => void>>();

  /** Adds a handler; returns the function that removes it. */
  on<K extends keyof M>(type: K, handler: (ctx: M[K]) => void): () => void {
    let set = this.#handlers.get(type);
    if (!set) this.#handlers.set(type, (set = new Set()));
    set.add(handler as (ctx: never) => void);
    return () => this.off(type, handler);
  }

  /** Adds a handler called at most once. */
  once<K extends keyof M>(type: K, handler: (ctx: M[K]) => void): () => void {
    const off = this.on(type, (ctx) => {
      off();
      handler(ctx);
    });
    return off;
  }

  off<K extends keyof M>(type: K, handler: (ctx: M[K]) => void): void {
    this.#handlers.get(type)?.delete(handler as (ctx: never) => void);
  }

  /** Whether anyone listens to `type` (lets callers skip building contexts). */
  has<K extends keyof M>(type: K): boolean {
    return (this.#handlers.get(type)?.size ?? 0) > 0;
  }

  emit<K extends keyof M>(type: K, ctx: M[K]): void {
    const set = this.#handlers.get(type);
    if (!set) return;
    for (const h of [...set]) {
      try {
        (h as (ctx: M[K]) => void)(ctx);
      } catch (e) {
        report(e);
      }
    }
  }

  /** Removes every handler. */
  clear(): void {
    this.#handlers.clear();
  }
}

function report(e: unknown): void {
  const r = (globalThis as { reportError?: (e: unknown) => void }).reportError;
  if (r) r(e);
  else setTimeout(() => {
    throw e;
  });
}
