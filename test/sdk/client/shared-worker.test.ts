import { expect } from 'chai';
import type * as Sdk from '../../../src/sdk/index.ts';
import { FlareClient } from '../../../src/sdk/index.ts';
import { closeClients, makeClient, needServer, testServer, uniqueUser, waitFor } from './helpers.ts';
import { closePages, openPeerPage } from '../../pages/pages.ts';

type SdkModule = typeof Sdk;

/** A second page of the same origin (an iframe) with the SDK loaded from source. */
async function openPage(): Promise<{ frame: HTMLIFrameElement; sdk: SdkModule }> {
  const frame = document.createElement('iframe');
  frame.srcdoc = `<!doctype html><script type="module">
    import * as sdk from '/src/sdk/index.ts';
    window.sdk = sdk;
    parent.postMessage('sdk-ready', '*');
  </script>`;
  const ready = new Promise<void>((resolve) => {
    const on = (e: MessageEvent) => {
      if (e.data === 'sdk-ready' && e.source === frame.contentWindow) {
        removeEventListener('message', on);
        resolve();
      }
    };
    addEventListener('message', on);
  });
  document.body.append(frame);
  await ready;
  return { frame, sdk: (frame.contentWindow as unknown as { sdk: SdkModule }).sdk };
}

describe('FlareClient shared: true (one connection for every page of the origin)', function () {
  this.timeout(60_000);
  before(needServer);
  afterEach(closeClients);

  it('two pages share one connection: same connection id, both receive, each keeps its own RPC and delivery', async () => {
    const user = uniqueUser('shared');
    const { serverUrl, certHash } = testServer();
    const a = makeClient({ userId: user, shared: true });
    await a.connect();
    expect(a.shared).to.equal(true);
    expect(a.runsIn).to.equal('shared-worker');
    const { frame, sdk } = await openPage();
    const b = new sdk.FlareClient({ url: serverUrl!, certHash, userId: user, shared: true, persistOutbox: false });
    try {
      await b.connect();
      expect(b.shared).to.equal(true);
      expect(b.state.status.get()).to.equal('connected');
      expect(b.state.connectionId.get()).to.equal(a.state.connectionId.get());

      // A message to the user reaches both pages.
      const gotA: string[] = [];
      const gotB: string[] = [];
      a.on('messageReceived', ({ message }) => gotA.push(message.text()));
      b.on('messageReceived', ({ message }) => gotB.push(message.text()));
      const sender = makeClient();
      await sender.connect();
      await (await sender.sendText(user, 'to both tabs')).delivered;
      await waitFor(() => gotA.length === 1 && gotB.length === 1, 'the message in both pages');
      expect(gotA).to.deep.equal(['to both tabs']);
      expect(gotB).to.deep.equal(['to both tabs']);

      // Requests from both pages at once, each answered to its own page.
      const [ra, rb] = await Promise.all([a.request('echo', { from: 'a' }), b.request('echo', { from: 'b' })]);
      expect(ra).to.deep.equal({ from: 'a' });
      expect(rb).to.deep.equal({ from: 'b' });

      // Delivery events only on the page that sent.
      const sentA: string[] = [];
      const sentB: string[] = [];
      a.on('messageSent', ({ id }) => sentA.push(id));
      b.on('messageSent', ({ id }) => sentB.push(id));
      const r = await b.sendText(sender.userId!, 'from tab b');
      await r.delivered;
      expect(sentB).to.deep.equal([r.id]);
      await a.request('echo', 0);
      expect(sentA).to.deep.equal([]);

      // A room message sent from one tab shows in the other tab too (the server echoes nothing
      // to the shared connection; the worker shows it to the other pages on its ACK).
      const room = `shared-room-${user}`;
      await a.room(room).join();
      await b.room(room).join();
      const s1 = await a.sendText({ room }, 'from tab a');
      await s1.delivered;
      await waitFor(() => b.room(room).messages.get().length === 1, 'the message in the other tab');
      const seen = b.room(room).messages.get()[0]!;
      expect(seen.text()).to.equal('from tab a');
      expect(seen.from).to.equal(user);
      expect(seen.seq).to.equal(s1.seq.get());
      expect(a.room(room).messages.get().map((m) => m.text())).to.deep.equal(['from tab a']);

      // One page leaving does not end the connection for the other.
      await b.disconnect();
      expect(b.state.status.get()).to.equal('disconnected');
      expect(a.state.status.get()).to.equal('connected');
      expect(await a.request('echo', 'still here')).to.equal('still here');
    } finally {
      await b.close();
      frame.remove();
    }
  });

  it('two tabs of the browser share one connection; closing one tab leaves the other connected and receiving', async () => {
    const user = uniqueUser('tabs');
    const tab = await openPeerPage();
    try {
      const b = await tab.call('connectShared', user);
      expect(b.shared).to.equal(true);
      const a = makeClient({ userId: user, shared: true });
      await a.connect();
      expect(a.state.connectionId.get()).to.equal(b.connectionId);
      expect(await a.sharedPages()).to.equal(2);

      const got: string[] = [];
      a.on('messageReceived', ({ message }) => got.push(message.text()));
      const sender = makeClient();
      await sender.connect();
      await (await sender.sendText(user, 'to both tabs')).delivered;
      await waitFor(() => got.length === 1, 'the message in this tab');
      let other: string[] = [];
      await waitFor(() => other.length === 1, 'the message in the other tab', 10_000, async () => (other = await tab.call('sharedReceived')));
      expect(other).to.deep.equal(['to both tabs']);

      await tab.close(); // the browser closes the tab
      let pages = 2;
      await waitFor(() => pages === 1, 'the closed tab to be released', 15_000, async () => (pages = await a.sharedPages()));
      expect(a.state.status.get()).to.equal('connected');
      await (await sender.sendText(user, 'after the other tab closed')).delivered;
      await waitFor(() => got.length === 2, 'the next message');
      expect(got).to.deep.equal(['to both tabs', 'after the other tab closed']);
    } finally {
      await closePages();
    }
  });

  it('a page that goes away without a word is released (Web Lock); the last page to leave ends the connection', async () => {
    const user = uniqueUser('shared');
    const { serverUrl, certHash } = testServer();
    const observer = makeClient({ userId: user, shared: true });
    await observer.attach(); // attached, never asks to connect
    const { frame, sdk } = await openPage();
    const b = new sdk.FlareClient({ url: serverUrl!, certHash, userId: user, shared: true, persistOutbox: false });
    await b.connect();
    await observer.refreshStats();
    expect(observer.state.status.get()).to.equal('connected');
    const a = makeClient({ userId: user, shared: true });
    await a.connect();
    expect(await a.sharedPages()).to.equal(3);
    let pages = 3;
    frame.remove(); // the tab closes: no disconnect(), no close()
    await waitFor(() => pages === 2, 'the dead page to be released', 15_000, async () => (pages = await a.sharedPages()));
    // A is now the only page that wants the connection: its disconnect ends it for everyone.
    await a.disconnect();
    await waitFor(() => observer.state.status.get() === 'disconnected', 'the observer to see the end');
  });

  it('falls back to a dedicated Worker where SharedWorker does not exist', async () => {
    const g = globalThis as { SharedWorker?: unknown };
    const saved = g.SharedWorker;
    delete g.SharedWorker;
    try {
      const c = makeClient({ shared: true });
      await c.connect();
      expect(c.shared).to.equal(false);
      expect(c.runsIn).to.equal('worker');
      expect(await c.request('echo', 1)).to.equal(1);
    } finally {
      g.SharedWorker = saved;
    }
  });

  it('different users get different shared workers', async () => {
    const a = makeClient({ shared: true });
    const b = makeClient({ shared: true });
    await Promise.all([a.connect(), b.connect()]);
    expect(a.state.connectionId.get()).to.not.equal(b.state.connectionId.get());
    expect(a).to.be.instanceOf(FlareClient);
  });
});
