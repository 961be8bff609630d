import { expect } from 'chai';
import { ErrorCode, FlareError } from '../../../src/sdk/index.ts';
import { closeClients, makeClient, needServer } from './helpers.ts';

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
});
