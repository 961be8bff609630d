/**
 * Small frames skip compression when the client asks (`compress_min`, src/protocol/small-frames.ts),
 * and only then: a client that does not ask (flare-core's) gets every frame compressed.
 */
import { assert, assertEquals } from './testing/assert.ts';
import { withServer } from './testing/harness.ts';
import { createFrameCodec } from '../src/codec/index.ts';
import { createCompressor } from '../src/codec/compression.ts';
import { Reliability, SystemType, type Frame } from '../src/codec/frame-types.ts';
import { customFrame, systemFrame } from '../src/codec/frames.ts';
import { metaText } from '../src/codec/metadata.ts';
import { ExtCommand } from '../src/protocol/extensions.ts';
import { COMPRESS_MIN_KEY, isPlainFrame, skipSmallFrames } from '../src/protocol/small-frames.ts';

const json = createFrameCodec({ format: 'json' });
const protobuf = createFrameCodec({ format: 'protobuf' });

/** A bare WebSocket client that keeps the raw bytes of every message (no batching). */
async function rawClient(url: string, compression: string, compressMin?: number) {
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/ws`);
  ws.binaryType = 'arraybuffer';
  const got: Uint8Array[] = [];
  let wake = () => {};
  ws.onmessage = (e) => {
    got.push(typeof e.data === 'string' ? new TextEncoder().encode(e.data) : new Uint8Array(e.data));
    wake();
  };
  await new Promise((r) => (ws.onopen = r));
  const next = async () => {
    while (got.length === 0) await new Promise<void>((r) => (wake = r));
    return got.shift()!;
  };
  const meta: Record<string, string> = { format: 'protobuf', compression, device_id: 'd', user_id: 'u' };
  if (compressMin !== undefined) meta[COMPRESS_MIN_KEY] = String(compressMin);
  ws.send(json.encode(systemFrame(SystemType.CONNECT, { format: 1, metadata: meta })) as Uint8Array<ArrayBuffer>);
  const ack = json.decode(await next());
  ws.send(json.encode(systemFrame(SystemType.NEGOTIATION_READY)) as Uint8Array<ArrayBuffer>);
  return { ws, ack, next };
}

const ackMeta = (ack: Frame) => metaText((ack.command!.value as { metadata: Record<string, Uint8Array> }).metadata, COMPRESS_MIN_KEY);
const echo = (id: string, size: number) => customFrame(ExtCommand.RPC_REQUEST, { data: new Uint8Array(size).fill(97), metadata: { id, method: 'echo' } }, { reliability: Reliability.BEST_EFFORT });
const idOf = (f: Frame) => metaText((f.command!.value as { metadata: Record<string, Uint8Array> }).metadata, 'id');

for (const compression of ['lz4', 'gzip']) {
  Deno.test(`small frames (${compression}): agreed in the handshake, sent and read uncompressed below the threshold`, async () => {
    await withServer({}, async (s) => {
      const c = await rawClient(s.url, compression, 200);
      assertEquals(ackMeta(c.ack), '200');
      const wire = skipSmallFrames(createCompressor(compression), 200);
      // A small request sent uncompressed, a large one compressed: the server reads both.
      c.ws.send(wire.compress(protobuf.encode(echo('small', 16))) as Uint8Array<ArrayBuffer>);
      const small = await c.next();
      assert(isPlainFrame(compression, small), 'the small answer comes uncompressed');
      assertEquals(idOf(protobuf.decode(wire.decompress(small))), 'small');
      c.ws.send(wire.compress(protobuf.encode(echo('large', 2000))) as Uint8Array<ArrayBuffer>);
      const large = await c.next();
      assert(!isPlainFrame(compression, large), 'the large answer is compressed');
      assertEquals(idOf(protobuf.decode(createCompressor(compression).decompress(large))), 'large');
      c.ws.close();
    });
  });

  Deno.test(`small frames (${compression}): a client that does not ask gets every frame compressed, as flare-core`, async () => {
    await withServer({}, async (s) => {
      const c = await rawClient(s.url, compression);
      assertEquals(ackMeta(c.ack), undefined);
      const plainCodec = createCompressor(compression);
      c.ws.send(plainCodec.compress(protobuf.encode(echo('small', 16))) as Uint8Array<ArrayBuffer>);
      const small = await c.next();
      assert(!isPlainFrame(compression, small), 'compressed although small');
      assertEquals(idOf(protobuf.decode(plainCodec.decompress(small))), 'small');
      c.ws.close();
    });
  });
}

Deno.test('small frames: batches mix plain and compressed frames in order; limits hold for plain frames', () => {
  for (const name of ['lz4', 'gzip']) {
    const wire = skipSmallFrames(createCompressor(name), 100);
    const frames = [new Uint8Array(10).fill(1), new Uint8Array(500).fill(2), new Uint8Array(99).fill(3), new Uint8Array(100).fill(4), new Uint8Array(300).fill(5)];
    const packed = wire.compressBatch(frames);
    assertEquals(packed.map((p) => isPlainFrame(name, p)), [true, false, true, false, false]);
    assertEquals(wire.decompressBatch(packed), frames);
    assertEquals(packed.map((p) => wire.decompress(p)), frames);
    let error: unknown = null;
    try {
      wire.decompress(packed[2]!, 50);
    } catch (e) {
      error = e;
    }
    assertEquals((error as { code?: string })?.code, 'decompressed_too_large');
  }
});
