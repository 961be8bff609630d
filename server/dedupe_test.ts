/**
 * Idempotent publish: a room or direct message resent with the same message id
 * (a client whose ACK was lost, resending after a reconnect) is ACKed with the
 * original seq and neither stored nor delivered twice.
 */
import { assert, assertEquals } from './testing/assert.ts';
import { withServer } from './testing/harness.ts';
import { isPayload, meta, payloadText, seqOf, TestClient } from './testing/client.ts';
import { MemoryBroker } from './broker/memory.ts';
import { dedupeKey, RecentIds } from './broker/recent-ids.ts';
import type { LogEntry } from './broker/broker.ts';
import { PayloadType, Reliability, type Frame } from '../src/codec/frame-types.ts';
import { payloadFrame } from '../src/codec/frames.ts';

const enc = new TextEncoder();
const ackOf = (id: string) => (f: Frame) => isPayload(f, PayloadType.ACK) && f.messageId === id;
const msg = (f: Frame) => isPayload(f, PayloadType.MESSAGE);

/** A MESSAGE payload with a fixed message id (what a client resends). */
function message(id: string, route: Record<string, string>, text: string): Frame {
  return payloadFrame(PayloadType.MESSAGE, { payload: enc.encode(text), metadata: route }, { messageId: id, reliability: Reliability.AT_LEAST_ONCE });
}

function entry(messageId: string, from = 'u'): Omit<LogEntry, 'seq'> {
  return { messageId, type: 1, payload: new Uint8Array(), metadata: {}, from, fromConnection: `${from}-c`, timestamp: 0, reliability: 1 };
}

Deno.test('recent ids: a key is known within the window of seqs, then forgotten', () => {
  const ids = new RecentIds(3);
  for (let seq = 1; seq <= 5; seq++) ids.add(`k${seq}`, seq);
  assertEquals([1, 2, 3, 4, 5].map((i) => ids.get(`k${i}`)), [undefined, undefined, 3, 4, 5]);
  assertEquals(ids.size, 3);
  for (let seq = 6; seq <= 5000; seq++) ids.add(`k${seq}`, seq);
  assertEquals(ids.size, 3, 'bounded');
  assertEquals(ids.get('k4998'), 4998);
  assert(dedupeKey('ab', 'c') !== dedupeKey('a', 'bc'), 'publisher and id cannot run into each other');
  assertEquals(dedupeKey('u', ''), null, 'no message id: never a duplicate');
});

Deno.test('memory broker: append is idempotent per publisher and message id, within the window', async () => {
  const b = new MemoryBroker({ historySize: 100, dedupeWindow: 4 });
  const first = await b.append('room:r', entry('m1'));
  assertEquals([first.seq, first.duplicate], [1, undefined]);
  const again = await b.append('room:r', entry('m1'));
  assertEquals([again.seq, again.duplicate], [1, true]);
  assertEquals((await b.append('room:r', entry('m1', 'other'))).seq, 2, 'another publisher with the same id is another message');
  assertEquals((await b.append('room:other', entry('m1'))).seq, 1, 'per log');
  assertEquals((await b.append('room:r', entry(''))).seq, 3, 'without an id: appended');
  assertEquals((await b.append('room:r', entry(''))).seq, 4);
  assertEquals((await b.append('room:r', entry('m1'))).duplicate, true, 'still in the window (seq 1 of 1..4)');
  await b.append('room:r', entry('m5'));
  assertEquals((await b.append('room:r', entry('m1'))).seq, 6, 'out of the window: appended again');
  assertEquals(await b.lastSeq('room:r'), 6);
  assertEquals((await b.range('room:r', { after: 0, limit: 10 })).map((e) => e.messageId), ['m1', 'm1', '', '', 'm5', 'm1']);
});

Deno.test('idempotent publish: a resend, also from a new connection, is ACKed with the original seq and delivered once', async () => {
  await withServer({}, async (s) => {
    const alice = await TestClient.connect(s.url, { meta: { user_id: 'alice', device_id: 'a1' } });
    const bob = await TestClient.connect(s.url, { format: 'protobuf', meta: { user_id: 'bob' } });
    await alice.call('room.join', { room: 'lobby' });
    await bob.call('room.join', { room: 'lobby' });

    alice.send(message('fixed-1', { room: 'lobby' }, 'hello'));
    assertEquals(meta(await alice.next(ackOf('fixed-1')), 'seq'), '1');
    alice.send(message('fixed-1', { room: 'lobby' }, 'hello'));
    const again = await alice.next(ackOf('fixed-1'));
    assertEquals([meta(again, 'seq'), meta(again, 'room'), meta(again, 'error')], ['1', 'lobby', undefined], 'the resend is ACKed like the original');

    // The client reconnects (its ACK lost) and resends on the new connection.
    alice.close();
    await alice.waitClosed();
    const back = await TestClient.connect(s.url, { meta: { user_id: 'alice', device_id: 'a1' } });
    await back.call('room.join', { room: 'lobby' });
    back.send(message('fixed-1', { room: 'lobby' }, 'hello'));
    assertEquals(meta(await back.next(ackOf('fixed-1')), 'seq'), '1', 'a resend from a new connection');
    // Another user's message with the same id is a different message.
    bob.send(message('fixed-1', { room: 'lobby' }, 'mine'));
    assertEquals(meta(await bob.next(ackOf('fixed-1')), 'seq'), '2');

    const history = await bob.call<{ count: number }>('room.history', { room: 'lobby', after: 0 });
    assertEquals(history.count, 2, 'stored once per message');
    const frames = (await bob.collect(msg, 3)).filter((f) => meta(f, 'room') === 'lobby');
    assertEquals(frames.map((f) => [payloadText(f), seqOf(f), meta(f, 'history') ?? 'live']), [
      ['hello', 1, 'live'],
      ['hello', 1, '1'],
      ['mine', 2, '1'],
    ], 'bob got hello live once, then the two stored messages from history');
    assertEquals(s.ctx.metrics.value('flare_publish_duplicates_total'), 2);
    back.close();
    bob.close();
  });
});

Deno.test('idempotent publish: direct messages too (per recipient inbox)', async () => {
  await withServer({}, async (s) => {
    const alice = await TestClient.connect(s.url, { meta: { user_id: 'alice' } });
    const bob = await TestClient.connect(s.url, { meta: { user_id: 'bob' } });
    for (let i = 0; i < 3; i++) {
      alice.send(message('dm-1', { to: 'bob' }, 'psst'));
      assertEquals(meta(await alice.next(ackOf('dm-1')), 'seq'), '1');
    }
    alice.send(message('dm-2', { to: 'bob' }, 'again?'));
    assertEquals(meta(await alice.next(ackOf('dm-2')), 'seq'), '2');
    const got = await bob.collect(msg, 2);
    assertEquals(got.map((f) => [payloadText(f), seqOf(f)]), [['psst', 1], ['again?', 2]]);
    await bob.call('echo', {});
    assertEquals(bob.frames.filter(msg).length, 0, 'the resends were not delivered');
    alice.close();
    bob.close();
  });
});
