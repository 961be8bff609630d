/**
 * The reference server from real Chromium: WebSocket and WebTransport (with the
 * development certificate's hash) complete the flare-core handshake, a
 * PING/PONG, and a room publish that reaches another member. scripts/test.mjs
 * starts the server and passes its URL and certificate hash.
 */
import { expect } from 'chai';
import type { FrameCodec } from '../../src/codec/codec.ts';
import { createFrameCodec, createJsDeframer, packFrames } from '../../src/codec/index.ts';
import { PayloadType, SystemType, type Frame } from '../../src/codec/frame-types.ts';
import { customFrame, payloadFrame, systemFrame } from '../../src/codec/frames.ts';
import { metaText } from '../../src/codec/metadata.ts';
import { ExtCommand } from '../../src/protocol/extensions.ts';

interface FlareTestConfig {
  serverUrl: string | null;
  certHash: string | null;
}
const config = (window as unknown as { __FLARE_TEST__?: FlareTestConfig }).__FLARE_TEST__;
const serverUrl = config?.serverUrl ?? null;

const json = createFrameCodec({ format: 'json' });
const encoder = new TextEncoder();

/** One connection, whatever the transport: send frames, await frames. */
class Conn {
  readonly frames: Frame[] = [];
  codec: FrameCodec = json;
  connectionId = '';
  #wake: (() => void) | null = null;
  #rpc = 0;

  constructor(
    readonly write: (bytes: Uint8Array) => void,
    readonly closeFn: () => void,
  ) {}

  onBytes(bytes: Uint8Array): void {
    this.frames.push(this.codec.decode(bytes));
    this.#wake?.();
  }

  async next(pred: (f: Frame) => boolean, timeoutMs = 5000): Promise<Frame> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const i = this.frames.findIndex(pred);
      if (i >= 0) return this.frames.splice(i, 1)[0]!;
      if (performance.now() > deadline) throw new Error('timed out waiting for a frame');
      await new Promise<void>((r) => {
        this.#wake = r;
        setTimeout(r, 50);
      });
    }
  }

  send(frame: Frame): void {
    this.write(this.codec.encode(frame));
  }

  async handshake(userId: string, format: 'protobuf' | 'json'): Promise<void> {
    this.write(json.encode(systemFrame(SystemType.CONNECT, { format: 1, metadata: { format, user_id: userId, device_id: `${userId}-dev`, platform: 'web' } })));
    // CONNECT_ACK arrives as JSON whatever was asked.
    const ack = await this.next((f) => isSystem(f, SystemType.CONNECT_ACK));
    const sys = ack.command!.value as { format: number; metadata: Record<string, Uint8Array> };
    expect(sys.format).to.equal(format === 'json' ? 1 : 0);
    this.connectionId = metaText(sys.metadata, 'connection_id') ?? '';
    expect(this.connectionId).to.not.equal('');
    this.write(json.encode(systemFrame(SystemType.NEGOTIATION_READY)));
    this.codec = createFrameCodec({ format });
  }

  async call(method: string, body: unknown): Promise<unknown> {
    const id = `b${++this.#rpc}`;
    this.send(customFrame(ExtCommand.RPC_REQUEST, { data: encoder.encode(JSON.stringify(body)), metadata: { id, method } }, { reliability: 0 }));
    const res = await this.next((f) => f.command?.case === 'custom' && f.command.value.name === ExtCommand.RPC_RESPONSE && metaText(f.command.value.metadata, 'id') === id);
    const v = res.command!.value as { data: Uint8Array; metadata: Record<string, Uint8Array> };
    expect(metaText(v.metadata, 'error')).to.equal(undefined);
    return JSON.parse(new TextDecoder().decode(v.data));
  }
}

function isSystem(f: Frame, type: number): boolean {
  return f.command?.case === 'system' && f.command.value.type === type;
}

async function openWebSocket(base: string): Promise<Conn> {
  const ws = new WebSocket(`${base.replace(/^http/, 'ws')}/ws`);
  ws.binaryType = 'arraybuffer';
  await new Promise<void>((resolve, reject) => {
    ws.onopen = () => resolve();
    ws.onerror = () => reject(new Error('WebSocket did not open'));
  });
  const conn = new Conn(
    (b) => ws.send(b as Uint8Array<ArrayBuffer>),
    () => ws.close(),
  );
  ws.onmessage = (ev) => conn.onBytes(new Uint8Array(ev.data as ArrayBuffer));
  return conn;
}

async function openWebTransport(base: string, certHashHex: string): Promise<Conn> {
  const u = new URL(base);
  const hash = new Uint8Array(certHashHex.match(/../g)!.map((h) => parseInt(h, 16)));
  const wt = new WebTransport(`https://${u.hostname}:${u.port}/wt`, { serverCertificateHashes: [{ algorithm: 'sha-256', value: hash }] });
  await wt.ready;
  const stream = await wt.createBidirectionalStream();
  const writer = stream.writable.getWriter();
  const conn = new Conn(
    (b) => void writer.write(packFrames([b]) as Uint8Array<ArrayBuffer>),
    () => wt.close(),
  );
  void (async () => {
    const deframer = createJsDeframer();
    const reader = stream.readable.getReader();
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (done || !value) return;
      for (const f of deframer.push(value).frames) conn.onBytes(f);
    }
  })();
  return conn;
}

async function exercise(a: Conn, b: Conn, room: string): Promise<void> {
  const ping = systemFrame(SystemType.PING);
  a.send(ping);
  const pong = await a.next((f) => isSystem(f, SystemType.PONG));
  expect(metaText((pong.command!.value as { metadata: Record<string, Uint8Array> }).metadata, 'ping_id')).to.equal(ping.messageId);
  await a.call('room.join', { room });
  await b.call('room.join', { room });
  const msg = payloadFrame(PayloadType.MESSAGE, { payload: encoder.encode('hello from the browser'), metadata: { room } });
  a.send(msg);
  const ack = await a.next((f) => f.command?.case === 'payload' && f.command.value.type === PayloadType.ACK && f.messageId === msg.messageId);
  expect(metaText((ack.command!.value as { metadata: Record<string, Uint8Array> }).metadata, 'seq')).to.equal('1');
  const got = await b.next((f) => f.command?.case === 'payload' && f.command.value.type === PayloadType.MESSAGE);
  const p = got.command!.value as { payload: Uint8Array; seq: number; metadata: Record<string, Uint8Array> };
  expect(new TextDecoder().decode(p.payload)).to.equal('hello from the browser');
  expect(p.seq).to.equal(1);
  expect(metaText(p.metadata, 'room')).to.equal(room);
}

describe('reference server transports (real Chromium)', function () {
  before(function () {
    if (!serverUrl) this.skip();
  });

  it('serves /cert-hash as the hex SHA-256 passed to the tests', async () => {
    const text = (await (await fetch(`${serverUrl}/cert-hash`)).text()).trim();
    expect(text).to.match(/^[0-9a-f]{64}$/);
    expect(text).to.equal(config!.certHash);
  });

  it('WebSocket: handshake in protobuf and JSON, PING/PONG, room publish', async () => {
    const a = await openWebSocket(serverUrl!);
    const b = await openWebSocket(serverUrl!);
    await a.handshake('ws-alice', 'protobuf');
    await b.handshake('ws-bob', 'json');
    await exercise(a, b, `ws-room-${Date.now()}`);
    a.closeFn();
    b.closeFn();
  });

  it('WebTransport (serverCertificateHashes): handshake, PING/PONG, room publish, datagram echo', async () => {
    const a = await openWebTransport(serverUrl!, config!.certHash!);
    const b = await openWebTransport(serverUrl!, config!.certHash!);
    await a.handshake('wt-alice', 'protobuf');
    await b.handshake('wt-bob', 'protobuf');
    await exercise(a, b, `wt-room-${Date.now()}`);
    a.closeFn();
    b.closeFn();
  });

  it('WebTransport datagrams are echoed (latency probes)', async () => {
    const u = new URL(serverUrl!);
    const hash = new Uint8Array(config!.certHash!.match(/../g)!.map((h) => parseInt(h, 16)));
    const wt = new WebTransport(`https://${u.hostname}:${u.port}/wt`, { serverCertificateHashes: [{ algorithm: 'sha-256', value: hash }] });
    await wt.ready;
    await wt.createBidirectionalStream();
    const writer = wt.datagrams.writable.getWriter();
    const reader = wt.datagrams.readable.getReader();
    const probe = new Uint8Array([7, 7, 7, 42]);
    // Datagrams may be lost: retry a few times.
    let echoed: Uint8Array | null = null;
    for (let i = 0; i < 10 && !echoed; i++) {
      await writer.write(probe);
      const r = await Promise.race([reader.read(), new Promise<null>((res) => setTimeout(() => res(null), 300))]);
      if (r && r.value) echoed = r.value;
    }
    expect(Array.from(echoed ?? [])).to.deep.equal([7, 7, 7, 42]);
    wt.close();
  });
});
