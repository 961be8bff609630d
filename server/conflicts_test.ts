import { assertEquals } from './testing/assert.ts';
import { withServer } from './testing/harness.ts';
import { isSystem, meta, TestClient } from './testing/client.ts';
import { conflictsOf, resolveStrategy } from './conflicts.ts';
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
      if (await wasKicked(webA)) log.push('ios kicked webA');
      const webC = await TestClient.connect(s.url, { meta: { user_id: 'u', device_id: 'C', platform: 'web' } });
      if (!webA.closed && (await wasKicked(webA))) log.push('webC kicked webA');
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
