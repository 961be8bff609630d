/**
 * The built bundles (npm test builds them first): the ESM entries in dist/esm (`flare-web` finds its
 * worker next to itself; `flare-web/call` and `flare-web/device` share its code), the self-contained
 * worker as `workerUrl`, and the single-file script-tag bundle with its inline worker. Skipped when
 * dist/ has not been built.
 */
import { expect } from 'chai';
import type * as Sdk from '../../../src/sdk/index.ts';
import type * as CallSdk from '../../../src/sdk/call/index.ts';
import type * as DeviceSdk from '../../../src/sdk/device/index.ts';
import { closeClients, countingWorkers, makeClient, needServer, testServer } from './helpers.ts';

const exists = async (path: string) => (await fetch(path, { method: 'HEAD' })).ok;

describe('built bundles', function () {
  this.timeout(30_000);
  before(needServer);
  afterEach(closeClients);

  it('dist/esm: flare-web connects with the worker next to it; flare-web/call and flare-web/device work over its client', async function () {
    if (!(await exists('/dist/esm/sdk/index.js'))) this.skip();
    const paths = ['/dist/esm/sdk/index.js', '/dist/esm/sdk/call/index.js', '/dist/esm/sdk/device/index.js'];
    const [main, call, device] = (await Promise.all(paths.map((p) => import(/* @vite-ignore */ p)))) as [typeof Sdk, typeof CallSdk, typeof DeviceSdk];
    expect(main).to.not.have.property('CallController');
    expect(main).to.not.have.property('DeviceHealth');
    expect(call.CallController).to.be.a('function');
    const { serverUrl, certHash } = testServer();
    const alice = new main.FlareClient({ url: serverUrl!, certHash, persistOutbox: false, userId: `esm-a-${Date.now().toString(36)}` });
    const bob = new main.FlareClient({ url: serverUrl!, certHash, persistOutbox: false, userId: `esm-b-${Date.now().toString(36)}` });
    try {
      await Promise.all([alice.connect(), bob.connect()]);
      const ms = await device.createNetworkProbe(alice).ping();
      expect(ms).to.be.a('number').and.to.be.at.least(0);
      const got: Array<{ from: string; type: string }> = [];
      call.createCallSignaller(bob).onSignal((e) => got.push({ from: e.from, type: e.signal.type }));
      await call.createCallSignaller(alice).send(bob.userId!, { type: 'hangup', callId: 'c1' });
      const end = performance.now() + 10_000;
      while (!got.length && performance.now() < end) await new Promise((r) => setTimeout(r, 20));
      expect(got).to.deep.equal([{ from: alice.userId, type: 'hangup' }]);
      const err = (await alice.request('no.such').catch((e: unknown) => e)) as { code?: string };
      expect(err).to.be.instanceOf(main.FlareError);
      expect(err.code).to.equal(main.ErrorCode.UNKNOWN_METHOD);
    } finally {
      await Promise.all([alice.close(), bob.close()]);
    }
  });

  it('dist/flare-worker.js works as workerUrl', async function () {
    if (!(await exists('/dist/flare-worker.js'))) this.skip();
    const c = makeClient({ workerUrl: '/dist/flare-worker.js' });
    await c.connect();
    expect(await c.request('echo', { ok: true })).to.deep.equal({ ok: true });
  });

  it('dist/flare-web.js: one file with the worker inline, elements registered, client factory set', async function () {
    if (!(await exists('/dist/flare-web.js'))) this.skip();
    const path = '/dist/flare-web.js';
    const m = (await import(/* @vite-ignore */ path)) as typeof Sdk & { elements: Record<string, unknown> };
    expect(customElements.get('device-check')).to.be.a('function');
    expect(m.elements.createClientFromAttributes).to.be.a('function');
    const { serverUrl, certHash } = testServer();
    const c = new m.FlareClient({ url: serverUrl!, certHash, persistOutbox: false, userId: 'script-tag' });
    try {
      await c.connect();
      expect(await c.request('echo', [1, 2])).to.deep.equal([1, 2]);
      const err = (await c.request('no.such').catch((e: unknown) => e)) as { code?: string };
      expect(err).to.be.instanceOf(m.FlareError);
      expect(err.code).to.equal(m.ErrorCode.UNKNOWN_METHOD);
    } finally {
      await c.close();
    }
  });

  for (const [bundle, path] of [
    ['dist/esm (the engine is a chunk of its own)', '/dist/esm/sdk/index.js'],
    ['dist/flare-web.js (the engine comes from the inline worker source)', '/dist/flare-web.js'],
  ] as const) {
    it(`${bundle}: inPage runs the engine in the page without a worker`, async function () {
      if (!(await exists(path))) this.skip();
      const m = (await import(/* @vite-ignore */ path)) as typeof Sdk;
      const { serverUrl, certHash } = testServer();
      const c = new m.FlareClient({ url: serverUrl!, certHash, persistOutbox: false, inPage: true, userId: `in-page-${Date.now().toString(36)}` });
      try {
        const { result, workers } = await countingWorkers(async () => {
          await c.connect();
          return c.request('echo', { inPage: true });
        });
        expect(result).to.deep.equal({ inPage: true });
        expect(workers).to.equal(0);
      } finally {
        await c.close();
      }
    });
  }
});
