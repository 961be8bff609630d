import { assert, assertEquals } from './testing/assert.ts';
import { withServer } from './testing/harness.ts';
import { isSystem, meta, TestClient } from './testing/client.ts';
import { Session } from './session.ts';
import { SendQueue } from './send-queue.ts';
import { TokenBucket } from './rate-limit.ts';
import type { Link } from './link.ts';
import { joinFrames, streamDeframer } from './framing.ts';
import { createDeframer, createFrameCodec, loadWasmCore, type StreamDeframer } from '../src/codec/index.ts';
import { PayloadType, Reliability, SystemType } from '../src/codec/frame-types.ts';
import { payloadFrame, systemFrame } from '../src/codec/frames.ts';

const ping = () => systemFrame(SystemType.PING);
const json = createFrameCodec({ format: 'json' });

Deno.test('limits: an oversize WebSocket message gets frame_too_large and the connection stays open', async () => {
  await withServer({ maxFrameBytes: 4096 }, async (s) => {
    const c = await TestClient.connect(s.url, { format: 'protobuf' });
    assertEquals(meta(c.ack!, 'max_frame_bytes'), '4096');
    c.sendRaw(new Uint8Array(10_000));
    assertEquals(meta(await c.next((f) => isSystem(f, SystemType.ERROR)), 'code'), 'frame_too_large');
    c.send(ping());
    await c.next((f) => isSystem(f, SystemType.PONG));
    assertEquals(c.closed, null);
    c.close();
  });
});

Deno.test('limits: a WebTransport length prefix over the limit is refused before its body arrives', async () => {
  await withServer({ maxFrameBytes: 4096 }, async (s) => {
    const c = await TestClient.connect(s.url, { transport: 'webtransport', certHash: s.certHash(), format: 'protobuf' });
    c.send(ping());
    await c.next((f) => isSystem(f, SystemType.PONG));
    // Declare a 1 GiB frame and send only 4 bytes of it: the refusal cannot come from buffering it.
    c.sendRawStream(new Uint8Array([0x40, 0, 0, 0, 1, 2, 3, 4]));
    assertEquals(meta(await c.next((f) => isSystem(f, SystemType.ERROR)), 'code'), 'frame_too_large');
    assertEquals((await c.waitClosed()).code, 4005);
  });
});

Deno.test('limits: frames before a bad WebTransport length prefix in the same chunk are processed, then the ERROR and the close', async () => {
  await withServer({ maxFrameBytes: 4096 }, async (s) => {
    const c = await TestClient.connect(s.url, { transport: 'webtransport', certHash: s.certHash(), format: 'protobuf' });
    const pings = [ping(), ping()];
    const good = joinFrames(pings.map((p) => c.codec.encode(p)));
    const chunk = new Uint8Array(good.length + 8);
    chunk.set(good);
    chunk.set([0x40, 0, 0, 0, 1, 2, 3, 4], good.length);
    c.sendRawStream(chunk);
    for (const p of pings) assertEquals(meta(await c.next((f) => isSystem(f, SystemType.PONG)), 'ping_id'), p.messageId);
    assertEquals(meta(await c.next((f) => isSystem(f, SystemType.ERROR)), 'code'), 'frame_too_large');
    assertEquals((await c.waitClosed()).code, 4005);
  });
});

// The WebTransport path reads with the codec's deframer (streamDeframer); the WASM one must read alike.
const wasm = await loadWasmCore();
const deframers: Array<[string, (max: number) => StreamDeframer]> = [
  ['js', (max) => streamDeframer(max)],
  ['wasm', (max) => createDeframer({ wasm, maxFrameBytes: max })],
];

for (const [name, make] of deframers) {
  Deno.test(`stream framing (${name}): frames split anywhere; a bad length prefix comes after the good frames of its chunk; the end`, () => {
    const frame = (n: number, fill: number) => new Uint8Array(n).fill(fill);
    const packed = joinFrames([frame(3, 1), frame(5, 2), frame(1, 3)]);
    for (let cut = 0; cut <= packed.length; cut++) {
      const d = make(100);
      const a = d.push(packed.subarray(0, cut));
      const b = d.push(packed.subarray(cut));
      assertEquals([...a.frames, ...b.frames].map((f) => [f.length, f[0]]), [[3, 1], [5, 2], [1, 3]], `cut at ${cut}`);
      assertEquals([b.error, b.ended], [null, false]);
    }
    const d = make(100);
    const bad = new Uint8Array([...joinFrames([frame(2, 7)]), 0, 0, 0, 101, 9, 9]);
    const r = d.push(bad);
    assertEquals(r.frames.map((f) => f[0]), [7], 'the good frame is kept');
    assertEquals(r.error?.code, 'frame_too_large');
    const after = d.push(joinFrames([frame(1, 1)]));
    assertEquals([after.frames.length, after.error], [0, r.error], 'nothing after an error, which stays');
    const split = make(100);
    assertEquals(split.push(new Uint8Array([0, 0, 0, 2, 4, 4, 0, 0])).frames.length, 1);
    assertEquals(split.push(new Uint8Array([1, 0, 5])).error?.code, 'frame_too_large', 'a prefix split across chunks');
    assertEquals(split.buffered, 0, 'nothing of the refused frame is held');
    const e = make(100);
    const end = e.push(new Uint8Array([...joinFrames([frame(1, 5)]), 0, 0, 0, 0, 0, 0, 0, 1, 1]));
    assertEquals([end.frames.length, end.ended, end.error], [1, true, null], 'a zero length ends the stream');
    assertEquals(e.push(joinFrames([frame(1, 1)])), { frames: [], error: null, ended: true }, 'nothing after the end');
  });
}

Deno.test('malformed frames get an ERROR and the connection stays open', async () => {
  await withServer({}, async (s) => {
    for (const format of ['protobuf', 'json'] as const) {
      const c = await TestClient.connect(s.url, { format });
      const bad = format === 'json' ? [new TextEncoder().encode('{"command":'), new TextEncoder().encode('{"command":null}')] : [new Uint8Array([0x0a, 0xff, 0xff]), new Uint8Array([0xff, 0xff, 0xff, 0xff])];
      for (const b of bad) {
        c.sendRaw(b);
        const err = await c.next((f) => isSystem(f, SystemType.ERROR));
        assert(['malformed_frame', 'truncated'].includes(meta(err, 'code')!), `${format}: ${meta(err, 'code')}`);
      }
      c.send(ping());
      await c.next((f) => isSystem(f, SystemType.PONG));
      assertEquals(c.closed, null);
      c.close();
    }
  });
});

Deno.test('a batched message with broken framing: the frames before the fault are taken, then one ERROR, and the connection stays', async () => {
  await withServer({}, async (s) => {
    const c = await TestClient.connect(s.url, { format: 'protobuf', compression: 'none', meta: { batch: '1' } });
    assert(c.batch, 'batching negotiated');
    const codec = createFrameCodec({ format: 'protobuf' });
    const good = joinFrames([codec.encode(ping())]);
    c.sendRaw(new Uint8Array([...good, 0, 0, 0, 9, 1, 2]));
    await c.next((f) => isSystem(f, SystemType.PONG));
    const err = await c.next((f) => isSystem(f, SystemType.ERROR));
    assertEquals(meta(err, 'code'), 'malformed_frame');
    const message = (err.command!.value as { message?: string }).message ?? '';
    assert(message.includes('ends inside a frame'), message);
    c.send(ping());
    await c.next((f) => isSystem(f, SystemType.PONG));
    assertEquals(c.closed, null);
    c.close();
  });
});

Deno.test('rate limit: frames over the bucket are dropped with one rate_limited ERROR, and counted', async () => {
  await withServer({ rateLimitPerSec: 1, rateLimitBurst: 20 }, async (s) => {
    const c = await TestClient.connect(s.url, { format: 'protobuf' });
    const t0 = performance.now();
    c.send(...Array.from({ length: 100 }, ping));
    const err = await c.next((f) => isSystem(f, SystemType.ERROR));
    assertEquals(meta(err, 'code'), 'rate_limited');
    await new Promise((r) => setTimeout(r, 300));
    // The bucket held 20 and refills at 1/s: however slow this machine is, far fewer than 100 pass.
    const allowed = 20 + Math.ceil((performance.now() - t0) / 1000) + 1;
    const pongs = c.frames.filter((f) => isSystem(f, SystemType.PONG)).length;
    assert(pongs >= 15 && pongs <= allowed, `${pongs} PONGs for 100 PINGs (at most ${allowed} allowed)`);
    assert(s.ctx.metrics.value('flare_rate_limited_total') >= 100 - allowed);
    assertEquals(c.closed, null);
    c.close();
  });
});

Deno.test('idle timeout closes silent connections (4004); active ones stay', async () => {
  await withServer({ idleTimeoutMs: 60_000 }, async (s) => {
    const silent = await TestClient.connect(s.url);
    const active = await TestClient.connect(s.url, { meta: { device_id: 'active' } });
    active.send(ping());
    await active.next((f) => isSystem(f, SystemType.PONG));
    // Age the silent one past the timeout instead of waiting a minute, then run the sweeper.
    s.ctx.hub.sessions.get(silent.connectionId)!.lastActivity -= 61_000;
    s.ctx.hub.sweep();
    assertEquals((await silent.waitClosed()).code, 4004);
    active.send(ping());
    await active.next((f) => isSystem(f, SystemType.PONG));
    assertEquals(active.closed, null);
    active.close();
  });
});

/** A Link that records writes and whose backlog the test controls (a congested transport). */
class FakeLink implements Link {
  readonly transport = 'websocket' as const;
  readonly remoteAddr = 'test';
  written: Uint8Array[] = [];
  backlog = 0;
  closedWith: number | null = null;
  done = Promise.resolve();
  write(frames: readonly Uint8Array[]): number {
    this.written.push(...frames);
    return frames.reduce((n, f) => n + f.length, 0);
  }
  whenBelow(bytes: number, fn: () => void): void {
    const check = () => (this.backlog < bytes ? fn() : setTimeout(check, 5));
    setTimeout(check, 5);
  }
  close(code: number): void {
    this.closedWith ??= code;
  }
}

Deno.test('send queue: a slow consumer loses best-effort frames first, then is closed with 4008', async () => {
  await withServer({ sendQueueBytes: 64 * 1024 }, async (s) => {
    const link = new FakeLink();
    const session = new Session(s.ctx, link);
    session.receive(json.encode(systemFrame(SystemType.CONNECT, { metadata: { format: 'json', user_id: 'slow' } })));
    await new Promise((r) => setTimeout(r, 20));
    session.receive(json.encode(systemFrame(SystemType.NEGOTIATION_READY)));
    assert(link.written.length >= 1, 'CONNECT_ACK written');
    link.backlog = 10 * 1024 * 1024; // the transport stops draining
    await new Promise((r) => setTimeout(r, 10));
    const frame = (reliability: number) => payloadFrame(PayloadType.DATA, { payload: new Uint8Array(1000) }, { reliability });
    // Best-effort frames beyond the bound are dropped; the connection stays.
    for (let i = 0; i < 200; i++) session.sendFrame(frame(Reliability.BEST_EFFORT), true);
    assert(s.ctx.metrics.value('flare_send_queue_drops_total', { what: 'best_effort' }) > 100);
    assertEquals(link.closedWith, null);
    // Reliable frames evict queued best-effort ones, then overflow closes the connection.
    for (let i = 0; i < 200 && link.closedWith === null; i++) session.sendFrame(frame(Reliability.AT_LEAST_ONCE));
    assertEquals(link.closedWith, 4008);
    assertEquals(s.ctx.metrics.value('flare_send_queue_drops_total', { what: 'connection' }), 1);
  });
});

Deno.test('send queue and token bucket (pure)', () => {
  const q = new SendQueue(10);
  assertEquals(q.push(new Uint8Array(4), true), 'queued');
  assertEquals(q.push(new Uint8Array(4), false), 'queued');
  assertEquals(q.push(new Uint8Array(4), true), 'dropped');
  let evicted = 0;
  assertEquals(q.push(new Uint8Array(4), false, (n) => (evicted = n)), 'queued');
  assertEquals([evicted, q.bytes, q.length], [1, 8, 2]);
  assertEquals(q.push(new Uint8Array(4), false), 'overflow');
  assertEquals(q.take(5).length, 1);
  assertEquals(q.take(100).length, 1);
  let t = 0;
  const b = new TokenBucket(10, 2, () => t);
  assertEquals([b.take(), b.take(), b.take()], [true, true, false]);
  t = 100; // 0.1 s: one token back
  assertEquals([b.take(), b.take()], [true, false]);
});
