import { expect } from 'chai';
import { Harness, testServer, text, untext } from '../helpers/engine-harness.ts';
import { killServer, mintJwt, restartServer, startRedis, startServer, stopServer, type ControlledServer } from '../helpers/server-control.ts';
import type { TokenReason } from '../../../src/worker/token.ts';

const fastRetry = { reconnectInitialDelayMs: 100, reconnectMaxDelayMs: 500, heartbeatIntervalMs: 2000, heartbeatPongTimeoutMs: 1500 };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const uid = () => Math.random().toString(36).slice(2);

describe('worker integration: servers that die and servers that check tokens', function () {
  this.timeout(90_000);
  const open: Harness[] = [];
  const servers: ControlledServer[] = [];
  before(function () {
    if (!testServer().serverUrl) this.skip();
  });
  afterEach(async () => {
    for (const h of open.splice(0)) await h.close();
    for (const s of servers.splice(0)) await stopServer(s);
  });

  it('reconnects by itself after the server is killed mid-stream and restarted: every message exactly once, in order', async () => {
    const redis = await startRedis();
    let srv = await startServer(['--broker', 'redis', '--redis', redis]);
    servers.push(srv);
    const room = `restart-${uid()}`;
    const N = 300;
    const pub = await Harness.create({ url: srv.url, certHash: srv.certHash, userId: 'pub-r', transports: ['websocket'], ...fastRetry });
    const recv = await Harness.create({ url: srv.url, certHash: srv.certHash, userId: 'recv-r', ...fastRetry });
    open.push(pub, recv);
    pub.engine.trackRoom(room, null);
    recv.engine.trackRoom(room, 0);
    await Promise.all([pub.engine.connect(), recv.engine.connect()]);
    await pub.rpc('room.join', { room });
    const publishing = (async () => {
      for (let i = 0; i < N; i++) {
        await pub.engine.send({ room, payload: text(String(i)) });
        if (i % 10 === 9) await sleep(15);
      }
    })();
    await sleep(250);
    await killServer(srv);
    await sleep(300);
    srv = await restartServer(srv);
    await publishing;
    await pub.until(() => pub.of('acked').length >= N, 30_000, 'all ACKs at the publisher');
    const inRoom = () => recv.messages((m) => m.room === room && m.kind === 'payload');
    await recv.until(() => inRoom().length >= N, 30_000, `${N} messages`);
    await sleep(500);
    expect(inRoom().map((m) => untext(m.payload))).to.deep.equal(Array.from({ length: N }, (_, i) => String(i)));
    expect(pub.of('failed')).to.deep.equal([]);
    expect(recv.of('state').some((s) => s.to === 'reconnecting')).to.equal(true);
    expect(recv.engine.stats().state).to.equal('connected');
    expect(pub.engine.stats().state).to.equal('connected');
  });

  it("reaches a development server restarted with a new certificate over WebTransport again (certHash 'auto', certHashUrl)", async () => {
    let srv = await startServer();
    servers.push(srv);
    const wtOnly = { transports: ['webtransport' as const], ...fastRetry };
    const auto = await Harness.create({ url: srv.url, certHash: 'auto', userId: 'cert-auto', ...wtOnly });
    const withUrl = await Harness.create({ url: srv.url, certHash: srv.certHash, certHashUrl: `${srv.url}/cert-hash`, userId: 'cert-url', ...wtOnly });
    open.push(auto, withUrl);
    await Promise.all([auto.engine.connect(), withUrl.engine.connect()]);
    expect(auto.of('connected')[0]!.transport).to.equal('webtransport');
    const oldHash = srv.certHash;
    srv = await restartServer(srv);
    expect(srv.certHash).to.not.equal(oldHash);
    for (const h of [auto, withUrl]) {
      await h.until(() => h.of('connected').length >= 2, 30_000, 'connected again');
      expect(h.of('connected')[1]).to.deep.include({ transport: 'webtransport', reconnected: true });
      expect(await h.rpc('time')).to.have.property('now');
    }
    // The old hash alone no longer reaches the server: without the refetch the clients above would not be back.
    const pinned = await Harness.create({ url: srv.url, certHash: oldHash, userId: 'cert-pinned', ...wtOnly, autoReconnect: false });
    open.push(pinned);
    try {
      await pinned.engine.connect();
      expect.fail('connected with the old certificate hash');
    } catch (e) {
      expect((e as { code: string }).code).to.equal('transport_unavailable');
    }
  });

  describe('with authentication on', () => {
    const SECRET = 'test-secret-' + uid();
    let srv: ControlledServer;
    beforeEach(async () => {
      srv = await startServer(['--auth-secret', SECRET]);
      servers.push(srv);
    });

    it('asks the provider again when the server refuses an expired token, and connects', async () => {
      const reasons: TokenReason[] = [];
      const provider = async ({ reason }: { reason: TokenReason }) => {
        reasons.push(reason);
        return mintJwt(SECRET, 'alice', reason === 'connect' ? -60_000 : 60_000);
      };
      const h = await Harness.create({ url: srv.url, certHash: srv.certHash, userId: 'alice', ...fastRetry }, provider);
      open.push(h);
      await h.engine.connect();
      expect(reasons).to.deep.equal(['connect', 'rejected']);
      expect(h.of('connected')[0]!.userId).to.equal('alice');
    });

    it('fails with AUTH_FAILED when the provider keeps giving bad tokens', async () => {
      const h = await Harness.create({ url: srv.url, certHash: srv.certHash, userId: 'bob', ...fastRetry }, async () => 'not-a-jwt');
      open.push(h);
      try {
        await h.engine.connect();
        expect.fail('connected');
      } catch (e) {
        expect((e as { code: string }).code).to.equal('auth_failed');
      }
      expect(h.engine.stats().state).to.equal('failed');
      expect(h.of('state').at(-1)!.code).to.equal('auth_failed');
    });

    it('refreshes a short-lived token in place before it expires, without reconnecting', async () => {
      const reasons: TokenReason[] = [];
      const provider = async ({ reason }: { reason: TokenReason }) => {
        reasons.push(reason);
        return mintJwt(SECRET, 'carol', 3000);
      };
      const h = await Harness.create({ url: srv.url, certHash: srv.certHash, userId: 'carol', ...fastRetry }, provider);
      open.push(h);
      await h.engine.connect();
      await sleep(5000); // past the first token's expiry
      expect(reasons[0]).to.equal('connect');
      expect(reasons.filter((r) => r === 'refresh').length).to.be.at.least(1);
      expect(h.of('state').filter((s) => s.to === 'reconnecting')).to.deep.equal([]);
      expect(h.engine.stats().state).to.equal('connected');
      expect(await h.rpc('time')).to.have.property('now');
    });
  });
});
