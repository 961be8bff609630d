/**
 * Rooms named in CONNECT are joined before any frame after NEGOTIATION_READY
 * is processed: a client may publish to them at once. The broker here is
 * slowed down so that the join takes a while, deterministically.
 */
import { assertEquals } from './testing/assert.ts';
import { withServer } from './testing/harness.ts';
import { isPayload, isSystem, meta, payloadText, seqOf, TestClient } from './testing/client.ts';
import { MemoryBroker } from './broker/memory.ts';
import type { PresenceMember } from './broker/broker.ts';
import { PayloadType, SystemType, type Frame } from '../src/codec/frame-types.ts';
import { systemFrame } from '../src/codec/frames.ts';

const ackOf = (id: string) => (f: Frame) => isPayload(f, PayloadType.ACK) && f.messageId === id;
const roomMsg = (room: string) => (f: Frame) => isPayload(f, PayloadType.MESSAGE) && meta(f, 'room') === room;

/** Joins take `ms` longer (presence is written on every join). */
class SlowJoins extends MemoryBroker {
  constructor(private readonly ms: number) {
    super({ historySize: 100 });
  }
  override async presenceAdd(set: string, member: PresenceMember, ttlMs: number): Promise<boolean> {
    await new Promise((r) => setTimeout(r, this.ms));
    return super.presenceAdd(set, member, ttlMs);
  }
}

Deno.test('rooms named in CONNECT are joined before the frames that follow NEGOTIATION_READY are processed', async () => {
  await withServer({}, async (s) => {
    const other = await TestClient.connect(s.url, { meta: { user_id: 'other' } });
    await other.call('room.join', { room: 'lobby' });
    for (const skipReady of [false, true]) {
      const user = skipReady ? 'eager' : 'prompt';
      const c = await TestClient.connect(s.url, { skipReady, meta: { user_id: user, rooms: JSON.stringify({ lobby: 0, side: 0 }) } });
      // At once, in one go: a PING, a publish to a room named in CONNECT, an RPC about it.
      const ping = systemFrame(SystemType.PING);
      c.send(ping);
      const id = c.publish({ room: 'lobby' }, `first from ${user}`);
      const members = c.call<{ members: Array<{ user_id: string }> }>('room.members', { room: 'side' });
      const ack = await c.next(ackOf(id));
      assertEquals([meta(ack, 'error_code'), meta(ack, 'room')], [undefined, 'lobby'], `${user}: the publish found the room joined`);
      assertEquals((await members).members.map((m) => m.user_id), [user]);
      await c.next((f) => isSystem(f, SystemType.PONG) && meta(f, 'ping_id') === ping.messageId);
      const got = await other.next(roomMsg('lobby'));
      assertEquals([payloadText(got), seqOf(got)], [`first from ${user}`, Number(meta(ack, 'seq'))]);
      c.close();
    }
    other.close();
  }, { broker: new SlowJoins(80) });
});

Deno.test('a room named in CONNECT that cannot be joined gets an ERROR; the others are joined and held frames still go through', async () => {
  await withServer({}, async (s) => {
    const long = 'x'.repeat(201);
    const c = await TestClient.connect(s.url, { meta: { user_id: 'u', rooms: JSON.stringify({ [long]: 0, ok: 0 }) } });
    const id = c.publish({ room: 'ok' }, 'hi');
    const err = await c.next((f) => isSystem(f, SystemType.ERROR));
    assertEquals(meta(err, 'code'), 'invalid_argument');
    assertEquals(meta(await c.next(ackOf(id)), 'seq'), '1');
    c.close();
  }, { broker: new SlowJoins(20) });
});
