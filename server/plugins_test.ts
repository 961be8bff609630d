import { assert, assertEquals, assertRejects } from './testing/assert.ts';
import { testServer, withServer } from './testing/harness.ts';
import { isCustom, meta, TestClient } from './testing/client.ts';
import { Reliability } from '../src/codec/frame-types.ts';
import { customFrame } from '../src/codec/frames.ts';
import { ExtCommand } from '../src/protocol/extensions.ts';
import { FlareError } from '../src/codec/errors.ts';
import type { ServerPlugin } from './plugins.ts';

const encoder = new TextEncoder();

/** A plugin that records every step it sees into `log`. */
function recorder(name: string, log: string[], extra: Partial<ServerPlugin> = {}): ServerPlugin {
  return {
    name,
    install(h) {
      log.push(`install ${name}`);
      h.addRpc(`${name}.hello`, ({ session }) => ({ from: name, user: session.userId }));
    },
    onStart(ctx) {
      log.push(`start ${name} sessions=${ctx.hub.sessions.size}`);
    },
    async onStop(ctx) {
      await Promise.resolve();
      log.push(`stop ${name} sessions=${ctx.hub.sessions.size}`);
    },
    ...extra,
  };
}

Deno.test('plugins: install RPCs and events; install, start and stop in order (stop in reverse, after the clients left)', async () => {
  const log: string[] = [];
  const events: string[] = [];
  const audit: ServerPlugin = {
    ...recorder('audit', log),
    install(h, ctx) {
      log.push('install audit');
      assert(ctx.handlers === h, 'the context is the server context');
      h.addRpc('audit.hello', () => ({ hi: 'from audit' })).addEvent('audit.note', ({ body }) => void events.push(body.text()));
    },
  };
  const s = await testServer({}, {
    plugins: [audit, recorder('metrics', log)],
    configure: () => void log.push('configure'),
  });
  assertEquals(log, ['install audit', 'install metrics', 'configure', 'start audit sessions=0', 'start metrics sessions=0']);
  const c = await TestClient.connect(s.url, { meta: { user_id: 'ann' } });
  assertEquals(await c.call('audit.hello'), { hi: 'from audit' });
  assertEquals(await c.call('metrics.hello'), { from: 'metrics', user: 'ann' });
  c.send(customFrame(ExtCommand.EVENT, { data: encoder.encode('noted'), metadata: { event: 'audit.note' } }, { reliability: Reliability.BEST_EFFORT }));
  assertEquals(await c.call<number>('echo', 1), 1); // the event was handled before this answer
  assertEquals(events, ['noted']);
  log.length = 0;
  await s.shutdown({ reconnectWindowMs: 0, graceMs: 200 });
  assertEquals(log, ['stop metrics sessions=0', 'stop audit sessions=0']);
  await s.shutdown(); // idempotent: no second stop
  assertEquals(log.length, 2);
});

Deno.test('plugins: a duplicate name or a bad shape refuses to start, naming the plugin', async () => {
  await assertRejects(
    () => testServer({}, { plugins: [recorder('x', []), recorder('x', [])] }),
    (e) => {
      assertEquals((e as FlareError).code, 'invalid_argument');
      assertEquals((e as Error).message, 'plugin "x" is given twice');
    },
  );
  await assertRejects(() => testServer({}, { plugins: [{ name: '', install() {} }] }), (e) => assertEquals((e as FlareError).code, 'invalid_argument'));
});

Deno.test('plugins: a failing onStart stops the plugins started before it and fails the start; a failing onStop does not stop the others', async () => {
  const log: string[] = [];
  const broken = recorder('broken', log, {
    onStart() {
      throw new Error('no database');
    },
  });
  await assertRejects(
    () => testServer({}, { plugins: [recorder('first', log), broken, recorder('never', log)] }),
    (e) => {
      assertEquals((e as FlareError).code, 'internal');
      assertEquals((e as Error).message, 'plugin "broken" failed in onStart: no database');
    },
  );
  assertEquals(log, ['install first', 'install broken', 'install never', 'start first sessions=0', 'stop first sessions=0']);

  log.length = 0;
  const failingStop = recorder('failing', log, {
    onStop() {
      throw new Error('flush failed');
    },
  });
  const s = await testServer({}, { plugins: [recorder('a', log), failingStop, recorder('b', log)] });
  log.length = 0;
  await s.shutdown({ reconnectWindowMs: 0, graceMs: 200 });
  assertEquals(log, ['stop b sessions=0', 'stop a sessions=0']);
  assert(s.logs.some((l) => l.msg === 'plugin onStop failed' && l.plugin === 'failing'), 'the failure is logged');
});

Deno.test('connection hooks: onConnect when a connection opens, onDisconnect when it closes, with the close code', async () => {
  const seen: string[] = [];
  const presence: ServerPlugin = {
    name: 'presence',
    install(h) {
      h.onConnect(({ session }) => {
        seen.push(`connect ${session.userId}`);
        session.rpc.emit('welcome', encoder.encode(session.userId));
      });
      h.onConnect(() => Promise.reject(new Error('second hook fails'))); // logged; the connection is not affected
      h.onDisconnect(({ session, code }) => void seen.push(`disconnect ${session.userId} ${code}`));
    },
  };
  await withServer({}, async (s) => {
    const a = await TestClient.connect(s.url, { meta: { user_id: 'amy' } });
    const welcome = await a.next((f) => isCustom(f, ExtCommand.EVENT));
    assertEquals(meta(welcome, 'event'), 'welcome');
    assertEquals(await a.call<number>('echo', 2), 2);
    assertEquals(seen, ['connect amy']);
    a.close();
    await a.waitClosed();
    for (let i = 0; i < 100 && seen.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
    assertEquals(seen, ['connect amy', 'disconnect amy 1005']);
    assert(s.logs.some((l) => l.msg === 'connection hook failed' && l.hook === 'onConnect'), 'the failing hook is logged');
    // A connection that never finished its handshake gets neither hook.
    const half = await TestClient.open(s.url);
    half.close();
    await half.waitClosed();
    await new Promise((r) => setTimeout(r, 50));
    assertEquals(seen.length, 2);
  }, { plugins: [presence] });
});
