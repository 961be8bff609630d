/**
 * The Redis broker against a real redis-server (started here on a free port,
 * no persistence): sequences shared between brokers, ordered pub/sub, history
 * reads identical to the in-memory broker, cluster-wide presence with expiry,
 * and the outage rules (local delivery, provisional seqs, recovery after a
 * Redis restart and after a partition of one process).
 * Skipped, with a message, only when no redis-server can be found or installed.
 */
import { ErrorCode, FlareError } from '../../src/codec/errors.ts';
import { assert, assertEquals, assertRejects } from '../testing/assert.ts';
import type { BrokerMessage, LogEntry, PresenceMember } from './broker.ts';
import { MemoryBroker } from './memory.ts';
import { decodeMessage, encodeMessage } from './redis-codec.ts';
import { RedisBroker, RedisState } from './redis.ts';
import { findRedisServer, RedisProcess } from './redis-process.ts';
import { TcpCut } from './tcp-cut.ts';

const REDIS = findRedisServer();
if (!REDIS) console.warn('SKIPPED redis broker tests: no redis-server found (Debian: apt-get install redis-server; or set REDIS_SERVER)');
const opts = { ignore: !REDIS, sanitizeOps: false, sanitizeResources: false };

const enc = new TextEncoder();

function entry(i: number, from = 'u1', extra: Partial<LogEntry> = {}): Omit<LogEntry, 'seq'> {
  return {
    messageId: `m-${from}-${i}`,
    type: 1,
    payload: enc.encode(`payload ${i}`),
    metadata: { room: enc.encode('r'), bin: new Uint8Array([0xff, 0x00, 0xc3]) },
    from,
    fromConnection: `${from}-c`,
    timestamp: Date.now(),
    reliability: 1,
    ...extra,
  };
}

function member(id: string, userId = 'u'): PresenceMember {
  return { id, userId, deviceId: `d-${id}`, platform: 'web', joinedAt: 1, state: { name: id } };
}

async function until(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 8000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function withRedis(fn: (redis: RedisProcess, make: (url?: string, historySize?: number) => Promise<RedisBroker>) => Promise<void>): Promise<void> {
  const redis = await RedisProcess.start(REDIS!);
  const brokers: RedisBroker[] = [];
  const make = async (url = redis.url, historySize = 100) => {
    const b = await RedisBroker.connect({ url, historySize, reconnectMaxDelayMs: 100, commandTimeoutMs: 1000 });
    brokers.push(b);
    assertEquals(b.state, RedisState.READY, 'broker ready');
    return b;
  };
  try {
    await fn(redis, make);
  } finally {
    for (const b of brokers) await b.close();
    await redis.stop();
  }
}

/** Collects the entries of a channel, as a member would keep them: seqs in order, no repeats. */
function recorder(): { all: LogEntry[]; seqs: () => number[]; ids: () => string[]; handler: (m: BrokerMessage) => void } {
  const all: LogEntry[] = [];
  return {
    all,
    seqs: () => all.map((e) => e.seq),
    ids: () => all.map((e) => e.messageId),
    handler: (m) => {
      if (m.kind === 'entry') all.push(m.entry);
    },
  };
}

Deno.test('redis codec: every message kind and binary metadata round-trip', () => {
  const messages: BrokerMessage[] = [
    { kind: 'entry', log: 'room:a\nb', entry: { ...entry(1), seq: 42 } },
    { kind: 'presence', room: 'x', action: 'join', member: member('c1') },
    { kind: 'conflict', userId: 'u', connectionId: 'c', deviceId: 'd', platform: 'web', strategy: 'exclusive', origin: 's1' },
    { kind: 'kick', connectionId: 'c', reason: 'admin' },
    { kind: 'broadcast', title: 't', content: new Uint8Array([0, 1, 255]), from: 'u', notificationType: 3 },
    { kind: 'rpc', id: 'r1', origin: 's1', userId: 'bob', method: 'ping', body: enc.encode('{}'), timeoutMs: 100 },
    { kind: 'rpc-result', id: 'r1', body: new Uint8Array(0), error: 'request_timeout', message: 'slow' },
  ];
  for (const m of messages) assertEquals(decodeMessage(encodeMessage(m)), m, m.kind);
});

Deno.test('redis broker: two brokers share one gap-free sequence, delivered in seq order to both', opts, async () => {
  await withRedis(async (_redis, make) => {
    const a = await make(undefined, 1000);
    const b = await make(undefined, 1000);
    const ra = recorder();
    const rb = recorder();
    await a.subscribe('room:r', ra.handler);
    await b.subscribe('room:r', rb.handler);
    const publishFrom = async (broker: RedisBroker, who: string, n: number) => {
      for (let i = 0; i < n; i++) {
        const e = await broker.append('room:r', entry(i, who));
        await broker.publish('room:r', { kind: 'entry', log: 'room:r', entry: e });
      }
    };
    await Promise.all([publishFrom(a, 'a', 60), publishFrom(b, 'b', 60)]);
    await until('120 entries on both', () => ra.all.length >= 120 && rb.all.length >= 120);
    const expected = Array.from({ length: 120 }, (_, i) => i + 1);
    assertEquals(ra.seqs(), expected, 'broker a sees 1..120 in order, once each');
    assertEquals(rb.seqs(), expected, 'broker b sees 1..120 in order, once each');
    assertEquals(ra.ids(), rb.ids(), 'same entry under the same seq everywhere');
    assertEquals(new Set(ra.ids()).size, 120);
    assertEquals(await a.lastSeq('room:r'), 120);
    const back = await b.range('room:r', { after: 0, limit: 1000 });
    assertEquals(back.map((e) => e.messageId), ra.ids(), 'history = what was delivered');
    assertEquals(back[0]!.metadata.bin, new Uint8Array([0xff, 0x00, 0xc3]), 'binary metadata survives');
    assertEquals(back[0]!.payload, ra.all[0]!.payload);
  });
});

Deno.test('redis broker: history reads match the in-memory broker (after, before, limit, trimming)', opts, async () => {
  await withRedis(async (_redis, make) => {
    const history = 10;
    const r = await make(undefined, history);
    const m = new MemoryBroker({ historySize: history });
    for (let i = 0; i < 37; i++) {
      const e = entry(i, 'x', { timestamp: 1000 + i });
      const a = await r.append('room:h', e);
      const b = await m.append('room:h', e);
      assertEquals(a.seq, b.seq);
    }
    assertEquals(await r.lastSeq('room:h'), await m.lastSeq('room:h'));
    assertEquals(await r.lastSeq('room:empty'), 0);
    const cases = [
      { after: 0, limit: 100 },
      { after: 30, limit: 3 },
      { after: 36, limit: 5 },
      { after: 37, limit: 5 },
      { after: 50, limit: 5 },
      { before: 35, limit: 4 },
      { before: 20, limit: 4 },
      { before: Number.MAX_SAFE_INTEGER, limit: 5 },
      { after: 28, before: 33, limit: 100 },
      { after: 28, before: 33, limit: 2 },
      { after: 33, before: 28, limit: 10 },
      { after: 0, limit: 0 },
      { limit: 3 },
    ];
    for (const c of cases) {
      const got = (await r.range('room:h', c)).map((e) => e.seq);
      const want = (await m.range('room:h', c)).map((e) => e.seq);
      assertEquals(got, want, JSON.stringify(c));
    }
    assertEquals((await r.range('room:none', { after: 0, limit: 10 })).length, 0);
  });
});

Deno.test('redis broker: a resend (same publisher and message id) gets the original seq on any process, within the window, like the in-memory broker', opts, async () => {
  await withRedis(async (redis) => {
    const mk = () => RedisBroker.connect({ url: redis.url, historySize: 100, dedupeWindow: 4 });
    const a = await mk();
    const b = await mk();
    try {
      const r = recorder();
      await b.subscribe('room:d', r.handler);
      const m = new MemoryBroker({ historySize: 100, dedupeWindow: 4 });
      const steps: Array<[RedisBroker, Omit<LogEntry, 'seq'>]> = [
        [a, entry(1, 'x')],
        [b, entry(1, 'x')], // the resend, through the other process
        [a, entry(1, 'y', { messageId: 'm-x-1' })], // another publisher, same id
        [a, entry(2, 'x')],
        [b, entry(1, 'x')], // still in the window
        [a, entry(3, 'x')],
        [a, entry(4, 'x')],
        [b, entry(1, 'x')], // out of the window (seq 1 of 2..5): a new entry
      ];
      const got: Array<[number, boolean]> = [];
      const want: Array<[number, boolean]> = [];
      for (const [br, e] of steps) {
        const x = await br.append('room:d', e);
        got.push([x.seq, x.duplicate === true]);
        const y = await m.append('room:d', e);
        want.push([y.seq, y.duplicate === true]);
      }
      assertEquals(got, [[1, false], [1, true], [2, false], [3, false], [1, true], [4, false], [5, false], [6, false]]);
      assertEquals(got, want, 'same as the in-memory broker');
      await a.append('room:d', entry(9, 'x')); // a marker: pub/sub keeps order, so a published duplicate would come before it
      await until('7 entries published', () => r.all.length >= 7);
      assertEquals(r.seqs(), [1, 2, 3, 4, 5, 6, 7], 'duplicates are not published');
      assertEquals((await a.range('room:d', { after: 0, limit: 10 })).map((e) => e.messageId), ['m-x-1', 'm-x-1', 'm-x-2', 'm-x-3', 'm-x-4', 'm-x-1', 'm-x-9']);
    } finally {
      await a.close();
      await b.close();
    }
  });
});

Deno.test('redis broker: the history epoch lives in Redis: shared, kept across process restarts, new when Redis lost its data', opts, async () => {
  await withRedis(async (redis, make) => {
    const a = await make();
    const b = await make();
    const epoch = a.epoch();
    assert(epoch, 'known once ready');
    assertEquals(b.epoch(), epoch, 'every process has the same');
    await b.close();
    const b2 = await make();
    assertEquals(b2.epoch(), epoch, 'a restarted process finds it in Redis');
    await redis.stop();
    await until('degraded', () => !a.health().ok);
    assertEquals(a.epoch(), epoch, 'while Redis is away: the last known');
    await redis.restart(); // empty: no persistence
    await until('both recovered', () => a.health().ok && b2.health().ok, 10_000);
    assert(a.epoch() !== epoch, 'Redis lost its data: a new epoch');
    assertEquals(b2.epoch(), a.epoch(), 'and the processes agree on it');
  });
});

Deno.test('redis broker: presence is shared, refreshed by re-adding, and expires', opts, async () => {
  await withRedis(async (_redis, make) => {
    const a = await make();
    const b = await make();
    assertEquals(await a.presenceAdd('room:p', member('c1'), 400), true, 'new member');
    assertEquals(await a.presenceAdd('room:p', member('c1'), 400), false, 'refresh is not new');
    assertEquals(await b.presenceAdd('room:p', member('c2', 'v'), 60_000), true);
    const ids = async (br: RedisBroker) => (await br.presenceList('room:p')).map((x) => x.id).sort();
    assertEquals(await ids(b), ['c1', 'c2'], 'b sees a member added by a');
    assertEquals((await b.presenceList('room:p')).find((x) => x.id === 'c1'), member('c1'), 'member data round-trips');
    await until('c1 expires without refresh', async () => (await ids(b)).length === 1, 3000);
    assertEquals(await ids(a), ['c2']);
    assertEquals(await a.presenceRemove('room:p', 'c1'), false, 'removing an expired member: was not present');
    assertEquals(await a.presenceAdd('room:p', member('c1'), 60_000), true, 'after expiry, adding is a join again');
    assertEquals(await b.presenceRemove('room:p', 'c1'), true);
    assertEquals(await ids(a), ['c2']);
  });
});

Deno.test('redis broker: expired members are announced once (leave), by whichever process reaps them first', opts, async () => {
  await withRedis(async (redis) => {
    const mk = () => RedisBroker.connect({ url: redis.url, historySize: 10, reapIntervalMs: 50 });
    const a = await mk();
    const b = await mk();
    try {
      const leaves: string[] = [];
      for (const [name, br] of [['a', a], ['b', b]] as const) {
        await br.subscribe('room:x', (m) => m.kind === 'presence' && m.action === 'leave' && leaves.push(`${name}:${m.member.id}:${m.room}`));
      }
      await a.presenceAdd('room:x', member('gone'), 300); // never refreshed: a crashed holder
      await b.presenceAdd('room:x', member('stays'), 60_000);
      await until('a leave on both', () => leaves.length === 2, 5000);
      await new Promise((r) => setTimeout(r, 300));
      assertEquals(leaves.sort(), ['a:gone:x', 'b:gone:x'], 'one leave, seen by every subscriber, none for the live member');
      assertEquals((await a.presenceList('room:x')).map((m) => m.id), ['stays']);
    } finally {
      await a.close();
      await b.close();
    }
  });
});

Deno.test('redis broker: unsubscribe stops delivery; other handlers and channels are unaffected', opts, async () => {
  await withRedis(async (_redis, make) => {
    const a = await make();
    const b = await make();
    const seen: string[] = [];
    const u1 = await a.subscribe('all', (m) => m.kind === 'kick' && seen.push(`1:${m.connectionId}`));
    await a.subscribe('all', (m) => m.kind === 'kick' && seen.push(`2:${m.connectionId}`));
    await b.publish('all', { kind: 'kick', connectionId: 'x', reason: 'r' });
    await until('two handlers', () => seen.length === 2);
    await u1();
    await b.publish('all', { kind: 'kick', connectionId: 'y', reason: 'r' });
    await until('one handler', () => seen.length === 3);
    assertEquals(seen.sort(), ['1:x', '2:x', '2:y']);
  });
});

Deno.test('redis broker: Redis restart during traffic - degraded local delivery, then recovery without seq regression', opts, async () => {
  await withRedis(async (redis, make) => {
    const a = await make();
    const b = await make();
    const ra = recorder();
    const rb = recorder();
    await a.subscribe('room:o', ra.handler);
    await b.subscribe('room:o', rb.handler);
    const send = async (br: RedisBroker, who: string, i: number) => {
      const e = await br.append('room:o', entry(i, who));
      await br.publish('room:o', { kind: 'entry', log: 'room:o', entry: e });
      return e;
    };
    for (let i = 0; i < 3; i++) await send(a, 'a', i);
    await until('3 on both', () => ra.all.length === 3 && rb.all.length === 3);

    await redis.stop();
    await until('both degraded', () => !a.health().ok && !b.health().ok);
    assertEquals(a.health().state, RedisState.DOWN);
    const a1 = await send(a, 'a', 100);
    const b1 = await send(b, 'b', 100);
    assertEquals(a1.seq, 4, 'provisional seq continues the known sequence');
    assertEquals(ra.ids().slice(3), ['m-a-100'], 'local delivery while degraded');
    assertEquals(rb.ids().slice(3), ['m-b-100'], 'each process only sees its own during the outage');
    assertEquals(b1.seq, 4);
    const resent = await a.append('room:o', entry(100, 'a'));
    assertEquals([resent.seq, resent.duplicate], [4, true], 'a resend while degraded gets the provisional seq, no second entry');
    await assertRejects(() => a.append('room:never-seen', entry(1)), (e) => assert(FlareError.is(e, ErrorCode.UNAVAILABLE), String(e)));
    assertEquals((await a.range('room:o', { after: 2, limit: 10 })).map((e) => e.seq), [3, 4], 'recent history while degraded');
    assertEquals(a.health().provisional, 1);

    await redis.restart(); // empty: no persistence
    await until('both recovered', () => a.health().ok && b.health().ok, 10_000);
    await until('each sees the other outage entry', () => ra.ids().includes('m-b-100') && rb.ids().includes('m-a-100'));
    const after = await send(b, 'b', 200);
    await until('post-recovery entry on both', () => ra.ids().includes('m-b-200') && rb.ids().includes('m-b-200'));
    assert(after.seq > 4, `seqs continue past the outage (got ${after.seq})`);
    const resentAfter = await a.append('room:o', entry(200, 'b'));
    assertEquals([resentAfter.seq, resentAfter.duplicate], [after.seq, true], 'a resend through the other process after recovery');
    for (const r of [ra, rb]) {
      const seqs = r.seqs();
      for (let i = 1; i < seqs.length; i++) assert(seqs[i]! > seqs[i - 1]!, `ascending seqs: ${seqs}`);
      for (const id of ['m-a-0', 'm-a-1', 'm-a-2', 'm-a-100', 'm-b-100', 'm-b-200']) assert(r.ids().includes(id), `${id} delivered`);
    }
    assertEquals(a.health().provisional, 0);
    assert(a.health().recoveries >= 1);
    const hist = (await a.range('room:o', { after: 4, limit: 100 })).map((e) => e.messageId);
    assert(hist.includes('m-a-100') && hist.includes('m-b-100') && hist.includes('m-b-200'), `outage entries are in the shared history: ${hist}`);
  });
});

Deno.test('redis broker: one process cut off (partition) - its outage entries and the ones it missed reach everyone', opts, async () => {
  await withRedis(async (redis, make) => {
    const cut = new TcpCut(redis.port);
    try {
      const a = await make(cut.url);
      const b = await make();
      const ra = recorder();
      const rb = recorder();
      await a.subscribe('room:p', ra.handler);
      await b.subscribe('room:p', rb.handler);
      const send = async (br: RedisBroker, who: string, i: number) => {
        const e = await br.append('room:p', entry(i, who));
        await br.publish('room:p', { kind: 'entry', log: 'room:p', entry: e });
        return e;
      };
      await send(b, 'b', 0);
      await until('1 on both', () => ra.all.length === 1 && rb.all.length === 1);
      cut.cut();
      await until('a degraded', () => !a.health().ok);
      assert(b.health().ok, 'b still has redis');
      await send(b, 'b', 1); // real seq 2: a misses it, and its provisional seq 2 hides it
      await send(b, 'b', 2); // real seq 3
      const a1 = await send(a, 'a', 1);
      assertEquals(a1.seq, 2, 'provisional');
      await until('b has 3', () => rb.all.length === 3);
      // A member of a keeps only seqs above the last it got (like server/membership.ts).
      const memberA: string[] = [];
      let lastA = 0;
      for (const e of ra.all) if (e.seq > lastA) (lastA = e.seq), memberA.push(e.messageId);
      cut.heal();
      await until('a recovered', () => a.health().ok, 10_000);
      await until('a gets what it missed', () => ra.ids().includes('m-b-1') && ra.ids().includes('m-b-2'));
      await until('b gets a outage entry', () => rb.ids().includes('m-a-1'));
      for (const e of ra.all.slice(memberA.length)) if (e.seq > lastA) (lastA = e.seq), memberA.push(e.messageId);
      for (const id of ['m-b-0', 'm-b-1', 'm-b-2', 'm-a-1']) assert(memberA.includes(id), `a member on the cut process gets ${id} (${memberA})`);
      const post = await send(a, 'a', 2);
      await until('post on b', () => rb.ids().includes('m-a-2'));
      assert(post.seq > 3, 'new seqs after everything seen');
    } finally {
      cut.close();
    }
  });
});

Deno.test('redis broker: a hung Redis (no answers, socket open) turns the broker degraded, then it recovers', opts, async () => {
  await withRedis(async (redis, make) => {
    const a = await make();
    const r = recorder();
    await a.subscribe('room:h', r.handler);
    const first = await a.append('room:h', entry(1));
    await a.publish('room:h', { kind: 'entry', log: 'room:h', entry: first });
    await until('first delivered', () => r.all.length === 1);
    redis.pause();
    try {
      const e = await a.append('room:h', entry(2)); // times out (1 s here), then provisional
      assertEquals(e.seq, 2);
      await a.publish('room:h', { kind: 'entry', log: 'room:h', entry: e });
      assertEquals(r.ids(), ['m-u1-1', 'm-u1-2'], 'local delivery after the timeout');
      await until('degraded', () => !a.health().ok);
    } finally {
      redis.resume();
    }
    await until('recovered', () => a.health().ok, 10_000);
    const after = await a.append('room:h', entry(3));
    assert(after.seq > 2, `seq after recovery ${after.seq}`);
    const hist = (await a.range('room:h', { after: 0, limit: 10 })).map((x) => x.messageId);
    assert(hist.includes('m-u1-2'), `the provisional entry is in Redis after recovery: ${hist}`);
  });
});

Deno.test('redis broker: starts degraded when Redis is not there, and connects when it appears', opts, async () => {
  const redis = await RedisProcess.start(REDIS!);
  await redis.stop();
  const b = await RedisBroker.connect({ url: redis.url, historySize: 10, reconnectMaxDelayMs: 100 }, 300);
  try {
    assertEquals(b.health().ok, false);
    assert(/down|connecting/.test(b.health().state), b.health().state);
    assertEquals(b.epoch(), null, 'no epoch before Redis answered');
    const seen: BrokerMessage[] = [];
    await b.subscribe('all', (m) => seen.push(m));
    await b.publish('all', { kind: 'kick', connectionId: 'c', reason: 'local' });
    assertEquals(seen.length, 1, 'local delivery without redis');
    assertEquals(await b.lastSeq('room:new'), 0);
    await redis.restart();
    assert(await b.whenReady(10_000), 'ready once redis answers');
    assert(b.epoch(), 'the epoch, once Redis answered');
    await b.publish('all', { kind: 'kick', connectionId: 'c2', reason: 'via redis' });
    await until('through redis', () => seen.length === 2);
    const e = await b.append('room:new', entry(1));
    assertEquals(e.seq, 1);
  } finally {
    await b.close();
    await redis.stop();
  }
});
