/**
 * The history epoch: CONNECT_ACK names it; it changes when sequence numbers
 * restart (with the in-memory broker: a new server process); resume positions
 * from another epoch are stale and the server replays the current epoch instead.
 */
import { assert, assertEquals } from './testing/assert.ts';
import { withServer } from './testing/harness.ts';
import { isPayload, meta, payloadText, seqOf, TestClient } from './testing/client.ts';
import { readConnect, rebaseOnEpoch } from './handshake.ts';
import { PayloadType, SystemType, type Frame } from '../src/codec/frame-types.ts';
import { systemFrame } from '../src/codec/frames.ts';

const ackOf = (id: string) => (f: Frame) => isPayload(f, PayloadType.ACK) && f.messageId === id;
const roomMsg = (room: string) => (f: Frame) => isPayload(f, PayloadType.MESSAGE) && meta(f, 'room') === room;
const dm = (f: Frame) => isPayload(f, PayloadType.MESSAGE) && meta(f, 'to') !== undefined;

Deno.test('history epoch: rebasing positions from another epoch (pure)', () => {
  const connect = (metadata: Record<string, string>) => readConnect(systemFrame(SystemType.CONNECT, { metadata }));
  const req = connect({ rooms: '{"a": 41, "b": 7}', inbox_seq: '12', history_epoch: 'e1' });
  assertEquals(rebaseOnEpoch(req, 'e1'), false, 'same epoch');
  assertEquals([[...req.rooms], req.inboxSeq], [[['a', 41], ['b', 7]], 12]);
  assertEquals(rebaseOnEpoch(req, null), false, 'server epoch unknown: positions kept');
  assertEquals(rebaseOnEpoch(req, 'e2'), true);
  assertEquals([[...req.rooms], req.inboxSeq], [[['a', 0], ['b', 0]], 0], 'replay the new epoch from its start');
  const names = connect({ rooms: '["a"]', history_epoch: 'e1' });
  rebaseOnEpoch(names, 'e2');
  assertEquals([[...names.rooms], names.inboxSeq], [[['a', null]], null], 'joins without positions stay without replay');
  const old = connect({ rooms: '{"a": 3}', inbox_seq: '1' });
  assertEquals(rebaseOnEpoch(old, 'e2'), false, 'a client that does not name its epoch keeps the old behaviour');
});

Deno.test('history epoch: in CONNECT_ACK, the same for every connection of a process, new with a new process', async () => {
  let first = '';
  await withServer({}, async (s) => {
    const a = await TestClient.connect(s.url, { meta: { user_id: 'a' } });
    const b = await TestClient.connect(s.url, { format: 'protobuf', meta: { user_id: 'b' } });
    first = meta(a.ack!, 'history_epoch') ?? '';
    assert(first.length > 0, 'CONNECT_ACK names the epoch');
    assertEquals(meta(b.ack!, 'history_epoch'), first);
    a.close();
    b.close();
  });
  await withServer({}, async (s) => {
    const c = await TestClient.connect(s.url, { meta: { user_id: 'c' } });
    const second = meta(c.ack!, 'history_epoch');
    assert(second && second !== first, `a restarted server (in-memory history) has a new epoch: ${first} -> ${second}`);
    c.close();
  });
});

Deno.test('history epoch: resume positions from another epoch replay the current epoch from its start; from this one, only what followed', async () => {
  await withServer({}, async (s) => {
    const pub = await TestClient.connect(s.url, { meta: { user_id: 'pub' } });
    await pub.call('room.join', { room: 'news' });
    for (let i = 1; i <= 5; i++) await pub.next(ackOf(pub.publish({ room: 'news' }, `n${i}`)));
    for (let i = 1; i <= 2; i++) await pub.next(ackOf(pub.publish({ to: 'sub' }, `dm${i}`)));
    const epoch = meta(pub.ack!, 'history_epoch')!;

    // Positions (3 in the room, 1 in the inbox) saved before a restart of the server: another epoch.
    const stale = await TestClient.connect(s.url, { meta: { user_id: 'sub', device_id: 'd1', rooms: '{"news": 3}', inbox_seq: '1', history_epoch: 'before-restart' } });
    assertEquals(meta(stale.ack!, 'history_epoch'), epoch, 'the client learns the new epoch');
    const room = await stale.collect(roomMsg('news'), 5);
    assertEquals(room.map((f) => [seqOf(f), payloadText(f), meta(f, 'history')]), [1, 2, 3, 4, 5].map((i) => [i, `n${i}`, '1']));
    assertEquals((await stale.collect(dm, 2)).map(seqOf), [1, 2]);
    stale.close();
    await stale.waitClosed();

    // The same positions from the current epoch: only what followed them.
    const current = await TestClient.connect(s.url, { meta: { user_id: 'sub', device_id: 'd1', rooms: '{"news": 3}', inbox_seq: '1', history_epoch: epoch } });
    assertEquals((await current.collect(roomMsg('news'), 2)).map(seqOf), [4, 5]);
    assertEquals((await current.collect(dm, 1)).map(seqOf), [2]);
    await current.call('echo', {});
    assertEquals(current.frames.filter((f) => roomMsg('news')(f) || dm(f)).length, 0, 'nothing more');
    current.close();
    pub.close();
  });
});
