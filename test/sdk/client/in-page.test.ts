import { expect } from 'chai';
import { ErrorCode, FlareClient, FlareError } from '../../../src/sdk/index.ts';
import { startInPage } from '../../../src/sdk/page-link.ts';
import { closeClients, countingWorkers, invalid, makeClient, needServer, testServer, uniqueUser, waitFor } from './helpers.ts';

// The connection on the page's thread (src/sdk/page-link.ts): the worker's engine, called directly.
describe('FlareClient: the connection in the page (inPage)', function () {
  this.timeout(30_000);
  before(needServer);
  afterEach(closeClients);

  for (const protocol of ['websocket', 'webtransport'] as const) {
    it(`connects over ${protocol} without starting a worker, and requests and messages work`, async () => {
      const { result: c, workers } = await countingWorkers(async () => {
        const c = makeClient({ inPage: true, protocols: [protocol] });
        await c.connect();
        return c;
      });
      expect(workers).to.equal(0);
      expect(c.runsIn).to.equal('page');
      expect(c.state.status.get()).to.equal('connected');
      expect(c.state.protocol.get()).to.equal(protocol);
      expect(await c.request('echo', { n: 1 })).to.deep.equal({ n: 1 });
      const bytes = (await c.request('echo', new Uint8Array([1, 2, 3]), { responseType: 'bytes' })) as Uint8Array;
      expect([...bytes]).to.deep.equal([1, 2, 3]);
    });
  }

  it('talks to a client in a worker: direct messages both ways, with acks', async () => {
    const a = makeClient({ inPage: true, userId: uniqueUser('page') });
    const b = makeClient({ userId: uniqueUser('worker') });
    expect(a.runsIn).to.equal(null);
    await Promise.all([a.connect(), b.connect()]);
    expect([a.runsIn, b.runsIn]).to.deep.equal(['page', 'worker']);
    const atA: string[] = [];
    const atB: string[] = [];
    a.on('messageReceived', ({ message }) => atA.push(message.text()));
    b.on('messageReceived', ({ message }) => atB.push(message.text()));
    const [sent] = await Promise.all([a.sendText({ user: b.userId! }, 'from the page'), b.sendText({ user: a.userId! }, 'from the worker')]);
    const { seq } = await sent.delivered;
    expect(sent.state.get()).to.equal('acked');
    expect(seq).to.be.a('number');
    await waitFor(() => atA.includes('from the worker') && atB.includes('from the page'), 'both messages');
  });

  it('errors keep their codes: an unknown method, a request while disconnected', async () => {
    const c = makeClient({ inPage: true, protocols: ['websocket'] });
    await c.connect();
    const unknown = await c.request('no.such.method', 1).catch((e: unknown) => e);
    expect(unknown).to.be.instanceOf(FlareError);
    expect((unknown as FlareError).code).to.equal(ErrorCode.UNKNOWN_METHOD);
    await c.disconnect();
    expect(c.state.status.get()).to.equal('disconnected');
    const offline = await c.request('echo', 1, { timeout: 20_000 }).catch((e: unknown) => e);
    expect((offline as FlareError).code).to.equal(ErrorCode.NOT_CONNECTED);
    await c.connect();
    expect(await c.request('echo', 'again')).to.equal('again');
  });

  // Where no worker may run, the client runs the connection in the page by itself.
  const refusing = class {
    constructor() {
      throw new DOMException('refused by the test', 'SecurityError');
    }
  } as unknown as typeof Worker;
  for (const [where, replacement, warning] of [
    ['the browser has no Worker', undefined, null],
    ['the page may not start a worker (with a warning)', refusing, 'refused by the test'],
  ] as const) {
    it(`runs in the page where ${where}`, async () => {
      const g = globalThis as { Worker?: typeof Worker };
      const Real = g.Worker;
      const warn = console.warn;
      const warnings: string[] = [];
      if (replacement) g.Worker = replacement;
      else delete g.Worker;
      console.warn = (...args: unknown[]) => void warnings.push(args.join(' '));
      try {
        const c = makeClient({ protocols: ['websocket'] });
        await c.connect();
        expect(await c.request('echo', where)).to.equal(where);
        expect(c.runsIn).to.equal('page');
      } finally {
        g.Worker = Real;
        console.warn = warn;
      }
      if (warning) expect(warnings.some((w) => w.includes(warning) && w.includes('runs in the page'))).to.equal(true);
      else expect(warnings).to.deep.equal([]);
    });
  }

  it('close() ends the connection: the server sees the user leave', async () => {
    const watcher = makeClient({ inPage: true });
    const user = uniqueUser('leaver');
    const room = uniqueUser('room');
    const c = makeClient({ inPage: true, userId: user });
    await Promise.all([watcher.connect(), c.connect()]);
    const r = watcher.room(room);
    await r.join();
    await c.room(room).join();
    await waitFor(() => r.presence.get().some((m) => m.userId === user), 'joined');
    await c.close();
    expect(c.state.status.get()).to.equal('disconnected');
    await waitFor(() => !r.presence.get().some((m) => m.userId === user), 'left');
  });

  it('refuses inPage with shared, by name', () => {
    const { serverUrl } = testServer();
    const e = invalid(() => new FlareClient({ url: serverUrl!, inPage: true, shared: true }));
    expect(e.message).to.contain('inPage');
    expect(invalid(() => FlareClient.builder('u', serverUrl!).inPage('yes' as unknown as boolean).build()).message).to.contain('inPage');
  });

  it('an engine that cannot load fails connect() with its error, and close() still settles', async () => {
    const { serverUrl } = testServer();
    const broken = new FlareError(ErrorCode.UNSUPPORTED, 'no engine here');
    const c = new FlareClient({ url: serverUrl!, persistOutbox: false }, { startWorker: () => startInPage(() => Promise.reject(broken)) });
    const e = await c.connect().catch((err: unknown) => err);
    expect(e).to.equal(broken);
    await c.close();
    expect(c.state.status.get()).to.equal('disconnected');
  });
});
