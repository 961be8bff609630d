import { expect } from 'chai';
import { Harness, testServer, text, untext } from '../helpers/engine-harness.ts';
import { CuttableTransport } from '../helpers/cuttable-transport.ts';
import { IdbOutboxStore } from '../../../src/worker/outbox-store.ts';

const fastRetry = { reconnectInitialDelayMs: 50, reconnectMaxDelayMs: 300 };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const uid = () => Math.random().toString(36).slice(2);

describe('worker integration: session', function () {
  this.timeout(60_000);
  const open: Harness[] = [];
  before(function () {
    if (!testServer().serverUrl) this.skip();
  });
  afterEach(async () => {
    for (const h of open.splice(0)) await h.close();
  });

  it('a kick ends the session and stops reconnection', async () => {
    const user = `kick-${uid()}`;
    const a = await Harness.create({ userId: user, deviceId: 'dev-a', conflictStrategy: 'exclusive', ...fastRetry });
    open.push(a);
    await a.engine.connect();
    const b = await Harness.create({ userId: user, deviceId: 'dev-b', conflictStrategy: 'exclusive', ...fastRetry });
    open.push(b);
    await b.engine.connect();
    await a.until(() => a.of('kicked').length > 0, 10_000, 'KICKED at the first device');
    expect(a.of('kicked')[0]!.reason).to.equal('device_conflict');
    const kickedState = a.of('state').find((s) => s.to === 'kicked')!;
    expect(kickedState.code).to.equal('device_conflict');
    await sleep(1500); // several backoff periods: nothing may happen
    expect(a.engine.stats().state).to.equal('kicked');
    expect(a.of('connected')).to.have.length(1);
    expect(a.of('state').filter((s) => s.to === 'reconnecting')).to.have.length(0);
    expect(b.engine.stats().state).to.equal('connected');
  });

  it('switches transport mid-stream without losing or duplicating a message, and back', async () => {
    const room = `switch-${uid()}`;
    const N = 200;
    const pub = await Harness.create({ userId: 'pub-s', transports: ['websocket'] });
    // Start on WebTransport for sure (the race is tested elsewhere), then switch by hand.
    const recv = await Harness.create({ userId: 'recv-s', autoSwitch: false, transports: ['webtransport'] });
    open.push(pub, recv);
    recv.engine.trackRoom(room, 0);
    await Promise.all([pub.engine.connect(), recv.engine.connect()]);
    expect(recv.engine.stats().transport).to.equal('webtransport');
    await pub.rpc('room.join', { room });
    const publishing = (async () => {
      for (let i = 0; i < N; i++) {
        await pub.engine.send({ room, payload: text(String(i)) });
        if (i % 2 === 1) await sleep(15);
      }
    })();
    await sleep(100);
    await recv.engine.switchTransport('websocket');
    expect(recv.engine.stats().transport).to.equal('websocket');
    await sleep(1500); // past the old link's drain: only WebSocket delivers for a while
    await recv.engine.switchTransport('webtransport');
    await publishing;
    const inRoom = () => recv.messages((m) => m.room === room && m.kind === 'payload');
    await recv.until(() => inRoom().length >= N, 20_000, `${N} messages`);
    await sleep(1200); // past the old links' drain time: late duplicates would show now
    expect(inRoom().map((m) => untext(m.payload))).to.deep.equal(Array.from({ length: N }, (_, i) => String(i)));
    expect(recv.of('switched').map((s) => `${s.from}>${s.to}`)).to.deep.equal(['webtransport>websocket', 'websocket>webtransport']);
    expect(new Set(inRoom().map((m) => m.transport))).to.have.keys('webtransport', 'websocket');
    expect(recv.engine.stats().state).to.equal('connected');
    expect(recv.of('state').filter((s) => s.to === 'reconnecting')).to.have.length(0);
  });

  it('turns bad frames from the server into error events and keeps the connection', async () => {
    const h = await Harness.create({ userId: `bad-${uid()}`, compression: ['none'] }, null, { wrapTransport: (t) => new CuttableTransport(t) });
    open.push(h);
    await h.engine.connect();
    expect(h.of('connected')[0]!.compression).to.equal('none');
    const t = CuttableTransport.live.at(-1)!;
    t.inject(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x0f]), new Uint8Array([0x0a, 0x80]));
    await h.until(() => h.of('error').length >= 2, 5000, 'two error events');
    const codes = h.of('error').map((e) => e.error.code);
    expect(codes.every((c) => c === 'malformed_frame' || c === 'truncated')).to.equal(true, codes.join());
    expect(h.engine.stats().state).to.equal('connected');
    expect(await h.rpc('time')).to.have.property('now');
  });

  it('turns undecompressable frames into error events and keeps the connection (lz4 negotiated)', async () => {
    const h = await Harness.create({ userId: `badz-${uid()}`, compression: ['lz4'] }, null, { wrapTransport: (t) => new CuttableTransport(t) });
    open.push(h);
    await h.engine.connect();
    expect(h.of('connected')[0]!.compression).to.equal('lz4');
    const t = CuttableTransport.live.at(-1)!;
    // (ff ff ff ff would now mark an uncompressed small frame: src/protocol/small-frames.ts.)
    t.inject(new Uint8Array([0x00, 0x00, 0x00, 0x7f, 0x0f]), new Uint8Array([0x0a, 0x80]));
    await h.until(() => h.of('error').length >= 2, 5000, 'two error events');
    const codes = h.of('error').map((e) => e.error.code);
    expect(codes.every((c) => c === 'decompression_failed' || c === 'decompressed_too_large')).to.equal(true, codes.join());
    expect(h.engine.stats().state).to.equal('connected');
    expect(await h.rpc('time')).to.have.property('now');
  });

  it('sends messages queued before a reload once the next page connects', async () => {
    const user = `reload-${uid()}`;
    const room = `reload-${uid()}`;
    const recv = await Harness.create({ userId: `${user}-r` });
    open.push(recv);
    recv.engine.trackRoom(room, 0);
    await recv.engine.connect();
    await recv.rpc('room.join', { room });
    // Page 1: queues three messages while never connected, then goes away.
    const page1 = await Harness.create({ userId: user, persistOutbox: true });
    page1.engine.trackRoom(room, null);
    for (const s of ['a', 'b', 'c']) await page1.engine.send({ room, payload: text(s) });
    expect(page1.engine.stats().outboxSize).to.equal(3);
    await page1.close();
    // Page 2: same server and user; it finds the messages and sends them.
    const page2 = await Harness.create({ userId: user, persistOutbox: true });
    open.push(page2);
    expect(page2.engine.stats().outboxSize).to.equal(3);
    page2.engine.trackRoom(room, null);
    await page2.engine.connect();
    await page2.until(() => page2.of('acked').length === 3, 10_000, 'three ACKs');
    expect(page2.of('failed')).to.deep.equal([]);
    const inRoom = () => recv.messages((m) => m.room === room && m.kind === 'payload');
    await recv.until(() => inRoom().length === 3, 10_000, 'three messages');
    expect(inRoom().map((m) => untext(m.payload))).to.deep.equal(['a', 'b', 'c']);
    await page2.close();
    open.splice(open.indexOf(page2), 1);
    await IdbOutboxStore.destroy();
  });
});
