import { assert, assertEquals, assertMatch } from './testing/assert.ts';
import { testServer } from './testing/harness.ts';
import { isSystem, meta, TestClient } from './testing/client.ts';
import { SystemType } from '../src/codec/frame-types.ts';

Deno.test('graceful shutdown: every client gets a going-away CLOSE with a reconnect delay spread over the window', async () => {
  const s = await testServer();
  const clients: TestClient[] = [];
  for (let i = 0; i < 12; i++) {
    clients.push(await TestClient.connect(s.url, { format: i % 2 ? 'protobuf' : 'json', meta: { user_id: `u${i}`, device_id: `d${i}` } }));
  }
  clients.push(await TestClient.connect(s.url, { transport: 'webtransport', certHash: s.certHash(), meta: { user_id: 'wt' } }));
  const windowMs = 30_000;
  await s.shutdown({ reconnectWindowMs: windowMs, graceMs: 1000 });
  const delays: number[] = [];
  for (const c of clients) {
    const close = await c.next((f) => isSystem(f, SystemType.CLOSE));
    assertEquals(meta(close, 'reason'), 'server_shutdown');
    assertMatch((close.command!.value as { message: string }).message, /going away/);
    const delay = Number(meta(close, 'reconnect_delay_ms'));
    assert(delay >= 0 && delay <= windowMs, `delay ${delay} within the window`);
    delays.push(delay);
    const closed = await c.waitClosed();
    if (c !== clients.at(-1)) {
      assertEquals(closed.code, 1001);
      assertMatch(closed.reason, /^going away; reconnect_after_ms=\d+$/);
    }
  }
  // Spread: 13 uniform draws over 30 s are not all in the same second.
  const seconds = new Set(delays.map((d) => Math.floor(d / 1000)));
  assert(seconds.size >= 4, `delays spread over ${seconds.size} distinct seconds: ${delays}`);
  // The server no longer answers.
  await fetch(`${s.url}/health`).then(
    () => assert(false, 'still listening'),
    () => {},
  );
});

Deno.test('shutdown spreads deterministically with an injected random source', async () => {
  let i = 0;
  const draws = [0, 0.5, 1];
  const s = await testServer({}, { random: () => draws[i++ % 3]! });
  const clients = [];
  for (let k = 0; k < 3; k++) clients.push(await TestClient.connect(s.url, { meta: { user_id: `u${k}`, device_id: `d${k}` } }));
  await s.shutdown({ reconnectWindowMs: 1000, graceMs: 500 });
  const delays = [];
  for (const c of clients) delays.push(Number(meta(await c.next((f) => isSystem(f, SystemType.CLOSE)), 'reconnect_delay_ms')));
  assertEquals(delays.sort((a, b) => a - b), [0, 500, 1000]);
});
