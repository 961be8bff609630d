import { expect } from 'chai';
import * as Comlink from 'comlink';
import { ErrorCode, FlareError } from '../../../src/sdk/index.ts';
import { linkOver } from '../../../src/sdk/worker-link.ts';
import { createEngine } from '../../../src/worker/engine.ts';
import type { WorkerEvent } from '../../../src/worker/api.ts';
import { closeClients, makeClient, needServer, testServer, uniqueUser, waitFor } from './helpers.ts';

// request() on a dedicated worker goes through the worker's one-way request port (src/sdk/worker-link.ts).
describe('FlareClient: requests on the one-way request port', function () {
  this.timeout(30_000);
  before(needServer);
  afterEach(closeClients);

  it('many requests in flight each get their own answer', async () => {
    const c = makeClient();
    await c.connect();
    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => c.request('echo', { i })));
    expect(answers).to.deep.equal(Array.from({ length: 50 }, (_, i) => ({ i })));
  });

  it('a request the worker cannot send fails with not_connected, not with a timeout', async () => {
    const c = makeClient();
    await c.connect();
    await c.disconnect();
    const e = await c.request('echo', 1, { timeout: 20_000 }).then(
      () => null,
      (err) => err as FlareError,
    );
    expect(e).to.be.instanceOf(FlareError);
    expect(e!.code).to.equal(ErrorCode.NOT_CONNECTED);
    await c.connect();
    expect(await c.request('echo', 'again')).to.equal('again');
  });

  it('an RPC request crosses without a comlink call; other sends still are calls', async () => {
    const engine = createEngine();
    const { port1, port2 } = new MessageChannel();
    Comlink.expose(engine, port1);
    const calls: string[] = [];
    const endpoint: Comlink.Endpoint = {
      postMessage: (m: { type?: string; path?: string[] }, t?: Transferable[]) => {
        if (m?.type === 'APPLY') calls.push(m.path?.[0] ?? '');
        port2.postMessage(m, t ?? []);
      },
      addEventListener: port2.addEventListener.bind(port2),
      removeEventListener: port2.removeEventListener.bind(port2),
      start: () => port2.start(),
    };
    const link = linkOver(endpoint, false, () => port1.close());
    const events: WorkerEvent[] = [];
    try {
      await link.init({ url: testServer().serverUrl!, transports: ['websocket'], persistOutbox: false, userId: uniqueUser('port') }, (e) => void events.push(...e), null);
      await link.api.connect();
      calls.length = 0;
      await link.api.send({ kind: 'custom', name: 'flare.rpc.req', payload: new Uint8Array([1, 2, 3]), metadata: { id: 'p1', method: 'echo' }, reliable: false });
      await waitFor(() => events.some((e) => e.type === 'message' && e.message.metadata.id === 'p1'));
      const answer = events.find((e) => e.type === 'message' && e.message.metadata.id === 'p1');
      expect(answer?.type === 'message' && [...answer.message.payload]).to.deep.equal([1, 2, 3]);
      expect(calls).to.deep.equal([]);
      await link.api.send({ kind: 'custom', name: 'flare.event', payload: new Uint8Array(0), metadata: { event: 'x' }, reliable: false });
      expect(calls).to.deep.equal(['send']);
    } finally {
      await link.close();
      await engine.close();
    }
  });
});
