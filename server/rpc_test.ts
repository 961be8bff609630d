import { assert, assertEquals, assertRejects } from './testing/assert.ts';
import { withServer } from './testing/harness.ts';
import { isCustom, isPayload, meta, seqOf, TestClient } from './testing/client.ts';
import { NotificationType, PayloadType, Reliability, type Frame } from '../src/codec/frame-types.ts';
import { customFrame } from '../src/codec/frames.ts';
import { ExtCommand } from '../src/protocol/extensions.ts';

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const dataText = (f: Frame) => decoder.decode((f.command!.value as { data: Uint8Array }).data);

Deno.test('rpc: the seed actions echo, broadcast, get_connections, and unknown actions', async () => {
  await withServer({}, async (s) => {
    const a = await TestClient.connect(s.url, { meta: { user_id: 'a' } });
    const b = await TestClient.connect(s.url, { transport: 'webtransport', certHash: s.certHash(), format: 'protobuf', meta: { user_id: 'b' } });
    assertEquals(await a.call('echo', { text: 'ping', n: [1, 2] }), { text: 'ping', n: [1, 2] });
    assertEquals(await a.call('get_connections'), { connections: 2, by_transport: { websocket: 1, webtransport: 1 } });
    assertEquals(await a.call('broadcast', { note: 'hello all' }), { delivered: 2 });
    for (const c of [a, b]) {
      const n = await c.next((f) => f.command?.case === 'notification');
      const v = n.command!.value as { type: number; title: string; content: Uint8Array };
      assertEquals([v.type, v.title, JSON.parse(decoder.decode(v.content))], [NotificationType.BROADCAST, 'broadcast', { note: 'hello all' }]);
    }
    await assertRejects(() => a.call('no.such.method'), (e) => {
      assertEquals((e as { code: string }).code, 'unknown_method');
      assertEquals((e as Error).message, 'unknown action: no.such.method');
    });
    await assertRejects(() => a.call('room.join', { room: 42 }), (e) => assertEquals((e as { code: string }).code, 'invalid_argument'));
    await assertRejects(() => a.call('test.fail', { code: 'queue_full', message: 'nope' }), (e) => assertEquals((e as { code: string }).code, 'queue_full'));
    // A body that is not JSON, for a method that reads JSON.
    const id = 'raw-1';
    a.send(customFrame(ExtCommand.RPC_REQUEST, { data: encoder.encode('{oops'), metadata: { id, method: 'room.join' } }, { reliability: Reliability.BEST_EFFORT }));
    const res = await a.next((f) => isCustom(f, ExtCommand.RPC_RESPONSE) && meta(f, 'id') === id);
    assertEquals(meta(res, 'error'), 'invalid_argument');
    a.close();
    b.close();
  });
});

Deno.test('rpc both ways: the server calls a method on the client and gets its answer', async () => {
  await withServer({}, async (s) => {
    const c = await TestClient.connect(s.url, { format: 'protobuf' });
    const pending = c.call<{ answer: string }>('test.call_me', { method: 'client.add', body: { a: 2, b: 3 } });
    const req = await c.next((f) => isCustom(f, ExtCommand.RPC_REQUEST));
    assertEquals(meta(req, 'method'), 'client.add');
    const args = JSON.parse(dataText(req));
    c.send(customFrame(ExtCommand.RPC_RESPONSE, { data: encoder.encode(String(args.a + args.b)), metadata: { id: meta(req, 'id')! } }));
    assertEquals(await pending, { answer: '5' });
    // An error answer from the client becomes a remote_error for the server's caller.
    const failing = c.call('test.call_me', { method: 'client.broken' });
    const req2 = await c.next((f) => isCustom(f, ExtCommand.RPC_REQUEST));
    c.send(customFrame(ExtCommand.RPC_RESPONSE, { metadata: { id: meta(req2, 'id')!, error: 'internal', error_message: 'boom' } }));
    await assertRejects(() => failing, (e) => assertEquals((e as { code: string }).code, 'remote_error'));
    // No answer at all: request_timeout.
    await assertRejects(() => c.call('test.call_me', { method: 'client.silent', timeout_ms: 100 }), (e) => assertEquals((e as { code: string }).code, 'request_timeout'));
    c.close();
  });
});

Deno.test('events both ways', async () => {
  await withServer({}, async (s) => {
    const c = await TestClient.connect(s.url);
    c.send(customFrame(ExtCommand.EVENT, { data: encoder.encode('{"x":1}'), metadata: { event: 'echo' } }, { reliability: Reliability.BEST_EFFORT }));
    const back = await c.next((f) => isCustom(f, ExtCommand.EVENT));
    assertEquals([meta(back, 'event'), dataText(back)], ['echo', '{"x":1}']);
    await c.call('test.emit_me', { event: 'server.hello', body: { y: 2 } });
    const ev = await c.next((f) => isCustom(f, ExtCommand.EVENT));
    assertEquals([meta(ev, 'event'), JSON.parse(dataText(ev))], ['server.hello', { y: 2 }]);
    c.close();
  });
});

/** Client side of a stream in tests: sends with the credit it holds. */
function streamOp(c: TestClient, sid: string, op: string, meta_: Record<string, string> = {}, data?: Uint8Array) {
  c.send(customFrame(ExtCommand.STREAM, { data, metadata: { sid, op, ...meta_ } }, { reliability: Reliability.BEST_EFFORT }));
}
const isStream = (sid: string, op?: string) => (f: Frame) => isCustom(f, ExtCommand.STREAM) && meta(f, 'sid') === sid && (op === undefined || meta(f, 'op') === op);

Deno.test('streams: echo with timestamps, and backpressure through credit', async () => {
  await withServer({}, async (s) => {
    const c = await TestClient.connect(s.url, { format: 'protobuf' });
    // Open `echo` granting the server no credit: it may not send anything back yet.
    streamOp(c, 'st1', 'open', { name: 'echo', credit: '0' });
    const window = Number(meta(await c.next(isStream('st1', 'credit')), 'credit'));
    assertEquals(window, 64);
    // Send the whole window; the server's handler blocks on its first echo (no credit), so it stops granting.
    for (let i = 1; i <= window; i++) streamOp(c, 'st1', 'data', { seq: String(i), ts: String(1_000_000 + i) }, encoder.encode(`chunk${i}`));
    await c.call('echo', {}); // everything above has been processed
    assertEquals(c.frames.filter(isStream('st1', 'data')).length, 0, 'no data without credit');
    const granted = c.frames.filter(isStream('st1', 'credit')).reduce((n, f) => n + Number(meta(f, 'credit')), 0);
    assert(granted <= 1, `the server granted ${granted} more credits while blocked`);
    // Grant credit for everything: the echoes come back in order with their timestamps.
    streamOp(c, 'st1', 'credit', { credit: String(window) });
    const echoes = await c.collect(isStream('st1', 'data'), window);
    assertEquals(echoes.map((f) => meta(f, 'seq')), Array.from({ length: window }, (_, i) => String(i + 1)));
    assertEquals(echoes.map((f) => meta(f, 'ts')), Array.from({ length: window }, (_, i) => String(1_000_000 + i + 1)));
    assertEquals(dataText(echoes[9]!), 'chunk10');
    streamOp(c, 'st1', 'end');
    await c.next(isStream('st1', 'end'));
    // Data beyond the credit resets the stream: with the echo handler blocked, window + 1 frames is one too many.
    streamOp(c, 'st2', 'open', { name: 'echo', credit: '0' });
    const w2 = Number(meta(await c.next(isStream('st2', 'credit')), 'credit'));
    for (let i = 1; i <= w2 + 1; i++) streamOp(c, 'st2', 'data', { seq: String(i), ts: '0' }, new Uint8Array(8));
    const reset = await c.next(isStream('st2', 'reset'));
    assert(meta(reset, 'reason')!.startsWith('flow_control'), meta(reset, 'reason'));
    // Unknown stream names are reset.
    streamOp(c, 'st3', 'open', { name: 'nope', credit: '1' });
    assertEquals(meta(await c.next(isStream('st3', 'reset')), 'reason'), 'unknown stream: nope');
    c.close();
  });
});

Deno.test('test.flood sends count frames in order, pacing on the send queue', async () => {
  await withServer({}, async (s) => {
    const c = await TestClient.connect(s.url, { format: 'protobuf', meta: { batch: '1' } });
    const result = await c.call<{ sent: number }>('test.flood', { count: 3000, size: 100 });
    assertEquals(result.sent, 3000);
    const frames = await c.collect((f) => isPayload(f, PayloadType.DATA) && meta(f, 'flood') === '1', 3000);
    assertEquals(frames.map(seqOf), Array.from({ length: 3000 }, (_, i) => i + 1));
    c.close();
  });
});
