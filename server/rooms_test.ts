import { assert, assertEquals } from './testing/assert.ts';
import { withServer } from './testing/harness.ts';
import { isCustom, isPayload, meta, payloadText, seqOf, TestClient } from './testing/client.ts';
import { MemoryBroker } from './broker/memory.ts';
import { Membership } from './membership.ts';
import type { LogEntry } from './broker/broker.ts';
import { PayloadType, Reliability, type Frame } from '../src/codec/frame-types.ts';
import { ExtCommand } from '../src/protocol/extensions.ts';

const roomMsg = (room: string) => (f: Frame) => isPayload(f, PayloadType.MESSAGE) && meta(f, 'room') === room;
const ackOf = (id: string) => (f: Frame) => isPayload(f, PayloadType.ACK) && f.messageId === id;

Deno.test('rooms: join, publish with seq, fan-out to the other members, presence join/leave', async () => {
  await withServer({}, async (s) => {
    const a = await TestClient.connect(s.url, { meta: { user_id: 'alice' } });
    const b = await TestClient.connect(s.url, { format: 'protobuf', meta: { user_id: 'bob' } });
    const c = await TestClient.connect(s.url, { meta: { user_id: 'carol' } });
    const ja = await a.call<{ seq: number; members: unknown[] }>('room.join', { room: 'lobby' });
    assertEquals(ja.seq, 0);
    await b.call('room.join', { room: 'lobby', presence: { name: 'Bob' } });
    const joined = await a.next((f) => isCustom(f, ExtCommand.PRESENCE));
    assertEquals(meta(joined, 'action'), 'join');
    const member = JSON.parse(new TextDecoder().decode((joined.command!.value as { data: Uint8Array }).data));
    assertEquals([member.user_id, member.state.name, member.id], ['bob', 'Bob', b.connectionId]);
    const members = await c.call<{ members: Array<{ user_id: string }> }>('room.members', { room: 'lobby' });
    assertEquals(members.members.map((m) => m.user_id).sort(), ['alice', 'bob']);

    const id1 = a.publish({ room: 'lobby' }, 'hello');
    const ack1 = await a.next(ackOf(id1));
    assertEquals([meta(ack1, 'seq'), meta(ack1, 'room')], ['1', 'lobby']);
    const got = await b.next(roomMsg('lobby'));
    assertEquals([payloadText(got), seqOf(got), meta(got, 'from'), got.messageId], ['hello', 1, 'alice', id1]);
    const id2 = b.publish({ room: 'lobby' }, 'hi alice');
    assertEquals(meta(await b.next(ackOf(id2)), 'seq'), '2');
    assertEquals(seqOf(await a.next(roomMsg('lobby'))), 2);
    // Not a member: no delivery to carol, and publishing there is refused with an error ACK.
    const id3 = c.publish({ room: 'lobby' }, 'sneaky');
    const refused = await c.next(ackOf(id3));
    assertEquals([meta(refused, 'error'), meta(refused, 'error_code')], ['true', 'invalid_argument']);
    await c.call('echo', {});
    assertEquals(c.frames.filter(roomMsg('lobby')).length, 0);
    // The publisher does not get its own message back.
    await a.call('echo', {});
    assertEquals(a.frames.filter(roomMsg('lobby')).length, 0);

    await b.call('room.leave', { room: 'lobby' });
    const left = await a.next((f) => isCustom(f, ExtCommand.PRESENCE));
    assertEquals(meta(left, 'action'), 'leave');
    b.close();
    a.close();
    c.close();
  });
});

Deno.test('direct messages reach every connection of the user, with an inbox seq', async () => {
  await withServer({}, async (s) => {
    const a = await TestClient.connect(s.url, { meta: { user_id: 'alice' } });
    const b1 = await TestClient.connect(s.url, { meta: { user_id: 'bob', device_id: 'phone' } });
    const b2 = await TestClient.connect(s.url, { format: 'protobuf', meta: { user_id: 'bob', device_id: 'laptop' } });
    const id = a.publish({ to: 'bob' }, 'psst');
    assertEquals(meta(await a.next(ackOf(id)), 'seq'), '1');
    for (const b of [b1, b2]) {
      const m = await b.next((f) => isPayload(f, PayloadType.MESSAGE));
      assertEquals([payloadText(m), meta(m, 'from'), meta(m, 'to'), seqOf(m)], ['psst', 'alice', 'bob', 1]);
    }
    for (const c of [a, b1, b2]) c.close();
  });
});

Deno.test('history: the latest messages, and ranges by seq, marked history=1', async () => {
  await withServer({ historySize: 5 }, async (s) => {
    const a = await TestClient.connect(s.url, { meta: { user_id: 'alice' } });
    await a.call('room.join', { room: 'r' });
    for (let i = 1; i <= 8; i++) await a.next(ackOf(a.publish({ room: 'r' }, `m${i}`)));
    const latest = await a.call<{ count: number; first: number; last: number }>('room.history', { room: 'r', limit: 3 });
    assertEquals([latest.count, latest.first, latest.last], [3, 6, 8]);
    const frames = await a.collect(roomMsg('r'), 3);
    assertEquals(frames.map(payloadText), ['m6', 'm7', 'm8']);
    assertEquals(frames.map((f) => meta(f, 'history')), ['1', '1', '1']);
    // Only the last 5 are kept: after=0 starts at seq 4.
    const range = await a.call<{ first: number; last: number }>('room.history', { room: 'r', after: 0, limit: 100 });
    assertEquals([range.first, range.last], [4, 8]);
    a.close();
  });
});

Deno.test('resume: a client that reconnects with its last seqs gets what it missed, in order, without duplicates', async () => {
  await withServer({}, async (s) => {
    const pub = await TestClient.connect(s.url, { meta: { user_id: 'pub' } });
    await pub.call('room.join', { room: 'news' });
    const sub = await TestClient.connect(s.url, { format: 'protobuf', meta: { user_id: 'sub' } });
    await sub.call('room.join', { room: 'news' });
    for (let i = 1; i <= 3; i++) pub.publish({ room: 'news' }, `n${i}`);
    const seen = (await sub.collect(roomMsg('news'), 3)).map(seqOf);
    assertEquals(seen, [1, 2, 3]);
    pub.publish({ to: 'sub' }, 'dm1');
    await sub.next((f) => isPayload(f, PayloadType.MESSAGE) && meta(f, 'to') === 'sub');
    sub.close();
    await sub.waitClosed();

    // While away: 4..6 in the room, a second DM.
    for (let i = 4; i <= 6; i++) await pub.next(ackOf(pub.publish({ room: 'news' }, `n${i}`)));
    await pub.next(ackOf(pub.publish({ to: 'sub' }, 'dm2')));

    // Reconnect with positions, while the publisher keeps publishing 7..30 concurrently.
    const publishing = (async () => {
      for (let i = 7; i <= 30; i++) {
        pub.publish({ room: 'news' }, `n${i}`);
        if (i % 4 === 0) await new Promise((r) => setTimeout(r, 1));
      }
    })();
    const back = await TestClient.connect(s.url, { format: 'protobuf', meta: { user_id: 'sub', rooms: JSON.stringify({ news: 3 }), inbox_seq: '1' } });
    await publishing;
    const got = await back.collect(roomMsg('news'), 27, 10_000);
    assertEquals(got.map(seqOf), Array.from({ length: 27 }, (_, i) => i + 4));
    assertEquals(got.map(payloadText), Array.from({ length: 27 }, (_, i) => `n${i + 4}`));
    assert(got.slice(0, 3).every((f) => meta(f, 'history') === '1'), 'the missed ones are marked as history');
    const dm = await back.next((f) => isPayload(f, PayloadType.MESSAGE) && meta(f, 'to') === 'sub');
    assertEquals([payloadText(dm), seqOf(dm)], ['dm2', 2]);
    await back.call('echo', {});
    assertEquals(back.frames.filter(roomMsg('news')).length, 0, 'no duplicates');
    // room.join with `since` on a joined room replays what the client says it lost, and nothing else.
    await back.call('room.join', { room: 'news', since: 28 });
    assertEquals((await back.collect(roomMsg('news'), 2)).map(seqOf), [29, 30]);
    back.close();
    pub.close();
  });
});

Deno.test('best-effort room messages are not ACKed but still delivered', async () => {
  await withServer({}, async (s) => {
    const a = await TestClient.connect(s.url, { meta: { user_id: 'a' } });
    const b = await TestClient.connect(s.url, { meta: { user_id: 'b' } });
    await a.call('room.join', { room: 'x' });
    await b.call('room.join', { room: 'x' });
    a.publish({ room: 'x' }, 'fire and forget', { reliability: Reliability.BEST_EFFORT });
    const m = await b.next(roomMsg('x'));
    assertEquals(m.reliability, Reliability.BEST_EFFORT);
    await a.call('echo', {});
    assertEquals(a.frames.filter((f) => isPayload(f, PayloadType.ACK)).length, 0);
    a.close();
    b.close();
  });
});

Deno.test('membership: replay then live, held entries released in order, duplicates dropped', () => {
  const sent: Array<[number, boolean]> = [];
  const entry = (seq: number, from = 'x'): LogEntry => ({ seq, messageId: `m${seq}`, type: 1, payload: new Uint8Array(), metadata: {}, from: 'u', fromConnection: from, timestamp: 0, reliability: 1 });
  const m = new Membership('room:r', (e, live) => sent.push([e.seq, live]), 'me', 0);
  m.deliver(entry(5)); // held during the replay
  m.deliver(entry(4));
  m.replay([entry(2), entry(3), entry(4)]);
  m.goLive();
  m.deliver(entry(5)); // duplicate
  m.deliver(entry(6, 'me')); // own message: seq consumed, not echoed
  m.deliver(entry(7));
  assertEquals(sent, [[2, false], [3, false], [4, false], [5, true], [7, true]]);
  assertEquals(m.lastSeq, 7);
});

Deno.test('memory broker: seqs, trimmed ranges, presence expiry', async () => {
  let now = 1000;
  const b = new MemoryBroker({ historySize: 3, now: () => now });
  for (let i = 0; i < 6; i++) await b.append('l', { messageId: `${i}`, type: 1, payload: new Uint8Array(), metadata: {}, from: 'u', fromConnection: 'c', timestamp: 0, reliability: 1 });
  assertEquals(await b.lastSeq('l'), 6);
  assertEquals((await b.range('l', { after: 0, limit: 10 })).map((e) => e.seq), [4, 5, 6]);
  assertEquals((await b.range('l', { after: 4, limit: 10 })).map((e) => e.seq), [5, 6]);
  assertEquals((await b.range('l', { before: 6, limit: 1 })).map((e) => e.seq), [5]);
  assertEquals(await b.range('nothing', { after: 0, limit: 5 }), []);
  const member = { id: 'c1', userId: 'u', deviceId: 'd', platform: 'web', joinedAt: 0, state: {} };
  assertEquals(await b.presenceAdd('p', member, 100), true);
  assertEquals(await b.presenceAdd('p', member, 100), false);
  now += 150;
  assertEquals(await b.presenceList('p'), []);
  assertEquals(await b.presenceAdd('p', member, 100), true, 'an expired member joins anew');
  assertEquals(await b.presenceRemove('p', 'c1'), true);
  assertEquals(await b.presenceRemove('p', 'c1'), false);
});
