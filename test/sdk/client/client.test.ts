import { expect } from 'chai';
import { ErrorCode, FlareError, type ClientEventMap } from '../../../src/sdk/index.ts';
import { closeClients, makeClient, needServer, text, uniqueUser, waitFor } from './helpers.ts';

describe('FlareClient: connection, state signals and events', function () {
  this.timeout(30_000);
  before(needServer);
  afterEach(closeClients);

  it('connects in a real Worker; signals and events follow', async () => {
    const client = makeClient();
    const seen: Array<keyof ClientEventMap> = [];
    for (const t of ['state', 'connected', 'raced', 'disconnected'] as const) client.on(t, () => seen.push(t));
    expect(client.state.status.get()).to.equal('disconnected');
    await client.connect();
    expect(client.state.status.get()).to.equal('connected');
    const protocol = client.state.protocol.get()!;
    expect(protocol).to.be.oneOf(['webtransport', 'websocket']); // the race decides (WebTransport unless it measures worse)
    expect(client.protocol).to.equal(protocol);
    expect(client.state.connectionId.get()).to.be.a('string').and.not.equal('');
    expect(seen).to.include.members(['state', 'connected', 'raced']);
    const stats = client.state.stats.get()!;
    expect(stats.state).to.equal('connected');
    expect(stats.transport).to.equal(protocol);
    expect(Object.keys(client.state.metrics.get())).to.include(protocol);
    expect(client.state.scores.get()[protocol]).to.be.a('number');
    await client.disconnect();
    expect(client.state.status.get()).to.equal('disconnected');
    expect(client.state.protocol.get()).to.equal(null);
    expect(seen).to.include('disconnected');
  });

  it('knows the round trip and the clock offset right after connecting, long before the first heartbeat tick', async () => {
    const client = makeClient({ heartbeatIntervalMs: 60_000 });
    const rtts: number[] = [];
    client.on('heartbeat', ({ rttMs }) => rtts.push(rttMs));
    await client.connect();
    await waitFor(() => client.state.rtt.get() !== null, 'the first RTT sample');
    expect(client.state.rtt.get()).to.be.a('number').and.at.least(0);
    expect(client.state.clockOffset.get()).to.be.a('number');
    expect(rtts.length).to.be.at.least(1);
  });

  it('uses WebSocket when told to; asks the token provider (through the worker) before connecting', async () => {
    const asked: string[] = [];
    const client = makeClient({ protocols: ['websocket'], getToken: ({ reason }) => (asked.push(reason), 'any-token') });
    await client.connect();
    expect(client.protocol).to.equal('websocket');
    expect(asked).to.deep.equal(['connect']);
  });

  it('close() leaves the signals at disconnected and says so once', async () => {
    const client = makeClient();
    await client.connect();
    const states: string[] = [];
    client.on('disconnected', ({ code }) => states.push(code));
    await client.close();
    expect(client.state.status.get()).to.equal('disconnected');
    expect(client.state.protocol.get()).to.equal(null);
    expect(states).to.deep.equal(['disconnect_called']);
  });

  it('close() fails what is in flight with ABORTED', async () => {
    const client = makeClient();
    await client.connect();
    const pending = client
      .request('test.delay', { ms: 2000 })
      .then(
        () => null,
        (x) => x as FlareError,
      );
    await client.close();
    const e = await pending;
    expect(e).to.be.instanceOf(FlareError);
    expect(e!.code).to.equal(ErrorCode.ABORTED);
  });

  it('rejects connect() with a FlareError whose code survived the worker boundary', async () => {
    const client = makeClient({ url: 'http://127.0.0.1:9', protocols: ['websocket'], autoReconnect: false, connectionTimeoutMs: 2000 });
    const err = await client.connect().then(
      () => null,
      (e) => e,
    );
    expect(err).to.be.instanceOf(FlareError);
    expect(err.code).to.be.oneOf([ErrorCode.TRANSPORT_UNAVAILABLE, ErrorCode.CONNECT_TIMEOUT, ErrorCode.TRANSPORT_CLOSED]);
    expect(client.state.status.get()).to.equal('failed');
  });

  it('switches protocol on request: protocolSwitched and the protocol signal', async () => {
    const client = makeClient();
    await client.connect();
    const switched: ClientEventMap['protocolSwitched'][] = [];
    client.on('protocolSwitched', (e) => switched.push(e));
    const from = client.protocol!; // the race may pick either on a loaded machine
    const to = from === 'websocket' ? 'webtransport' : 'websocket';
    await client.switchProtocol(to);
    await waitFor(() => client.protocol === to && switched.length > 0, 'protocol signal and event');
    expect(switched[0]).to.include({ from, to });
    // still usable
    expect(await client.request('echo', { x: 1 })).to.deep.equal({ x: 1 });
  });
});

describe('FlareClient: messages', function () {
  this.timeout(30_000);
  before(needServer);
  afterEach(closeClients);

  it('sendText / sendBinary / sendMessage to a user: types, delivery states, messageSent', async () => {
    const bob = uniqueUser('bob');
    const a = makeClient();
    const b = makeClient({ userId: bob, protocols: ['websocket'] });
    await Promise.all([a.connect(), b.connect()]);
    const got: ClientEventMap['messageReceived']['message'][] = [];
    b.on('messageReceived', ({ message }) => got.push(message));
    const sentIds: string[] = [];
    a.on('messageSent', ({ id }) => sentIds.push(id));

    const r1 = await a.sendText(bob, 'hello bob');
    expect(r1.state.get()).to.be.oneOf(['queued', 'sent', 'acked']); // 'sent' may already have arrived
    const d1 = await r1.delivered;
    expect(r1.state.get()).to.equal('acked');
    expect(d1.seq).to.be.a('number');
    expect(r1.seq.get()).to.equal(d1.seq);
    const r2 = await a.sendBinary({ user: bob }, new Uint8Array([1, 2, 3]));
    const r3 = await a.sendMessage({ user: bob }, { type: 'order', data: { item: 'tea', n: 2 } });
    await Promise.all([r2.delivered, r3.delivered]);
    expect(sentIds).to.include.members([r1.id, r2.id, r3.id]);

    await waitFor(() => got.length >= 3, 'three messages');
    expect(got.map((m) => m.type)).to.deep.equal(['text', 'binary', 'order']);
    expect(got[0]!.text()).to.equal('hello bob');
    expect(got[0]!.from).to.equal(a.userId);
    expect([...got[1]!.payload]).to.deep.equal([1, 2, 3]);
    expect(got[2]!.json()).to.deep.equal({ item: 'tea', n: 2 });
    expect(got.map((m) => m.id)).to.deep.equal([r1.id, r2.id, r3.id]);
    // direct messages are sequenced per user inbox, in order
    expect(got[1]!.seq).to.equal(got[0]!.seq + 1);
  });

  it('a message the server refuses fails: state, delivered, messageFailed', async () => {
    const a = makeClient();
    await a.connect();
    const failed: string[] = [];
    a.on('messageFailed', ({ id }) => failed.push(id));
    // publishing to a room not joined is refused with an error ACK
    const r = await a.sendText({ room: `not-joined-${uniqueUser()}` }, 'x');
    const err = await r.delivered.then(
      () => null,
      (e) => e,
    );
    expect(err).to.be.instanceOf(FlareError);
    // made in the worker, crossed the boundary as an event: code and details intact
    expect(err.code).to.equal(ErrorCode.REMOTE_ERROR);
    expect(err.details).to.include({ messageId: r.id });
    expect(r.state.get()).to.equal('failed');
    expect(r.error.get()).to.equal(err);
    expect(failed).to.deep.equal([r.id]);
  });

  it('best-effort sends while disconnected reject with NOT_CONNECTED; reliable ones queue and go out on connect', async () => {
    const bob = uniqueUser('bob');
    const a = makeClient();
    const b = makeClient({ userId: bob });
    await b.connect();
    const got: string[] = [];
    b.on('messageReceived', ({ message }) => got.push(message.text()));
    const err = await a.sendText(bob, 'now or never', { reliable: false }).then(
      () => null,
      (e) => e,
    );
    expect(err).to.be.instanceOf(FlareError).with.property('code', ErrorCode.NOT_CONNECTED);
    const queued = await a.sendText(bob, 'queued while offline');
    expect(queued.state.get()).to.equal('queued');
    await a.connect();
    await queued.delivered;
    await waitFor(() => got.includes('queued while offline'), 'queued message');
    const be = await a.sendText(bob, 'best effort', { reliable: false });
    expect(be.state.get()).to.equal('sent');
    await waitFor(() => got.includes('best effort'), 'best-effort message');
  });

  it('rejects bad targets and payloads with INVALID_ARGUMENT', async () => {
    const a = makeClient();
    for (const p of [a.sendText('', 'x'), a.sendText({ room: '' }, 'x'), a.sendText('bob', 5 as unknown as string), a.sendBinary('bob', 'x' as unknown as Uint8Array)]) {
      const e = await p.then(
        () => null,
        (x) => x,
      );
      expect(e).to.be.instanceOf(FlareError).with.property('code', ErrorCode.INVALID_ARGUMENT);
    }
  });

  it('text() and json() decode payloads', () => {
    expect(new TextDecoder().decode(text('é'))).to.equal('é');
  });
});
