import { assert, assertEquals, assertMatch } from './testing/assert.ts';
import { withServer } from './testing/harness.ts';
import { isPayload, isSystem, meta, TestClient } from './testing/client.ts';
import { createFrameCodec } from '../src/codec/index.ts';
import { PayloadType, Reliability, SystemType } from '../src/codec/frame-types.ts';
import { customFrame, systemFrame } from '../src/codec/frames.ts';

const FIXTURES = new URL('../test/fixtures/flare-core/', import.meta.url);
const fixtureText = (name: string) => Deno.readTextFile(new URL(name, FIXTURES));
const fixtureHex = async (name: string) => new Uint8Array((await fixtureText(name)).trim().match(/../g)!.map((h) => parseInt(h, 16)));
const encoder = new TextEncoder();

Deno.test('handshake in both formats over both transports, then PING/PONG and an ACK', async () => {
  await withServer({}, async (s) => {
    for (const transport of ['websocket', 'webtransport'] as const) {
      for (const format of ['json', 'protobuf'] as const) {
        const c = await TestClient.connect(s.url, { transport, format, certHash: s.certHash(), meta: { user_id: 'alice', device_id: `${transport}-${format}` } });
        const ack = c.ack!.command!.value as { format: number; compression: string; encryption: string };
        assertEquals(ack.format, format === 'json' ? 1 : 0, `${transport}/${format}: CONNECT_ACK format`);
        assertEquals(ack.compression, 'none');
        assertEquals(ack.encryption, 'none');
        assertMatch(c.connectionId, /\S+/);
        assertEquals(meta(c.ack!, 'user_id'), 'alice');
        const ping = systemFrame(SystemType.PING);
        c.send(ping);
        const pong = await c.next((f) => isSystem(f, SystemType.PONG));
        assertEquals(meta(pong, 'ping_id'), ping.messageId);
        assert(pong.messageId !== ping.messageId, 'PONG has its own message id');
        // A custom frame with AT_LEAST_ONCE is ACKed with its own message id.
        const custom = customFrame('app.something', { data: encoder.encode('x') }, { reliability: Reliability.AT_LEAST_ONCE });
        c.send(custom);
        const ackFrame = await c.next((f) => isPayload(f, PayloadType.ACK));
        assertEquals(ackFrame.messageId, custom.messageId);
        c.close();
        await c.waitClosed();
      }
    }
  });
});

Deno.test('the flare-core fixtures are accepted: connect.json, negotiation_ready.json, ping.pb.hex', async () => {
  await withServer({}, async (s) => {
    const c = await TestClient.open(s.url);
    // The fixture client asks for protobuf and platform_exclusive in CONNECT, sent as JSON bytes.
    c.sendRaw(encoder.encode((await fixtureText('connect.json')).trim()));
    const ack = await c.next((f) => isSystem(f, SystemType.CONNECT_ACK));
    assertEquals((ack.command!.value as { format: number }).format, 0, 'protobuf chosen as the fixture asked');
    assertEquals(meta(ack, 'user_id'), 'alice');
    c.ack = ack;
    c.codec = createFrameCodec({ format: 'protobuf' });
    // NEGOTIATION_READY still JSON although protobuf was negotiated (as the real client does).
    c.sendRaw(encoder.encode((await fixtureText('negotiation_ready.json')).trim()));
    c.sendRaw(await fixtureHex('ping.pb.hex'));
    const pong = await c.next((f) => isSystem(f, SystemType.PONG));
    assertEquals(meta(pong, 'ping_id'), '1795390506300-0000000000000002');
    assertEquals(c.undecodable.length, 0);
    c.close();
  });
});

Deno.test('KICKED as the flare-core fixture has it reaches the older connection', async () => {
  await withServer({ conflictPolicy: 'platform_exclusive' }, async (s) => {
    const kickedFixture = createFrameCodec({ format: 'protobuf' }).decode(await fixtureHex('kicked.pb.hex'));
    const first = await TestClient.connect(s.url, { format: 'protobuf', meta: { user_id: 'bob', device_id: 'dev-1', platform: 'web' } });
    const second = await TestClient.connect(s.url, { format: 'protobuf', meta: { user_id: 'bob', device_id: 'dev-2', platform: 'Web' } });
    const kicked = await first.next((f) => isSystem(f, SystemType.KICKED));
    for (const key of ['reason', 'new_device_id']) assertEquals(meta(kicked, key), meta(kickedFixture, key), key);
    assertEquals(meta(kicked, 'platform')!.toLowerCase(), meta(kickedFixture, 'platform')!.toLowerCase());
    assertEquals((await first.waitClosed()).code, 4002);
    assertEquals(JSON.parse(meta(second.ack!, 'conflict_connections')!), [first.connectionId]);
    second.close();
  });
});

Deno.test('lenient before NEGOTIATION_READY, strict after it', async () => {
  await withServer({}, async (s) => {
    // A protobuf CONNECT is read as well as a JSON one.
    const c = await TestClient.open(s.url);
    c.sendRaw(createFrameCodec({ format: 'protobuf' }).encode(systemFrame(SystemType.CONNECT, { metadata: { format: 'json', user_id: 'u' } })));
    const ack = await c.next((f) => isSystem(f, SystemType.CONNECT_ACK));
    c.ack = ack;
    assertEquals((ack.command!.value as { format: number }).format, 1);
    // Before NEGOTIATION_READY a protobuf PING is still read (lenient)...
    c.sendRaw(createFrameCodec({ format: 'protobuf' }).encode(systemFrame(SystemType.PING)));
    await c.next((f) => isSystem(f, SystemType.PONG));
    // ...after it (the PING counted as ready), a protobuf frame on a JSON connection is an ERROR, and the connection stays.
    c.sendRaw(createFrameCodec({ format: 'protobuf' }).encode(systemFrame(SystemType.PING)));
    const err = await c.next((f) => isSystem(f, SystemType.ERROR));
    assertEquals(meta(err, 'code'), 'malformed_frame');
    c.send(systemFrame(SystemType.PING));
    await c.next((f) => isSystem(f, SystemType.PONG));
    assertEquals(c.closed, null);
    c.close();
  });
});

Deno.test('a PING before CONNECT gets a PONG in its own format (transport probes), not an ERROR', async () => {
  await withServer({}, async (s) => {
    for (const transport of ['websocket', 'webtransport'] as const) {
      for (const format of ['json', 'protobuf'] as const) {
        const c = await TestClient.open(s.url, { transport, certHash: s.certHash() });
        const codec = createFrameCodec({ format });
        const ping = systemFrame(SystemType.PING);
        c.sendRaw(codec.encode(ping));
        // The test client reads unnegotiated frames as JSON: a protobuf PONG lands in `undecodable`.
        let pong;
        if (format === 'json') pong = await c.next((f) => isSystem(f, SystemType.PONG));
        else {
          for (let i = 0; !c.undecodable.length && i < 1000; i++) await new Promise((r) => setTimeout(r, 5));
          pong = codec.decode(c.undecodable.shift()!);
          assert(isSystem(pong, SystemType.PONG), `${transport}/${format}: a PONG`);
        }
        assertEquals(meta(pong, 'ping_id'), ping.messageId, `${transport}/${format}: ping_id`);
        assert(pong.timestamp > 0, 'the server clock');
        // Still before the handshake: a CONNECT afterwards works as usual.
        const ack = await c.handshake({ meta: { user_id: 'prober', device_id: `${transport}-${format}` } });
        assert(isSystem(ack, SystemType.CONNECT_ACK), `${transport}/${format}: CONNECT_ACK after the probe`);
        c.close();
        await c.waitClosed();
      }
    }
    assertEquals(s.ctx.metrics.value('flare_errors_total', { code: 'handshake_failed' }), 0, 'a probe is not an error');
  });
});

Deno.test('a first frame that is not CONNECT gets an ERROR; a CONNECT after it still works', async () => {
  await withServer({}, async (s) => {
    const c = await TestClient.open(s.url);
    c.sendRaw(createFrameCodec({ format: 'json' }).encode(systemFrame(SystemType.NEGOTIATION_READY)));
    assertEquals(meta(await c.next((f) => isSystem(f, SystemType.ERROR)), 'code'), 'handshake_failed');
    c.sendRaw(encoder.encode('{"not":"a frame"'));
    assertEquals(meta(await c.next((f) => isSystem(f, SystemType.ERROR)), 'code'), 'malformed_frame');
    const ack = await c.handshake({ meta: { user_id: 'late' } });
    assert(isSystem(ack, SystemType.CONNECT_ACK));
    c.close();
  });
});

Deno.test('a handshake that never completes is closed with 4003', async () => {
  await withServer({ handshakeTimeoutMs: 300 }, async (s) => {
    const c = await TestClient.open(s.url);
    const closed = await c.waitClosed(5000);
    assertEquals(closed.code, 4003);
    assertEquals(meta(await c.next((f) => isSystem(f, SystemType.ERROR)), 'code'), 'connect_timeout');
  });
});

Deno.test('batching: CONNECT batch=1 gets batch=1, then several frames share one WebSocket message', async () => {
  await withServer({}, async (s) => {
    const c = await TestClient.connect(s.url, { format: 'protobuf', meta: { batch: '1' } });
    assertEquals(meta(c.ack!, 'batch'), '1');
    const pings = [systemFrame(SystemType.PING), systemFrame(SystemType.PING), systemFrame(SystemType.PING)];
    c.send(...pings); // one message with three length-prefixed frames
    const pongs = await c.collect((f) => isSystem(f, SystemType.PONG), 3);
    assertEquals(pongs.map((p) => meta(p, 'ping_id')), pings.map((p) => p.messageId));
    // A batch whose length prefixes do not add up is an ERROR; the connection stays.
    c.sendRaw(new Uint8Array([0, 0, 0, 9, 1, 2, 3]));
    assertEquals(meta(await c.next((f) => isSystem(f, SystemType.ERROR)), 'code'), 'malformed_frame');
    c.send(systemFrame(SystemType.PING));
    await c.next((f) => isSystem(f, SystemType.PONG));
    c.close();
    // Without batch=1 there is no batching.
    const plain = await TestClient.connect(s.url);
    assertEquals(meta(plain.ack!, 'batch'), undefined);
    plain.close();
  });
});

Deno.test('an unknown format is refused; force_format of an available format works', async () => {
  await withServer({}, async (s) => {
    const c = await TestClient.open(s.url);
    const err = await c.handshake({ format: 'xml' as 'json' });
    assert(isSystem(err, SystemType.ERROR));
    const ok = await TestClient.connect(s.url, { format: 'protobuf', meta: { force_format: 'true' } });
    assertEquals((ok.ack!.command!.value as { format: number }).format, 0);
    ok.close();
    c.close();
  });
});

Deno.test('compression: gzip and lz4 negotiated, every frame compressed both ways; preference lists', async () => {
  await withServer({}, async (s) => {
    const offered = meta((await TestClient.connect(s.url)).ack!, 'compressions')!.split(',');
    for (const name of ['gzip', 'lz4']) {
      assert(offered.includes(name), `${name} offered (${offered})`);
      for (const [transport, format] of [['websocket', 'json'], ['webtransport', 'protobuf'], ['websocket', 'protobuf']] as const) {
        const c = await TestClient.connect(s.url, { transport, format, compression: name, certHash: s.certHash(), meta: { device_id: `${name}-${transport}-${format}` } });
        assertEquals((c.ack!.command!.value as { compression: string }).compression, name);
        c.send(systemFrame(SystemType.PING));
        await c.next((f) => isSystem(f, SystemType.PONG));
        assertEquals(await c.call('echo', { big: 'x'.repeat(5000) }), { big: 'x'.repeat(5000) });
        assertEquals(c.undecodable.length, 0, `${name} ${transport} ${format}: every server frame decompresses`);
        // An uncompressed frame after negotiation is an error (strict), and the connection stays.
        c.sendRaw(c.codec.encode(systemFrame(SystemType.PING)));
        assertEquals(meta(await c.next((f) => isSystem(f, SystemType.ERROR)), 'code') !== undefined, true);
        c.close();
      }
    }
    const pick = async (compression: string) => {
      const c = await TestClient.connect(s.url, { compression, meta: { device_id: compression } });
      c.close();
      return (c.ack!.command!.value as { compression: string }).compression;
    };
    assertEquals(await pick('lz4,gzip,none'), 'lz4');
    assertEquals(await pick('zstd,gzip'), 'gzip');
    assertEquals(await pick('zstd'), 'none');
    assertEquals(await pick('none'), 'none');
  });
});
