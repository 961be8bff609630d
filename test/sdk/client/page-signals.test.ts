import { expect } from 'chai';
import { forwardPageSignals } from '../../../src/sdk/page-signals.ts';
import type { PageSignal } from '../../../src/worker/api.ts';
import { closeClients, makeClient, needServer, waitFor } from './helpers.ts';

describe('page lifecycle signals', function () {
  this.timeout(30_000);

  it('forwards visibility, resume and freeze as signals, and stops when told', () => {
    const doc = Object.assign(new EventTarget(), { visibilityState: 'hidden' }) as unknown as Document;
    const got: PageSignal[] = [];
    const stop = forwardPageSignals((s) => got.push(s), doc);
    doc.dispatchEvent(new Event('visibilitychange'));
    (doc as unknown as { visibilityState: string }).visibilityState = 'visible';
    doc.dispatchEvent(new Event('visibilitychange'));
    doc.dispatchEvent(new Event('freeze'));
    doc.dispatchEvent(new Event('resume'));
    stop();
    doc.dispatchEvent(new Event('resume'));
    expect(got).to.deep.equal(['hidden', 'visible', 'freeze', 'resume']);
  });

  describe('with the reference server', () => {
    before(needServer);
    afterEach(closeClients);

    for (const inPage of [false, true]) {
      it(`${inPage ? 'in the page' : 'through the worker'}: a tab turning visible, or a page resumed, checks the connection at once`, async () => {
        const c = makeClient({ inPage, protocols: ['websocket'], heartbeatIntervalMs: 60_000 });
        let beats = 0;
        c.on('heartbeat', () => beats++);
        await c.connect();
        await waitFor(() => beats >= 1, 'the first PING at link start');
        const before = beats;
        document.dispatchEvent(new Event('visibilitychange'));
        await waitFor(() => beats > before, 'a heartbeat after visibilitychange');
        const after = beats;
        document.dispatchEvent(new Event('resume'));
        await waitFor(() => beats > after, 'a heartbeat after resume');
      });
    }
  });
});
