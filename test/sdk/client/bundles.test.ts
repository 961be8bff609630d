/**
 * The built bundles (npm test builds them first): the self-contained worker as `workerUrl`, and the
 * single-file script-tag bundle with its inline worker. Skipped when dist/ has not been built.
 */
import { expect } from 'chai';
import type * as Sdk from '../../../src/sdk/index.ts';
import { closeClients, makeClient, needServer, testServer } from './helpers.ts';

const exists = async (path: string) => (await fetch(path, { method: 'HEAD' })).ok;

describe('built bundles', function () {
  this.timeout(30_000);
  before(needServer);
  afterEach(closeClients);

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
});
