import { expect } from 'chai';
import * as Comlink from 'comlink';
import { FlareError } from '../../../src/codec/errors.ts';
import { ExtCommand } from '../../../src/protocol/extensions.ts';
import type { FlareWorkerApi, WorkerEvent } from '../../../src/worker/api.ts';
import { registerFlareTransferHandlers } from '../../../src/worker/transfer-handlers.ts';
import { testServer } from '../helpers/engine-harness.ts';

describe('worker integration: a real dedicated Worker through comlink', function () {
  this.timeout(30_000);
  let worker: Worker | null = null;
  before(function () {
    if (!testServer().serverUrl) this.skip();
    registerFlareTransferHandlers();
  });
  after(() => worker?.terminate());

  it('connects, delivers event batches with transferred bytes, and keeps FlareError codes across the boundary', async () => {
    worker = new Worker(new URL('../../../src/worker/worker.ts', import.meta.url), { type: 'module' });
    const api = Comlink.wrap<FlareWorkerApi>(worker);
    const batches: WorkerEvent[][] = [];
    const sink = (events: WorkerEvent[]) => void batches.push(events);
    const tokens: string[] = [];
    const provider = async ({ reason }: { reason: string }) => (tokens.push(reason), null);
    const { serverUrl, certHash } = testServer();
    await api.init({ url: serverUrl!, certHash, userId: 'worker-user', persistOutbox: false }, Comlink.proxy(sink), Comlink.proxy(provider));
    await api.connect();
    expect(tokens).to.deep.equal(['connect']);
    const events = () => batches.flat();
    expect(events().some((e) => e.type === 'connected')).to.equal(true);

    // An RPC echo: the answer arrives as a message event whose payload was transferred from the worker.
    await api.send({ kind: 'custom', name: ExtCommand.RPC_REQUEST, metadata: { id: 'e1', method: 'echo' }, payload: new TextEncoder().encode('ping!'), reliable: false });
    const deadline = Date.now() + 5000;
    let answer: Extract<WorkerEvent, { type: 'message' }> | undefined;
    while (!answer && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
      answer = events().find((e): e is Extract<WorkerEvent, { type: 'message' }> => e.type === 'message' && e.message.metadata.id === 'e1');
    }
    expect(answer, 'echo answer').to.not.equal(undefined);
    expect(new TextDecoder().decode(answer!.message.payload)).to.equal('ping!');
    expect(answer!.message.payload.buffer.byteLength).to.equal(answer!.message.payload.byteLength); // its own buffer
    // Far fewer postMessages than events: batches.
    expect(batches.length).to.be.lessThan(events().length);

    try {
      await api.send({ kind: 'custom', payload: new Uint8Array(1) });
      expect.fail('accepted a custom message without a name');
    } catch (e) {
      expect(e).to.be.instanceOf(FlareError);
      expect((e as FlareError).code).to.equal('invalid_argument');
    }
    try {
      await api.init({ url: serverUrl! }, Comlink.proxy(sink), null);
      expect.fail('init twice');
    } catch (e) {
      expect((e as FlareError).code).to.equal('invalid_state');
    }
    const stats = await api.stats();
    expect(stats.state).to.equal('connected');
    await api.disconnect();
    expect((await api.stats()).state).to.equal('disconnected');
  });
});
