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

    /** A client and its heartbeat count, once the first PING at link start was answered. */
    async function beating(inPage: boolean) {
      const c = makeClient({ inPage, protocols: ['websocket'], heartbeatIntervalMs: 60_000 });
      const beats = { n: 0 };
      c.on('heartbeat', () => beats.n++);
      await c.connect();
      await waitFor(() => beats.n >= 1, 'the first PING at link start');
      return { c, beats };
    }

    for (const inPage of [false, true]) {
      it(`${inPage ? 'in the page' : 'through the worker'}: a tab turning visible, or a page resumed, checks the connection at once`, async () => {
        const { beats } = await beating(inPage);
        for (const type of ['visibilitychange', 'resume']) {
          const before = beats.n;
          document.dispatchEvent(new Event(type));
          await waitFor(() => beats.n > before, `a heartbeat after ${type}`);
        }
      });
    }

    it("in the page: the engine hears the window's offline event (in a worker, the worker's), and stops at close", async () => {
      const { c, beats } = await beating(true);
      const before = beats.n;
      window.dispatchEvent(new Event('offline'));
      await waitFor(() => beats.n > before, 'a heartbeat after offline');
      await c.close();
      window.dispatchEvent(new Event('offline'));
      await new Promise((r) => setTimeout(r, 200));
      expect(beats.n).to.equal(before + 1);
    });
  });
});
