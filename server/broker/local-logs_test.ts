/** The recovery rules of the Redis broker, without Redis (server/broker/local-logs.ts). */
import { ErrorCode, FlareError } from '../../src/codec/errors.ts';
import { assert, assertEquals } from '../testing/assert.ts';
import type { LogEntry } from './broker.ts';
import { LocalLogs } from './local-logs.ts';

const e = (seq: number, id: string, timestamp = seq): LogEntry => ({ seq, messageId: id, type: 1, payload: new Uint8Array(0), metadata: {}, from: 'u', fromConnection: 'c', timestamp, reliability: 1 });
const body = (id: string, timestamp = 0): Omit<LogEntry, 'seq'> => {
  const { seq: _s, ...rest } = e(0, id, timestamp);
  return rest;
};
const ids = (xs: readonly LogEntry[]) => xs.map((x) => x.messageId);

Deno.test('local logs: provisional seqs continue the known sequence; unknown logs and a full buffer refuse', () => {
  const logs = new LocalLogs({ recentPerLog: 4, outageBuffer: 2 });
  const st = logs.touch('room:a');
  try {
    logs.provisional('room:a', st, body('x'));
    throw new Error('expected a refusal');
  } catch (err) {
    assert(FlareError.is(err, ErrorCode.UNAVAILABLE), String(err));
  }
  logs.learn(st, 7);
  assertEquals([logs.provisional('room:a', st, body('p1')).seq, logs.provisional('room:a', st, body('p2')).seq], [8, 9]);
  assertEquals(st.provisionalBase, 7);
  assertEquals(logs.pendingTotal, 2);
  let full = false;
  try {
    logs.provisional('room:a', st, body('p3'));
  } catch (err) {
    full = FlareError.is(err, ErrorCode.UNAVAILABLE);
  }
  assert(full, 'outage buffer bound');
});

Deno.test('local logs: hand-out drops redeliveries and keeps the recent ring; recent reads follow the memory broker', () => {
  const logs = new LocalLogs({ recentPerLog: 3, outageBuffer: 10 });
  const st = logs.touch('room:r');
  assertEquals([1, 2, 2, 1, 3, 4, 5].map((s) => logs.handOut(st, e(s, `m${s}`))), [true, true, false, false, true, true, true]);
  assertEquals(st.recent.map((x) => x.seq), [3, 4, 5]);
  assertEquals(logs.recentRange(st, { after: 3, limit: 10 }).map((x) => x.seq), [4, 5]);
  assertEquals(logs.recentRange(st, { before: 5, limit: 1 }).map((x) => x.seq), [4]);
  assertEquals(logs.recentRange(st, { after: 0, limit: 2 }).map((x) => x.seq), [3, 4]);
});

Deno.test('local logs: recovery after a partition - catch up what followed, copy what provisional seqs hid, re-append provisional', () => {
  const logs = new LocalLogs({ recentPerLog: 10, outageBuffer: 10 });
  const st = logs.touch('room:p');
  logs.learn(st, 1);
  logs.handOut(st, e(1, 'b0'));
  const p = logs.provisional('room:p', st, body('a1', 25));
  logs.handOut(st, p);
  // Meanwhile another process appended b1 (seq 2, hidden by a1's provisional 2) and b2 (seq 3).
  assertEquals(logs.resyncRequest(st, true), { hw: 2, from: 1 });
  const plan = logs.plan(st, 3, [e(2, 'b1', 20), e(3, 'b2', 30)], true);
  assertEquals(ids(plan.catchUp), ['b2']);
  assertEquals(ids(plan.again), ['b1', 'a1'], 'hidden copy and provisional, oldest first');
  assertEquals(plan.counts, { lost: 0, hidden: 1, provisional: 1 });
  logs.settle(st);
  assertEquals([logs.pendingTotal, st.pending.length, st.provisionalBase], [0, 0, null]);
  assert(!st.recent.some((x) => logs.isProvisional(x)), 'provisional entries leave the recent ring');
});

Deno.test('local logs: recovery after Redis lost everything - counter floor, lost own appends re-appended, nothing hidden without subscribers', () => {
  const logs = new LocalLogs({ recentPerLog: 10, outageBuffer: 10 });
  const st = logs.touch('inbox:bob');
  logs.learn(st, 40);
  logs.noteOwn('inbox:bob', e(41, 'mine'));
  logs.learn(st, 41);
  logs.markSuspects();
  assertEquals(ids(st.suspects), ['mine']);
  assertEquals(logs.resyncRequest(st, false), { hw: 41, from: 40 }, 'read back from the oldest suspect');
  // Redis restarted empty; another process already appended 'other' at 42 after raising the floor.
  const plan = logs.plan(st, 41, [e(42, 'other')], false);
  assertEquals(ids(plan.again), ['mine'], 'the lost own append');
  assertEquals(ids(plan.catchUp), ['other']);
  // A log nobody here subscribes to, not read at all.
  const quiet = logs.touch('room:q');
  logs.learn(quiet, 5);
  assertEquals(logs.resyncRequest(quiet, false), { hw: 5, from: -1 });
});

Deno.test('local logs: a log first seen during the outage catches up only what was published after it was first touched', () => {
  const logs = new LocalLogs({ recentPerLog: 10, outageBuffer: 10 });
  const st = logs.touch('room:new');
  assertEquals(logs.resyncRequest(st, true), { hw: 0, from: 0 });
  const plan = logs.plan(st, 500, [e(499, 'old', st.since - 60_000), e(500, 'fresh', st.since + 1)], true);
  assertEquals(ids(plan.catchUp), ['fresh']);
  assertEquals(plan.again.length, 0);
});
