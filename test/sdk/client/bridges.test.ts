import { expect } from 'chai';
import { createClientFromAttributes, setClientFactory } from '../../../src/elements/client-factory.ts';
import type { CallSignal, IncomingCallSignal } from '../../../src/sdk/call/index.ts';
import { runNetworkTest } from '../../../src/sdk/device/index.ts';
import { FlareClient, registerClientFactory } from '../../../src/sdk/index.ts';
import { closeClients, makeClient, needServer, testServer, uniqueUser, waitFor } from './helpers.ts';

describe('FlareClient for the call layer and the device check', function () {
  this.timeout(30_000);
  before(needServer);
  afterEach(closeClients);

  it('callSignaller(): signals reach the other user in order, and not as app messages', async () => {
    const bob = uniqueUser('bob');
    const a = makeClient();
    const b = makeClient({ userId: bob, protocols: ['websocket'] });
    await Promise.all([a.connect(), b.connect()]);
    const got: IncomingCallSignal[] = [];
    const appMessages: string[] = [];
    b.on('messageReceived', ({ message }) => appMessages.push(message.type));
    const off = b.callSignaller().onSignal((e) => got.push(e));
    const sa = a.callSignaller();
    const sent: CallSignal[] = [{ type: 'ring', callId: 'c1', media: { audio: true, video: true }, engine: 'webrtc' }];
    for (let i = 0; i < 20; i++) sent.push({ type: 'candidate', callId: 'c1', candidate: { candidate: `cand-${i}`, sdpMid: '0' } });
    sent.push({ type: 'hangup', callId: 'c1' });
    for (const s of sent) await sa.send(bob, s);
    await waitFor(() => got.length === sent.length, 'every signal');
    expect(got.map((g) => g.signal)).to.deep.equal(sent);
    expect(got.every((g) => g.from === a.userId)).to.equal(true);
    await a.sendText(bob, 'plain');
    await waitFor(() => appMessages.length === 1, 'the app message');
    expect(appMessages).to.deep.equal(['text']);
    off();
  });

  it('networkProbe(): real round trips over the connection, graded by the network test', async () => {
    const c = makeClient();
    const probe = await c.networkProbe(); // connects first
    expect(probe).to.not.equal(null);
    expect(probe!.kind).to.equal(`${c.protocol}-rpc`);
    const rtt = await probe!.ping();
    expect(rtt).to.be.greaterThan(0);
    const result = await runNetworkTest(probe, { samples: 5, intervalMs: 0 });
    expect(result.status).to.equal('measured');
    if (result.status === 'measured') expect(result.samples.every((s) => s !== null && s > 0)).to.equal(true);
  });

  it('networkProbe() is null when the server cannot be reached', async () => {
    const c = makeClient({ url: 'http://127.0.0.1:9', protocols: ['websocket'], autoReconnect: false });
    expect(await c.networkProbe()).to.equal(null);
  });

  it('registerClientFactory(): elements get a connecting FlareClient from their attributes', async () => {
    const { serverUrl, certHash } = testServer();
    registerClientFactory({ certHash, persistOutbox: false });
    try {
      const c = createClientFromAttributes({ serverUrl: serverUrl!, user: uniqueUser('el') }) as FlareClient;
      expect(c).to.be.instanceOf(FlareClient);
      await waitFor(() => c.state.status.get() === 'connected', 'the factory client to connect');
      await c.close();
    } finally {
      setClientFactory(null);
    }
  });
});
