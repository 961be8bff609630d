/**
 * Turns the worker's event batches into client effects: the state signals,
 * the typed client events, delivery states, and incoming frames routed to
 * middleware, RPC, streams, rooms, typed consumers and `messageReceived`.
 * One place decides where every event goes; client.ts only wires it.
 */
import { ErrorCode, FlareError } from '../codec/errors.ts';
import { ExtCommand } from '../protocol/extensions.ts';
import type { InboundMessage, WorkerEvent } from '../worker/api.ts';
import { deserializeError } from '../worker/transfer-handlers.ts';
import type { DeliveryTracker } from './delivery.ts';
import type { ClientEventMap, Emitter } from './events.ts';
import { fromInbound, type ReceivedMessage } from './message.ts';
import type { MiddlewareChain } from './middleware.ts';
import type { Room } from './room.ts';
import type { RpcEndpoint } from './rpc.ts';
import type { StateStore } from './state.ts';
import type { StreamTable } from './streams.ts';

/** The parts events are routed to. */
export interface RouterParts {
  store: StateStore;
  events: Emitter<ClientEventMap>;
  delivery: DeliveryTracker;
  middleware: MiddlewareChain;
  rpc: RpcEndpoint;
  streams: StreamTable;
  rooms: ReadonlyMap<string, Room>;
  /** Consumers of message types (call signals); their messages skip `messageReceived`. */
  typed: ReadonlyMap<string, ReadonlySet<(m: ReceivedMessage) => void>>;
  /** Asks the worker for fresh stats (throttled by the caller). */
  refreshStats(): void;
}

const asFlare = (e: Error): FlareError => (FlareError.is(e) ? e : new FlareError(ErrorCode.INTERNAL, e.message, { cause: e }));

/** Routes one event. */
export function routeEvent(parts: RouterParts, e: WorkerEvent): void {
  const { store, events } = parts;
  {
    store.apply(e);
    switch (e.type) {
      case 'message':
        routeMessage(parts, e.message);
        break;
      case 'delivery':
        parts.delivery.progress(e.ids, e.state);
        break;
      case 'acked':
        if (parts.delivery.acked(e.id, e.seq)) events.emit('messageSent', { id: e.id, seq: e.seq });
        break;
      case 'failed': {
        const error = asFlare(deserializeError(e.error));
        if (parts.delivery.failed(e.id, error)) events.emit('messageFailed', { id: e.id, error });
        break;
      }
      case 'state':
        onState(parts, e);
        break;
      case 'connected':
        events.emit('connected', { protocol: e.transport, connectionId: e.connectionId, userId: e.userId, reconnected: e.reconnected, format: e.format, compression: e.compression });
        if (e.reconnected) events.emit('reconnected', { protocol: e.transport, connectionId: e.connectionId });
        parts.refreshStats();
        break;
      case 'switched':
        events.emit('protocolSwitched', { from: e.from, to: e.to, reason: e.reason });
        parts.refreshStats();
        break;
      case 'race':
        events.emit('raced', { winner: e.winner, decidedBy: e.decidedBy, scores: e.scores });
        break;
      case 'rtt':
        events.emit('heartbeat', { rttMs: e.rttMs, clockOffsetMs: e.clockOffsetMs });
        parts.refreshStats();
        break;
      case 'kicked':
        events.emit('kicked', { reason: e.reason, message: e.message });
        break;
      case 'error':
        events.emit('error', { error: asFlare(deserializeError(e.error)) });
        break;
      case 'gap':
        events.emit('gap', { stream: e.stream, from: e.from, to: e.to, state: e.state });
        break;
    }
  }
}

function onState(parts: RouterParts, e: Extract<WorkerEvent, { type: 'state' }>): void {
  const { events } = parts;
  events.emit('state', { from: e.from, to: e.to, code: e.code, reason: e.reason });
  if (e.from === 'connected' && e.to !== 'connected') {
    // Answers to requests in flight, and stream frames, were on the lost connection.
    const lost = new FlareError(ErrorCode.TRANSPORT_CLOSED, `connection ${e.to}: ${e.reason || e.code}`, { details: { code: e.code } });
    parts.rpc.failAll(lost);
    parts.streams.failAll(lost);
  }
  if (e.to === 'reconnecting' && e.from !== 'reconnecting') events.emit('reconnecting', { code: e.code, reason: e.reason });
  if (e.to === 'disconnected' || e.to === 'failed') events.emit('disconnected', { state: e.to, code: e.code, reason: e.reason });
  parts.refreshStats();
}

/** One incoming frame. */
export function routeMessage(parts: RouterParts, inbound: InboundMessage): void {
  const m = parts.middleware.incoming(inbound, (error) => parts.events.emit('error', { error }));
  if (!m) return;
  if (m.kind === 'custom') {
    if (parts.rpc.receive(m) || parts.streams.receive(m)) return;
    if (m.name === ExtCommand.PRESENCE) {
      if (m.room !== null) parts.rooms.get(m.room)?.presenceChanged(m);
      return;
    }
  }
  const msg = fromInbound(m);
  const consumers = parts.typed.get(msg.type);
  if (consumers?.size) {
    for (const c of [...consumers]) c(msg);
    return;
  }
  if (msg.room !== null) parts.rooms.get(msg.room)?.receive(msg);
  parts.events.emit('messageReceived', { message: msg });
}
