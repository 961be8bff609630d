/**
 * Built-in RPC methods, events and streams: the WebSocket-server seed's
 * actions (`echo`, `broadcast`, `get_connections`), rooms, and, when
 * `testMethods` is on, helpers for tests and benchmarks. docs/PROTOCOL.md
 * lists their bodies and results.
 */
import { ErrorCode, FlareError } from '../src/codec/errors.ts';
import { NotificationType, PayloadType, Reliability } from '../src/codec/frame-types.ts';
import { payloadFrame } from '../src/codec/frames.ts';
import type { Handlers } from './handlers.ts';
import type { Hub } from './hub.ts';
import { RoomService } from './rooms.ts';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function num(v: unknown, name: string, min: number, max: number, dflt?: number): number {
  if (v === undefined && dflt !== undefined) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new FlareError(ErrorCode.INVALID_ARGUMENT, `${name} must be an integer in [${min}, ${max}]`);
  }
  return v;
}

function optSeq(v: unknown, name: string): number | undefined {
  return v === undefined || v === null ? undefined : num(v, name, 0, Number.MAX_SAFE_INTEGER);
}

export function installBuiltins(h: Handlers, hub: Hub, rooms: RoomService, testMethods: boolean): void {
  // --- the WebSocket-server seed's actions
  h.addRpc('echo', ({ body }) => body.bytes);
  h.addRpc('broadcast', async ({ session, body }) => {
    const delivered = await hub.broadcast(session.userId, 'broadcast', body.bytes, NotificationType.BROADCAST);
    return { delivered };
  });
  h.addRpc('get_connections', () => {
    const byTransport = hub.countsByTransport();
    return { connections: hub.sessions.size, by_transport: byTransport };
  });
  h.addRpc('time', () => ({ now: Date.now() }));

  // --- rooms
  h.addRpc('room.join', ({ session, body }) => {
    const b = body.json<{ room?: unknown; since?: unknown; presence?: unknown; presence_events?: unknown }>();
    const presence: Record<string, string> = {};
    if (b.presence && typeof b.presence === 'object') for (const [k, v] of Object.entries(b.presence)) presence[k] = typeof v === 'string' ? v : JSON.stringify(v);
    return rooms.join(session, RoomService.checkName(b.room), { since: optSeq(b.since, 'since') ?? null, presence, presenceEvents: b.presence_events !== false });
  });
  h.addRpc('room.leave', async ({ session, body }) => {
    const room = RoomService.checkName(body.json<{ room?: unknown }>().room);
    return { room, left: await rooms.leave(session, room) };
  });
  h.addRpc('room.members', async ({ body }) => {
    const room = RoomService.checkName(body.json<{ room?: unknown }>().room);
    return { room, members: await rooms.members(room) };
  });
  h.addRpc('room.history', ({ session, body }) => {
    const b = body.json<{ room?: unknown; after?: unknown; before?: unknown; limit?: unknown }>();
    return rooms.history(session, RoomService.checkName(b.room), {
      after: optSeq(b.after, 'after'),
      before: optSeq(b.before, 'before'),
      limit: b.limit === undefined ? undefined : num(b.limit, 'limit', 1, 100_000),
    });
  });

  h.addEvent('echo', ({ session, event, body }) => session.rpc.emit(event, body.bytes));
  h.addStream('echo', async (stream) => {
    for await (const chunk of stream) await stream.send(chunk.data, chunk.ts);
  });
  h.addStream('sink', async (stream) => {
    let count = 0;
    let bytes = 0;
    for await (const chunk of stream) {
      count++;
      bytes += chunk.data.length;
    }
    stream.session.rpc.emit('sink.done', encoder.encode(JSON.stringify({ sid: stream.sid, count, bytes })));
  });

  if (!testMethods) return;

  // --- helpers for tests and benchmarks
  h.addRpc('test.flood', async ({ session, body }) => {
    const b = body.json<{ count?: unknown; size?: unknown; best_effort?: unknown }>();
    const count = num(b.count, 'count', 0, 10_000_000);
    const size = num(b.size, 'size', 0, 1024 * 1024, 64);
    const payload = new Uint8Array(size);
    const reliability = b.best_effort === true ? Reliability.BEST_EFFORT : Reliability.AT_LEAST_ONCE;
    for (let i = 1; i <= count; i++) {
      if (session.state === 'closed') break;
      session.sendFrame(payloadFrame(PayloadType.DATA, { payload, seq: i, metadata: { flood: '1' } }, { reliability }));
      if ((i & 255) === 0) await session.whenWritable();
    }
    return { sent: count };
  });
  h.addRpc('test.call_me', async ({ session, body }) => {
    const b = body.json<{ method?: unknown; body?: unknown; timeout_ms?: unknown }>();
    if (typeof b.method !== 'string') throw new FlareError(ErrorCode.INVALID_ARGUMENT, 'method must be a string');
    const arg = typeof b.body === 'string' ? encoder.encode(b.body) : encoder.encode(JSON.stringify(b.body ?? null));
    const answer = await session.rpc.request(b.method, arg, num(b.timeout_ms, 'timeout_ms', 1, 60_000, 5_000));
    return { answer: decoder.decode(answer) };
  });
  h.addRpc('test.emit_me', ({ session, body }) => {
    const b = body.json<{ event?: unknown; body?: unknown }>();
    if (typeof b.event !== 'string') throw new FlareError(ErrorCode.INVALID_ARGUMENT, 'event must be a string');
    session.rpc.emit(b.event, encoder.encode(typeof b.body === 'string' ? b.body : JSON.stringify(b.body ?? null)));
    return {};
  });
  h.addRpc('test.delay', async ({ body }) => {
    const b = body.json<{ ms?: unknown; value?: unknown }>();
    await new Promise((r) => setTimeout(r, num(b.ms, 'ms', 0, 60_000)));
    return { value: b.value ?? null };
  });
  h.addRpc('test.fail', ({ body }) => {
    const b = body.json<{ code?: unknown; message?: unknown }>();
    throw new FlareError((typeof b.code === 'string' ? b.code : ErrorCode.REMOTE_ERROR) as ErrorCode, typeof b.message === 'string' ? b.message : 'failed on request');
  });
}
