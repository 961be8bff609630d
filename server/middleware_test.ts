import { assert, assertEquals, assertRejects } from './testing/assert.ts';
import { withServer } from './testing/harness.ts';
import { isCustom, isPayload, isSystem, meta, payloadText, TestClient } from './testing/client.ts';
import { PayloadType, Reliability, SystemType, type CustomCommand, type Frame } from '../src/codec/frame-types.ts';
import { customFrame } from '../src/codec/frames.ts';
import { metaText } from '../src/codec/metadata.ts';
import { ErrorCode, FlareError } from '../src/codec/errors.ts';
import { ExtCommand } from '../src/protocol/extensions.ts';
import type { ServerMiddleware } from './middleware.ts';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

const custom = (f: Frame) => (f.command?.case === 'custom' ? f.command.value : null);
/** `f` with its custom command's data replaced. */
const withData = (f: Frame, data: Uint8Array): Frame => ({ ...f, command: { case: 'custom', value: { ...(f.command!.value as CustomCommand), data } } });
const jsonOf = (f: Frame) => JSON.parse(decoder.decode(custom(f)!.data));
/** A middleware that appends `mark` to the `trail` of echo requests and answers. */
function trail(name: string, mark: string): ServerMiddleware {
  return {
    name,
    processRequest(f) {
      const c = custom(f);
      if (c?.name !== ExtCommand.RPC_REQUEST || metaText(c.metadata, 'method') !== 'echo') return; // nothing: unchanged
      const body = c.data.length ? jsonOf(f) : {};
      return withData(f, encoder.encode(JSON.stringify({ trail: [...(body.trail ?? []), mark] })));
    },
    processResponse(f) {
      const body = jsonOf(f);
      return withData(f, encoder.encode(JSON.stringify({ trail: [...body.trail, mark.toLowerCase()] })));
    },
  };
}

Deno.test('middleware: none registered leaves the chain null; requests run in order, responses in reverse; frames are rewritten', async () => {
  await withServer({}, async (s) => assertEquals(s.ctx.handlers.chain, null));
  const stamp: ServerMiddleware = {
    name: 'stamp',
    processRequest(f) {
      if (f.command?.case !== 'payload') return f;
      return { ...f, command: { case: 'payload', value: { ...f.command.value, metadata: { ...f.command.value.metadata, stamped: encoder.encode('yes') } } } };
    },
  };
  await withServer({}, async (s) => {
    assertEquals(s.ctx.handlers.chain!.names, ['A', 'B', 'stamp', 'C']);
    const a = await TestClient.connect(s.url, { format: 'protobuf', meta: { user_id: 'ana' } });
    const b = await TestClient.connect(s.url, { meta: { user_id: 'ben' } });
    assertEquals(await a.call('echo', { trail: ['client'] }), { trail: ['client', 'A', 'B', 'C', 'c', 'b', 'a'] });
    a.publish({ to: 'ben' }, 'hello');
    const got = await b.next((f) => isPayload(f, PayloadType.MESSAGE));
    assertEquals([payloadText(got), meta(got, 'stamped')], ['hello', 'yes']);
    a.close();
    b.close();
  }, { middleware: [trail('A', 'A')], configure: (h) => void h.use(trail('B', 'B')).use(stamp).use(trail('C', 'C')) });
});

Deno.test('middleware: an intercepted frame gets a clear answer and the connection stays', async () => {
  const guard: ServerMiddleware = {
    name: 'guard',
    processRequest(f, session) {
      const c = custom(f);
      const method = c?.name === ExtCommand.RPC_REQUEST ? metaText(c.metadata, 'method') : undefined;
      if (method === 'secret') return null;
      if (method === 'admin') throw new FlareError(ErrorCode.AUTH_FAILED, `${session.userId} is not an admin`);
      if (method === 'crash') throw new Error('bug in the middleware');
      if (c?.name === ExtCommand.EVENT && metaText(c.metadata, 'event') === 'spam') return null;
      if (c?.name === ExtCommand.STREAM && metaText(c.metadata, 'name') === 'echo') return null;
      if (f.command?.case === 'payload' && metaText(f.command.value.metadata, 'to') === 'blocked') return null;
      return f;
    },
    processResponse(f) {
      return decoder.decode(custom(f)!.data) === '"hide me"' ? null : f;
    },
  };
  await withServer({}, async (s) => {
    const c = await TestClient.connect(s.url, { meta: { user_id: 'eve' } });
    const codeOf = (e: unknown) => [(e as { code: string }).code, (e as Error).message];
    await assertRejects(() => c.call('secret'), (e) => assertEquals(codeOf(e), ['intercepted', 'intercepted by middleware "guard"']));
    await assertRejects(() => c.call('admin'), (e) => assertEquals(codeOf(e), ['auth_failed', 'eve is not an admin']));
    await assertRejects(() => c.call('crash'), (e) => assertEquals(codeOf(e), ['internal', 'middleware "guard" failed']));
    assert(s.logs.some((l) => l.msg === 'middleware failed' && l.middleware === 'guard'), 'the crash is logged');
    // An RPC that asked for an ACK gets it, then the error answer.
    await assertRejects(() => c.call('secret', {}, Reliability.AT_LEAST_ONCE), (e) => assertEquals(codeOf(e)[0], 'intercepted'));
    // processResponse returning null: the caller gets an error answer instead of a timeout.
    await assertRejects(() => c.call('echo', 'hide me'), (e) => assertEquals(codeOf(e)[0], 'intercepted'));
    // A message that asked for an ACK: an error ACK.
    const id = c.publish({ to: 'blocked' }, 'psst');
    const ack = await c.next((f) => isPayload(f, PayloadType.ACK) && f.messageId === id);
    assertEquals([meta(ack, 'error'), meta(ack, 'error_code')], ['true', 'intercepted']);
    // A best-effort event: an ERROR frame naming it.
    const ev = customFrame(ExtCommand.EVENT, { data: encoder.encode('{}'), metadata: { event: 'spam' } }, { reliability: Reliability.BEST_EFFORT });
    c.send(ev);
    const err = await c.next((f) => isSystem(f, SystemType.ERROR));
    assertEquals([meta(err, 'code'), meta(err, 'ref')], ['intercepted', ev.messageId]);
    // A stream open: a RESET.
    c.send(customFrame(ExtCommand.STREAM, { metadata: { sid: 'st1', op: 'open', name: 'echo', credit: '4' } }, { reliability: Reliability.BEST_EFFORT }));
    const reset = await c.next((f) => isCustom(f, ExtCommand.STREAM) && meta(f, 'sid') === 'st1');
    assertEquals([meta(reset, 'op'), meta(reset, 'reason')], ['reset', 'intercepted: intercepted by middleware "guard"']);
    // Still connected, and what the middleware lets through works.
    assertEquals(await c.call('echo', { ok: 1 }), { ok: 1 });
    assertEquals(c.closed, null);
    c.close();
  }, { middleware: [guard] });
});

Deno.test('middleware: async hooks keep a connection\'s frames in order', async () => {
  let n = 0;
  const slow: ServerMiddleware = {
    name: 'slow',
    async processRequest(f) {
      // Earlier frames wait longer: without ordering they would come out reversed.
      await new Promise((r) => setTimeout(r, Math.max(0, 40 - 8 * n++)));
      return f;
    },
  };
  await withServer({}, async (s) => {
    const a = await TestClient.connect(s.url, { meta: { user_id: 'ada' } });
    const b = await TestClient.connect(s.url, { meta: { user_id: 'bob' } });
    for (let i = 0; i < 6; i++) a.publish({ to: 'bob' }, `m${i}`, { reliability: Reliability.BEST_EFFORT });
    const got = await b.collect((f) => isPayload(f, PayloadType.MESSAGE), 6);
    assertEquals(got.map(payloadText), ['m0', 'm1', 'm2', 'm3', 'm4', 'm5']);
    // Later requests go through the same queue and are answered.
    assertEquals(await a.call('echo', { after: true }), { after: true });
    a.close();
    b.close();
  }, { middleware: [slow] });
});

Deno.test('middleware: registration checks name and hooks', async () => {
  await withServer({}, async (s) => {
    const h = s.ctx.handlers;
    for (const bad of [{ name: '', processRequest: (f: Frame) => f }, { name: 'nothing' }]) {
      try {
        h.use(bad as ServerMiddleware);
        throw new Error('expected a refusal');
      } catch (e) {
        assertEquals((e as FlareError).code, 'invalid_argument');
      }
    }
    assertEquals(h.chain, null);
  });
});
