import { expect } from 'chai';
import { packFrames } from '../../src/codec/js-stream-framing.ts';
import { FlareError } from '../../src/codec/errors.ts';
import { WebSocketTransport } from '../../src/worker/transports/websocket.ts';
import { WebTransportTransport } from '../../src/worker/transports/webtransport.ts';
import { endpointsOf, hexToBytes, type TransportCloseInfo, type TransportHandlers } from '../../src/worker/transport.ts';
import { FakeWebSocket, FakeWebTransport } from './helpers/fake-sockets.ts';

const b = (...xs: number[]) => new Uint8Array(xs);
const tick = () => new Promise((r) => setTimeout(r, 0));

function recorder() {
  const frames: number[][] = [];
  const closes: TransportCloseInfo[] = [];
  const datagrams: number[][] = [];
  const dropped: string[] = [];
  const handlers: TransportHandlers = {
    frames: (fs) => fs.forEach((f) => frames.push([...f])),
    datagram: (d) => datagrams.push([...d]),
    dropped: (e) => dropped.push(e.code),
    closed: (info) => closes.push(info),
  };
  return { frames, closes, datagrams, dropped, handlers };
}

describe('worker/transport', () => {
  it('derives the reference server endpoints and parses certificate hashes', () => {
    expect(endpointsOf('http://127.0.0.1:8080')).to.deep.equal({ websocket: 'ws://127.0.0.1:8080/ws', webtransport: 'https://127.0.0.1:8080/wt' });
    expect(endpointsOf('https://example.com/').websocket).to.equal('wss://example.com/ws');
    expect([...hexToBytes('00ff10')]).to.deep.equal([0, 255, 16]);
    expect(() => hexToBytes('abc')).to.throw(RangeError);
  });
});

describe('worker/transports/websocket', () => {
  beforeEach(() => (FakeWebSocket.instances = []));
  const make = () => new WebSocketTransport('ws://x/ws', { WebSocketImpl: FakeWebSocket as unknown as typeof WebSocket });

  it('opens, sends one message per frame, receives binary and text messages, and reports a remote close once', async () => {
    const t = make();
    const r = recorder();
    const opening = t.open(r.handlers);
    const ws = FakeWebSocket.instances[0]!;
    expect(ws.binaryType).to.equal('arraybuffer');
    ws.serverOpen();
    await opening;
    expect(t.isOpen).to.equal(true);
    t.send([b(1), b(2, 3)]);
    expect(ws.sent.map((x) => [...x])).to.deep.equal([[1], [2, 3]]);
    ws.serverSend(b(9, 9));
    ws.serverSend('{}');
    expect(r.frames).to.deep.equal([[9, 9], [123, 125]]);
    ws.serverClose(4001, 'bad token');
    ws.serverClose(4001, 'again');
    expect(r.closes).to.deep.equal([{ code: 4001, reason: 'bad token', local: false }]);
    expect(t.isOpen).to.equal(false);
    expect(() => t.send([b(1)])).to.throw(FlareError);
  });

  it('packs and unpacks length-prefixed batches once batching is on', async () => {
    const t = make();
    const r = recorder();
    const opening = t.open(r.handlers);
    FakeWebSocket.instances[0]!.serverOpen();
    await opening;
    t.setBatched(true);
    t.send([b(1), b(2, 3)]);
    const ws = FakeWebSocket.instances[0]!;
    expect([...ws.sent[0]!]).to.deep.equal([0, 0, 0, 1, 1, 0, 0, 0, 2, 2, 3]);
    ws.serverSend(packFrames([b(7), b(8, 8), b(9)]));
    expect(r.frames).to.deep.equal([[7], [8, 8], [9]]);
  });

  it('delivers the frames of a broken batch before the fault, reports the rest dropped, and keeps the connection', async () => {
    const t = make();
    const r = recorder();
    const opening = t.open(r.handlers);
    const ws = FakeWebSocket.instances[0]!;
    ws.serverOpen();
    await opening;
    t.setBatched(true);
    ws.serverSend(b(0, 0, 0, 1, 7, 0, 0, 0, 5, 1, 2)); // the second frame is cut short
    ws.serverSend(b(0, 0, 0, 1, 7, 0, 0, 0, 0, 0, 0, 0, 1, 8)); // a zero length inside a batch
    ws.serverSend(b(0, 0, 0, 1, 7, 0xff, 0xff, 0xff, 0xff)); // a frame over the limit
    ws.serverSend(packFrames([b(9), b(10)]));
    expect(r.dropped).to.deep.equal(['truncated', 'malformed_frame', 'frame_too_large']);
    expect(r.frames).to.deep.equal([[7], [7], [7], [9], [10]]);
    expect(r.closes).to.deep.equal([]);
    expect(t.isOpen).to.equal(true);
  });

  it('drops a single-frame message over the frame limit, reports it, and keeps the connection', async () => {
    const t = new WebSocketTransport('ws://x/ws', { WebSocketImpl: FakeWebSocket as unknown as typeof WebSocket, maxFrameBytes: 4 });
    const r = recorder();
    const opening = t.open(r.handlers);
    const ws = FakeWebSocket.instances[0]!;
    ws.serverOpen();
    await opening;
    ws.serverSend(b(1, 2, 3, 4, 5));
    ws.serverSend(b(1, 2, 3, 4));
    expect(r.dropped).to.deep.equal(['frame_too_large']);
    expect(r.frames).to.deep.equal([[1, 2, 3, 4]]);
    expect(r.closes).to.deep.equal([]);
  });

  it('keeps receiving when a handler throws (the exception is rethrown in a task of its own)', async () => {
    const t = make();
    const seen: number[] = [];
    const uncaught: string[] = [];
    // Mocha fails the test on any uncaught error through window.onerror: answer it here for a moment.
    const mochaOnError = window.onerror;
    window.onerror = (message, _source, _line, _col, error) => (uncaught.push(String(error?.message ?? message)), true);
    try {
      const opening = t.open({ frames: (fs) => { seen.push(fs[0]![0]!); if (fs[0]![0] === 1) throw new Error('handler bug'); }, closed: () => {} });
      const ws = FakeWebSocket.instances[0]!;
      ws.serverOpen();
      await opening;
      ws.serverSend(b(1));
      ws.serverSend(b(2));
      await tick();
      await tick();
    } finally {
      window.onerror = mochaOnError;
    }
    expect(seen).to.deep.equal([1, 2]);
    expect(uncaught.some((m) => m.includes('handler bug'))).to.equal(true);
    expect(t.isOpen).to.equal(true);
  });

  it('rejects the dial when the socket closes before opening, and when aborted', async () => {
    const t = make();
    const opening = t.open(recorder().handlers);
    FakeWebSocket.instances[0]!.serverClose(1006);
    try {
      await opening;
      expect.fail('opened');
    } catch (e) {
      expect(FlareError.is(e, 'transport_unavailable')).to.equal(true);
    }
    const ac = new AbortController();
    const t2 = make();
    const r2 = recorder();
    const opening2 = t2.open(r2.handlers, ac.signal);
    ac.abort();
    try {
      await opening2;
      expect.fail('opened');
    } catch (e) {
      expect(FlareError.is(e, 'aborted')).to.equal(true);
    }
    expect(FakeWebSocket.instances[1]!.closeCalls).to.have.length(1);
    expect(r2.closes).to.deep.equal([]);
  });

  it('reports a local close at once, with local: true', async () => {
    const t = make();
    const r = recorder();
    const opening = t.open(r.handlers);
    FakeWebSocket.instances[0]!.serverOpen();
    await opening;
    t.close(1000, 'bye');
    FakeWebSocket.instances[0]!.serverClose(1000, 'bye');
    expect(r.closes).to.deep.equal([{ code: 1000, reason: 'bye', local: true }]);
  });
});

describe('worker/transports/webtransport', () => {
  beforeEach(() => {
    FakeWebTransport.instances = [];
    FakeWebTransport.refuse = false;
  });
  const make = (certHash: string | null = null) =>
    new WebTransportTransport('https://x/wt', { certHash, WebTransportImpl: FakeWebTransport as unknown as typeof WebTransport });

  it('passes the certificate hash and frames writes with 4-byte big-endian lengths', async () => {
    const t = make('a1b2');
    await t.open(recorder().handlers);
    const wt = FakeWebTransport.instances[0]!;
    const hashes = wt.options!.serverCertificateHashes!;
    expect(hashes[0]!.algorithm).to.equal('sha-256');
    expect([...new Uint8Array(hashes[0]!.value as Uint8Array)]).to.deep.equal([0xa1, 0xb2]);
    t.send([b(5), b(6, 7)]);
    await tick();
    expect(wt.written.map((x) => [...x])).to.deep.equal([[0, 0, 0, 1, 5, 0, 0, 0, 2, 6, 7]]);
    expect(t.bufferedAmount).to.equal(0);
  });

  it('reassembles frames split across stream chunks', async () => {
    const t = make();
    const r = recorder();
    await t.open(r.handlers);
    const wt = FakeWebTransport.instances[0]!;
    const bytes = packFrames([b(1, 2, 3), b(4), b(5, 6)]);
    wt.serverWrite(bytes.subarray(0, 2));
    wt.serverWrite(bytes.subarray(2, 9));
    wt.serverWrite(bytes.subarray(9));
    await tick();
    expect(r.frames).to.deep.equal([[1, 2, 3], [4], [5, 6]]);
  });

  it('reading a backlog gives other tasks a turn (no long task when the engine runs in the page)', async () => {
    const t = make();
    let handled = 0;
    const r = recorder();
    await t.open({
      ...r.handlers,
      frames: (fs) => {
        handled += fs.length;
        const end = performance.now() + 1; // 1 ms of work per chunk
        while (performance.now() < end);
      },
    });
    const wt = FakeWebTransport.instances[0]!;
    const chunks = 100;
    for (let i = 0; i < chunks; i++) wt.serverWrite(packFrames([b(i)]));
    // A task queued now runs once the reader yields, long before 100 ms of chunks are read.
    const seenByTask = await new Promise<number>((resolve) => setTimeout(() => resolve(handled), 0));
    expect(seenByTask).to.be.greaterThan(0).and.lessThan(chunks);
    const end = performance.now() + 5000;
    while (handled < chunks && performance.now() < end) await new Promise((r2) => setTimeout(r2, 5));
    expect(handled).to.equal(chunks);
  });

  it('keeps reading the stream when a handler throws (the exception is rethrown in a task of its own)', async () => {
    const t = make();
    const seen: number[] = [];
    const uncaught: string[] = [];
    const mochaOnError = window.onerror;
    window.onerror = (message, _source, _line, _col, error) => (uncaught.push(String(error?.message ?? message)), true);
    try {
      await t.open({ frames: (fs) => { seen.push(fs[0]![0]!); if (fs[0]![0] === 1) throw new Error('handler bug'); }, closed: () => {} });
      const wt = FakeWebTransport.instances[0]!;
      wt.serverWrite(packFrames([b(1)]));
      await tick();
      wt.serverWrite(packFrames([b(2)]));
      await tick();
      await tick();
    } finally {
      window.onerror = mochaOnError;
    }
    expect(seen).to.deep.equal([1, 2]);
    expect(uncaught.some((m) => m.includes('handler bug'))).to.equal(true);
    expect(t.isOpen).to.equal(true);
  });

  it('sends and receives datagrams within the size limit', async () => {
    const t = make();
    const r = recorder();
    await t.open(r.handlers);
    const wt = FakeWebTransport.instances[0]!;
    expect(t.maxDatagramSize).to.equal(1200);
    expect(t.sendDatagram(b(1, 2))).to.equal(true);
    expect(t.sendDatagram(new Uint8Array(5000))).to.equal(false);
    wt.serverDatagram(b(3));
    await tick();
    expect(wt.datagramsSent.map((x) => [...x])).to.deep.equal([[1, 2]]);
    expect(r.datagrams).to.deep.equal([[3]]);
  });

  it('reports the server close code, and an abrupt drop as 1006 with an error', async () => {
    const t = make();
    const r = recorder();
    await t.open(r.handlers);
    FakeWebTransport.instances[0]!.serverClose(4002, 'kicked');
    await tick();
    expect(r.closes).to.deep.equal([{ code: 4002, reason: 'kicked', local: false }]);
    const t2 = make();
    const r2 = recorder();
    await t2.open(r2.handlers);
    FakeWebTransport.instances[1]!.serverDrop();
    await tick();
    expect(r2.closes[0]!.code).to.equal(1006);
    expect(r2.closes[0]!.error?.code).to.equal('transport_closed');
  });

  it('closes with FRAME_TOO_LARGE when the stream declares an oversized frame', async () => {
    const t = make();
    const r = recorder();
    await t.open(r.handlers);
    FakeWebTransport.instances[0]!.serverWrite(b(0xff, 0xff, 0xff, 0xff));
    await tick();
    expect(r.closes[0]!.code).to.equal(4005);
    expect(r.closes[0]!.error?.code).to.equal('frame_too_large');
  });

  it('delivers the frames before an oversized length prefix in the same chunk, then closes with FRAME_TOO_LARGE', async () => {
    const t = make();
    const r = recorder();
    await t.open(r.handlers);
    const wt = FakeWebTransport.instances[0]!;
    wt.serverWrite(new Uint8Array([...packFrames([b(1), b(2, 2)]), 0xff, 0xff, 0xff, 0xff, 3]));
    await tick();
    expect(r.frames).to.deep.equal([[1], [2, 2]]);
    expect(r.closes.length).to.equal(1);
    expect(r.closes[0]!.code).to.equal(4005);
    expect(r.closes[0]!.error?.code).to.equal('frame_too_large');
    expect(wt.closeCalls[0]?.closeCode).to.equal(4005);
    wt.serverWrite(packFrames([b(4)]));
    await tick();
    expect(r.frames.length).to.equal(2);
  });

  it('delivers the frames before the end marker and closes normally', async () => {
    const t = make();
    const r = recorder();
    await t.open(r.handlers);
    FakeWebTransport.instances[0]!.serverWrite(packFrames([b(1), b(2)], { end: true }));
    await tick();
    expect(r.frames).to.deep.equal([[1], [2]]);
    expect(r.closes).to.deep.equal([{ code: 1000, reason: 'stream ended', local: true }]);
  });

  it('rejects with TRANSPORT_UNAVAILABLE when the dial fails or WebTransport is missing', async () => {
    FakeWebTransport.refuse = true;
    try {
      await make().open(recorder().handlers);
      expect.fail('opened');
    } catch (e) {
      expect(FlareError.is(e, 'transport_unavailable')).to.equal(true);
    }
    const missing = new WebTransportTransport('https://x/wt', { WebTransportImpl: undefined as unknown as typeof WebTransport });
    const saved = globalThis.WebTransport;
    (globalThis as { WebTransport?: unknown }).WebTransport = undefined;
    try {
      await missing.open(recorder().handlers);
      expect.fail('opened');
    } catch (e) {
      expect((e as FlareError).code).to.equal('transport_unavailable');
    } finally {
      (globalThis as { WebTransport?: unknown }).WebTransport = saved;
    }
  });
});
