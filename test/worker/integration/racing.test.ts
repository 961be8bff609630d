import { expect } from 'chai';
import { Harness, testServer } from '../helpers/engine-harness.ts';
import type { Transport, TransportHandlers } from '../../../src/worker/transport.ts';

/**
 * WebSocket with everything it receives held back `delayMs` (order kept): on a loaded machine the two
 * transports' probe times swing by milliseconds either way, so the race is made clear-cut instead of
 * depending on which one the scheduler favoured.
 */
function slowWebSocket(delayMs: number): (t: Transport) => Transport {
  return (t) => {
    if (t.kind !== 'websocket') return t;
    const later = (fn: () => void) => void setTimeout(fn, delayMs);
    return {
      kind: t.kind,
      url: t.url,
      get isOpen() {
        return t.isOpen;
      },
      get bufferedAmount() {
        return t.bufferedAmount;
      },
      maxDatagramSize: t.maxDatagramSize,
      open: (h: TransportHandlers, signal?: AbortSignal) => t.open({ ...h, frames: (f) => later(() => h.frames(f)), closed: (i) => later(() => h.closed(i)) }, signal),
      send: (frames) => t.send(frames),
      setBatched: (on) => t.setBatched(on),
      sendDatagram: (bytes) => t.sendDatagram(bytes),
      close: (code, reason) => t.close(code, reason),
    };
  };
}

describe('worker integration: racing against the reference server', function () {
  this.timeout(30_000);
  const open: Harness[] = [];
  before(async function () {
    if (!testServer().serverUrl) this.skip();
    // Other test files raced the same server: forget their winners so these races start cold.
    await new Promise<void>((resolve) => {
      const req = indexedDB.deleteDatabase('flare-transport');
      req.onsuccess = req.onerror = req.onblocked = () => resolve();
    });
  });
  afterEach(async () => {
    for (const h of open.splice(0)) await h.close();
  });

  it('picks WebTransport when it works (and measures better)', async () => {
    const h = await Harness.create({ userId: 'racer-1' }, null, { wrapTransport: slowWebSocket(60) });
    open.push(h);
    await h.engine.connect();
    const connected = h.of('connected')[0]!;
    // The message shows the measured scores when it fails.
    expect(connected.transport).to.equal('webtransport', JSON.stringify({ race: h.of('race'), metrics: h.engine.stats().metrics }));
    const race = h.of('race')[0]!;
    expect(race.winner).to.equal('webtransport');
    expect(race.decidedBy).to.equal('score');
    expect(race.scores.webtransport).to.be.greaterThan(race.scores.websocket!);
    expect(h.engine.stats().state).to.equal('connected');
    // The connection works end to end: the server's echo method answers.
    expect(await h.rpc('time')).to.have.property('now');
  });

  it('picks WebSocket when WebTransport cannot connect (wrong certificate)', async () => {
    const h = await Harness.create({ userId: 'racer-2', certHash: '00'.repeat(32) });
    open.push(h);
    await h.engine.connect();
    expect(h.of('connected')[0]!.transport).to.equal('websocket');
    expect(h.of('race')[0]!.decidedBy).to.equal('only');
    expect(await h.rpc('time')).to.have.property('now');
  });

  it('uses WebSocket alone when told to, with batching negotiated', async () => {
    const h = await Harness.create({ userId: 'racer-3', transports: ['websocket'] });
    open.push(h);
    await h.engine.connect();
    const c = h.of('connected')[0]!;
    expect(c.transport).to.equal('websocket');
    expect(c.format).to.equal('protobuf');
    const conns = await h.rpc<{ connections: number; by_transport: Record<string, number> }>('get_connections');
    expect(conns.by_transport.websocket).to.be.at.least(1);
  });
});
