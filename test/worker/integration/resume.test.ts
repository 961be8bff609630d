import { expect } from 'chai';
import { Harness, testServer, text, untext } from '../helpers/engine-harness.ts';
import { CuttableTransport } from '../helpers/cuttable-transport.ts';

const fastRetry = { reconnectInitialDelayMs: 50, reconnectMaxDelayMs: 300 };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('worker integration: reconnect and resume', function () {
  this.timeout(60_000);
  const open: Harness[] = [];
  before(function () {
    if (!testServer().serverUrl) this.skip();
  });
  afterEach(async () => {
    for (const h of open.splice(0)) await h.close();
  });

  for (const transport of ['webtransport', 'websocket'] as const) {
    it(`delivers every room message exactly once and in order across network cuts (${transport})`, async () => {
      const room = `cut-${transport}-${Math.random().toString(36).slice(2)}`;
      const N = 300;
      const pub = await Harness.create({ userId: 'pub', transports: ['websocket'], ...fastRetry });
      const recv = await Harness.create({ userId: 'recv', transports: [transport], ...fastRetry }, null, {
        wrapTransport: (t) => new CuttableTransport(t),
      });
      open.push(pub, recv);
      // The receiver resumes the new room from its start (seq 0), so joining late loses nothing either.
      recv.engine.trackRoom(room, 0);
      await Promise.all([pub.engine.connect(), recv.engine.connect()]);
      await pub.rpc('room.join', { room });

      const publishing = (async () => {
        for (let i = 0; i < N; i++) {
          await pub.engine.send({ room, payload: text(String(i)) });
          if (i % 10 === 9) await sleep(20);
        }
      })();
      const cuts = (async () => {
        for (const at of [150, 250, 300]) {
          await sleep(at);
          // Cut only a live connection (the previous cut may still be reconnecting).
          while (recv.engine.stats().state !== 'connected') await sleep(10);
          CuttableTransport.live.find((t) => t.kind === transport)!.cut();
        }
      })();
      await Promise.all([publishing, cuts]);
      await pub.until(() => pub.of('acked').length === N, 20_000, 'all ACKs at the publisher');
      const inRoom = () => recv.messages((m) => m.room === room && m.kind === 'payload');
      try {
        await recv.until(() => inRoom().length >= N, 15_000, `${N} messages at the receiver`);
      } catch (e) {
        const g = inRoom();
        console.log('DEBUG got', g.length, JSON.stringify(g.map((m) => [untext(m.payload), m.seq, m.history ? 'h' : ''])));
        console.log('DEBUG other', JSON.stringify(recv.events.filter((x) => x.type !== 'message' && x.type !== 'rtt')));
        throw e;
      }
      await sleep(300); // anything extra (a duplicate) would arrive now

      const got = inRoom();
      expect(got.map((m) => untext(m.payload))).to.deep.equal(Array.from({ length: N }, (_, i) => String(i)));
      expect(new Set(got.map((m) => m.id)).size).to.equal(N);
      for (let i = 1; i < got.length; i++) expect(got[i]!.seq).to.equal(got[i - 1]!.seq + 1);
      expect(recv.of('state').filter((s) => s.to === 'reconnecting').length).to.be.at.least(3);
      // Some messages could only have come from the replay after a resume.
      expect(got.filter((m) => m.history).length).to.be.greaterThan(0);
      // The last cut may have come after the last message: the client is back by itself.
      await recv.until(() => recv.engine.stats().state === 'connected', 10_000, 'connected again');
    });
  }
});
