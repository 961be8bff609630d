import { assertEquals } from './testing/assert.ts';
import { withServer } from './testing/harness.ts';
import { isSystem, meta, TestClient } from './testing/client.ts';
import { conflictsOf, isOlder, resolveStrategy, SeniorityClock } from './conflicts.ts';
import { MemoryBroker } from './broker/memory.ts';
import { Keys, type BrokerMessage } from './broker/broker.ts';
import { testServer } from './testing/harness.ts';
import type { ConflictPolicy } from './config.ts';
import { SystemType } from '../src/codec/frame-types.ts';
import { systemFrame } from '../src/codec/frames.ts';

Deno.test('conflicts (pure): who a new connection replaces under each strategy', () => {
  const older = [
    { connectionId: 'a', deviceId: 'phone', platform: 'ios' },
    { connectionId: 'b', deviceId: 'laptop', platform: 'web' },
    { connectionId: 'c', deviceId: 'tab', platform: 'WEB' },
  ];
  const incoming = { connectionId: 'n', deviceId: 'desk', platform: 'web' };
  const ids = (s: Parameters<typeof conflictsOf>[0]) => conflictsOf(s, incoming, older).map((c) => c.connectionId);
  assertEquals(ids('coexist'), []);
  assertEquals(ids('platform_exclusive'), ['b', 'c']);
  assertEquals(ids('exclusive'), ['a', 'b', 'c']);
  // The same device never conflicts with itself (transport migration).
  assertEquals(conflictsOf('exclusive', { connectionId: 'n', deviceId: 'laptop', platform: 'web' }, older).map((c) => c.connectionId), ['a', 'c']);
  assertEquals(resolveStrategy('client', 'platform_exclusive'), 'platform_exclusive');
  assertEquals(resolveStrategy('client', 'nonsense'), 'coexist');
  assertEquals(resolveStrategy('client', undefined), 'coexist');
  assertEquals(resolveStrategy('exclusive', 'coexist'), 'exclusive');
});

/** Whether a connection got KICKED (a PING round trip settles it for survivors). */
async function wasKicked(c: TestClient): Promise<boolean> {
  c.send(systemFrame(SystemType.PING));
  const f = await c.next((x) => isSystem(x, SystemType.KICKED) || isSystem(x, SystemType.PONG), 10_000).catch(() => null);
  if (!f || !isSystem(f, SystemType.KICKED)) return false;
  assertEquals(meta(f, 'reason'), 'device_conflict');
  assertEquals((await c.waitClosed()).code, 4002);
  return true;
}

/**
 * Under the `client` policy, three coexisting devices of one user (ios, web,
 * web) are joined by a fourth (web) asking for `desired`: who is kicked.
 */
async function clientScenario(desired: string | undefined): Promise<{ kicked: string[]; ackList: string[] }> {
  let result = { kicked: [] as string[], ackList: [] as string[] };
  await withServer({ conflictPolicy: 'client' }, async (s) => {
    const names = ['phone', 'laptop', 'tablet'];
    const platforms = ['ios', 'web', 'WEB'];
    const olds: TestClient[] = [];
    for (let i = 0; i < 3; i++) olds.push(await TestClient.connect(s.url, { meta: { user_id: 'u', device_id: names[i]!, platform: platforms[i]! } }));
    const other = await TestClient.connect(s.url, { meta: { user_id: 'someone-else', device_id: 'x', platform: 'web' } });
    const fresh = await TestClient.connect(s.url, { meta: { user_id: 'u', device_id: 'desk', platform: 'web', ...(desired ? { desired_conflict_strategy: desired } : {}) } });
    const list = meta(fresh.ack!, 'conflict_connections');
    const ackList = list ? (JSON.parse(list) as string[]).map((id) => names[olds.findIndex((o) => o.connectionId === id)]!) : [];
    const kicked: string[] = [];
    for (let i = 0; i < olds.length; i++) if (await wasKicked(olds[i]!)) kicked.push(names[i]!);
    assertEquals(await wasKicked(other), false, 'another user is never kicked');
    result = { kicked, ackList };
    for (const c of [...olds, other, fresh]) c.close();
  });
  return result;
}

Deno.test('kicks under the client policy: the new connection\'s desired strategy decides', async () => {
  assertEquals(await clientScenario(undefined), { kicked: [], ackList: [] });
  assertEquals(await clientScenario('coexist'), { kicked: [], ackList: [] });
  assertEquals(await clientScenario('platform_exclusive'), { kicked: ['laptop', 'tablet'], ackList: ['laptop', 'tablet'] });
  assertEquals(await clientScenario('exclusive'), { kicked: ['phone', 'laptop', 'tablet'], ackList: ['phone', 'laptop', 'tablet'] });
});

Deno.test('kicks under each server policy, connection after connection', async () => {
  const run = async (policy: ConflictPolicy) => {
    const log: string[] = [];
    await withServer({ conflictPolicy: policy }, async (s) => {
      const webA = await TestClient.connect(s.url, { meta: { user_id: 'u', device_id: 'A', platform: 'web', desired_conflict_strategy: 'coexist' } });
      const ios = await TestClient.connect(s.url, { meta: { user_id: 'u', device_id: 'B', platform: 'ios' } });
      const aGone = await wasKicked(webA);
      if (aGone) log.push('ios kicked webA');
      const webC = await TestClient.connect(s.url, { meta: { user_id: 'u', device_id: 'C', platform: 'web' } });
      // webA may already be closed here (its KICKED arrived first): wasKicked still finds the frame.
      if (!aGone && (await wasKicked(webA))) log.push('webC kicked webA');
      if (await wasKicked(ios)) log.push('webC kicked ios');
      // The same device again (a transport migration) never kicks itself.
      const webC2 = await TestClient.connect(s.url, { meta: { user_id: 'u', device_id: 'C', platform: 'web' } });
      if (await wasKicked(webC)) log.push('webC2 kicked webC');
      for (const c of [webA, ios, webC, webC2]) c.close();
    });
    return log;
  };
  assertEquals(await run('coexist'), []);
  assertEquals(await run('platform_exclusive'), ['webC kicked webA']);
  assertEquals(await run('exclusive'), ['ios kicked webA', 'webC kicked ios']);
});

Deno.test('seniority (pure): one total order; registrations of one process never go backwards', () => {
  assertEquals(isOlder({ at: 1, n: 9, connectionId: 'z' }, { at: 2, n: 1, connectionId: 'a' }), true, 'time first');
  assertEquals(isOlder({ at: 2, n: 1, connectionId: 'z' }, { at: 2, n: 2, connectionId: 'a' }), true, 'then the process counter');
  assertEquals(isOlder({ at: 2, n: 1, connectionId: 'p1-a' }, { at: 2, n: 1, connectionId: 'p2-a' }), true, 'then the id');
  assertEquals(isOlder({ at: 2, n: 1, connectionId: 'p2-a' }, { at: 2, n: 1, connectionId: 'p1-a' }), false);
  let now = 1000;
  const clock = new SeniorityClock(() => now);
  const a = clock.next('a');
  now = 990; // the wall clock steps back
  const b = clock.next('b');
  const c = clock.next('c');
  assertEquals([b.at, isOlder(a, b), isOlder(b, c), isOlder(c, a)], [1000, true, true, false]);
});

Deno.test('conflicts across processes: a notice kicks only connections older than its connection; a newer one stays and is announced again', async () => {
  const broker = new MemoryBroker({ historySize: 10 });
  const s1 = await testServer({ conflictPolicy: 'exclusive' }, { broker });
  const s2 = await testServer({ conflictPolicy: 'exclusive' }, { broker });
  try {
    const notices: Array<{ id: string; origin: string }> = [];
    await broker.subscribe(Keys.user('carol'), (m: BrokerMessage) => m.kind === 'conflict' && notices.push({ id: m.connectionId, origin: m.origin }));
    const notice = (id: string, extra: Record<string, number>) =>
      broker.publish(Keys.user('carol'), { kind: 'conflict', userId: 'carol', connectionId: id, deviceId: `${id}-device`, platform: 'web', strategy: 'exclusive', origin: 'elsewhere', ...extra });

    const b = await TestClient.connect(s2.url, { meta: { user_id: 'carol', device_id: 'laptop' } });
    assertEquals(notices.map((n) => n.id), [b.connectionId], 'announced at registration');
    // A login elsewhere that registered earlier (its notice arrives late): b stays, and says so again.
    await notice('older-elsewhere', { at: Date.now() - 60_000, n: 1 });
    assertEquals(await wasKicked(b), false, 'the newer connection is not kicked by an older one');
    assertEquals(notices.map((n) => n.id), [b.connectionId, 'older-elsewhere', b.connectionId], 'b announced again, so the older one goes');
    // A login elsewhere that registered later: b goes.
    await notice('newer-elsewhere', { at: Date.now() + 60_000, n: 1 });
    assertEquals(await wasKicked(b), true);

    // Between the two in-process servers: the later login wins, on either side.
    const c = await TestClient.connect(s1.url, { meta: { user_id: 'carol', device_id: 'phone' } });
    const d = await TestClient.connect(s2.url, { meta: { user_id: 'carol', device_id: 'tablet' } });
    assertEquals([await wasKicked(c), await wasKicked(d)], [true, false]);
    // A notice from an older server (no seniority) counts as the newest, as before.
    await notice('legacy', {});
    assertEquals(await wasKicked(d), true);
  } finally {
    await s1.shutdown({ reconnectWindowMs: 0, graceMs: 200 });
    await s2.shutdown({ reconnectWindowMs: 0, graceMs: 200 });
  }
});
