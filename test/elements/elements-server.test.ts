/**
 * <flare-chat> and <flare-call> on real FlareClients against the reference server (started by
 * scripts/test.mjs): chat with delivery states, presence, typing and history between two clients;
 * a call whose signals travel over the Flare connection, with decoded video both ways.
 */
import { expect } from 'chai';
import '../../src/elements/flare-chat/define.ts';
import '../../src/elements/flare-call/define.ts';
import '../../src/elements/device-check/define.ts';
import { setClientFactory } from '../../src/elements/client-factory.ts';
import type { FlareClient } from '../../src/sdk/client.ts';
import { DevicePreferences } from '../../src/sdk/device/device-preferences.ts';
import type { FlareChat } from '../../src/elements/flare-chat/flare-chat.ts';
import type { FlareCall } from '../../src/elements/flare-call/flare-call.ts';
import { CallStatus } from '../../src/sdk/call/call-types.ts';
import { closeClients, makeClient, needServer, uniqueUser } from '../sdk/client/helpers.ts';
import { OutgoingGate, recordSignal } from '../sdk/client/gated-transport.ts';
import { waitFor } from '../sdk/call/wait.ts';
import { axeViolations } from './a11y.ts';

const $ = <E extends Element = HTMLElement>(el: Element, selector: string) => el.shadowRoot!.querySelector<E>(selector);

describe('elements on the real server', function () {
  this.timeout(120_000);
  before(needServer);
  const mounted: Element[] = [];
  afterEach(async () => {
    for (const el of mounted.splice(0)) el.remove();
    await closeClients();
  });

  function mount<K extends 'flare-chat' | 'flare-call'>(tag: K, setup: (el: HTMLElementTagNameMap[K]) => void): HTMLElementTagNameMap[K] {
    const el = document.createElement(tag);
    el.style.width = '640px';
    setup(el);
    document.body.append(el);
    mounted.push(el);
    return el;
  }

  it('chat between two clients: delivery queued -> acked, presence, typing, and history on scroll', async () => {
    const room = uniqueUser('room');
    const seeder = makeClient();
    await seeder.connect();
    await seeder.room(room).join();
    for (let i = 0; i < 70; i++) await seeder.sendText({ room }, `old ${i}`);
    await (await seeder.sendText({ room }, 'old last')).delivered;

    const alice = makeClient({ userId: uniqueUser('alice') });
    const bob = makeClient({ userId: uniqueUser('bob') });
    await Promise.all([alice.connect(), bob.connect()]);
    const a = mount('flare-chat', (el) => ((el.client = alice), (el.room = room)));
    const b = mount('flare-chat', (el) => ((el.client = bob), (el.room = room)));
    const bubbles = (el: FlareChat) => [...el.shadowRoot!.querySelectorAll('.bubble')].map((x) => x.textContent);

    // Joining loads the latest page of history.
    await waitFor(async () => (await a.updateComplete, bubbles(a).includes('old last')), 'history page at alice');
    expect(bubbles(a)).to.not.include('old 0');
    await waitFor(async () => (await a.updateComplete, $(a, '[part~="badge"]')!.dataset.status === 'connected'), 'badge connected');
    expect($(a, '[part~="badge"]')!.dataset.protocol).to.match(/^(websocket|webtransport)$/);
    const present = (el: FlareChat) => [...el.shadowRoot!.querySelectorAll<HTMLElement>('[part~="presence"] li')].map((li) => li.dataset.user);
    await waitFor(async () => (await a.updateComplete, present(a).includes(bob.userId!) && present(a).includes(alice.userId!)), 'both present at alice');

    // Typing shows at the other side.
    a.chat!.setTyping(true);
    await waitFor(async () => (await b.updateComplete, $(b, '[part~="typing"]')!.textContent!.includes('is typing')), 'typing at bob');

    const states: string[] = [];
    const id = a.send('hello over flare')!;
    const own = () => a.chat!.messages.get().find((m) => m.id === id);
    states.push(own()!.delivery!.get());
    await waitFor(() => own()?.delivery?.get() === 'acked', 'acked');
    states.push('acked');
    expect(states).to.deep.equal(['queued', 'acked']);
    await a.updateComplete;
    expect($(a, `article[data-id="${id}"] [data-state="acked"]`)).to.not.equal(null);
    await waitFor(async () => (await b.updateComplete, bubbles(b).includes('hello over flare')), 'bob receives');
    // The message from alice clears her typing notice at bob.
    await waitFor(async () => (await b.updateComplete, $(b, '[part~="typing"]')!.textContent === ''), 'typing cleared');

    // Scrolling to the top loads the older page.
    const scroller = $(b, '[part~="messages"]')!;
    scroller.scrollTop = 0;
    await waitFor(async () => (await b.updateComplete, b.chat!.messages.get().some((m) => m.text === 'old 0')), 'older page at bob', 20_000);
    expect(await axeViolations(a)).to.deep.equal([]);
  });

  /** A client whose outgoing frames with a marker text the test holds back (see gated-transport.ts). */
  const gatedClient = (gate: OutgoingGate, options: Parameters<typeof makeClient>[0] = {}) =>
    makeClient({ userId: uniqueUser('alice'), protocols: ['websocket'], compression: ['none'], autoSwitch: false, ...options }, { startWorker: gate.startWorker() });
  const stateOf = (el: FlareChat, id: string) => $(el, `article[data-id="${id}"] [data-state]`)?.getAttribute('data-state') ?? null;

  it('chat shows queued, then sent once the worker wrote it to the connection, then acked', async () => {
    const room = uniqueUser('room');
    const gate = new OutgoingGate();
    const alice = gatedClient(gate);
    await alice.connect();
    const a = mount('flare-chat', (el) => ((el.client = alice), (el.room = room)));
    await waitFor(() => alice.room(room).joined.get(), 'joined');
    gate.hold('held in chat');
    const id = a.send('held in chat')!;
    const delivery = a.chat!.messages.get().find((m) => m.id === id)!.delivery!;
    const seen = recordSignal(() => delivery.get());
    await a.updateComplete;
    expect(stateOf(a, id)).to.equal('queued');
    await waitFor(async () => (await a.updateComplete, stateOf(a, id) === 'sent'), 'sent shown');
    // Held from the server: it stays sent.
    expect(await alice.request('echo', 1)).to.equal(1);
    await a.updateComplete;
    expect(stateOf(a, id)).to.equal('sent');
    gate.release();
    await waitFor(async () => (await a.updateComplete, stateOf(a, id) === 'acked'), 'acked shown');
    seen.stop();
    expect(seen.values).to.deep.equal(['queued', 'sent', 'acked']);
    expect(await axeViolations(a)).to.deep.equal([]);
  });

  it('chat shows failed with the reason when the retry budget runs out, and the retry button delivers it', async () => {
    const room = uniqueUser('room');
    const gate = new OutgoingGate();
    // Resent every 150 ms, given up after two attempts.
    const alice = gatedClient(gate, { messageRetry: { maxRetries: 1, retryDelayMs: 150 } });
    const bob = makeClient({ userId: uniqueUser('bob') });
    await Promise.all([alice.connect(), bob.connect()]);
    await bob.room(room).join();
    const got: string[] = [];
    bob.on('messageReceived', ({ message }) => got.push(message.text()));
    const a = mount('flare-chat', (el) => ((el.client = alice), (el.room = room)));
    await waitFor(() => alice.room(room).joined.get(), 'joined');
    gate.hold('doomed');
    const id = a.send('doomed')!;
    await waitFor(async () => (await a.updateComplete, stateOf(a, id) === 'failed'), 'failed shown');
    const row = $(a, `article[data-id="${id}"]`)!;
    expect(row.querySelector('.delivery')!.textContent).to.match(/expired/i);
    gate.release(); // the copies written before it expired reach the server late: it stores one
    await waitFor(() => got.includes('doomed'), 'bob receives the late copy');
    const retries: string[] = [];
    a.addEventListener('flare-chat-retry', (e) => retries.push(e.detail.id));
    row.querySelector<HTMLButtonElement>('button.retry')!.click();
    expect(retries).to.deep.equal([id]);
    // Sent again under its own id: the server ACKs the copy it has instead of storing a second one.
    await waitFor(async () => (await a.updateComplete, stateOf(a, id) === 'acked'), 'retry acked');
    expect(a.shadowRoot!.querySelectorAll(`article[data-id="${id}"]`)).to.have.length(1);
    expect(await bob.request('echo', 'sync')).to.equal('sync');
    expect(got.filter((t) => t === 'doomed')).to.have.length(1);
  });

  it('<device-check> measures the network over a client made from server-url, then closes that client', async () => {
    const made: FlareClient[] = [];
    const closes = new Map<FlareClient, number>();
    setClientFactory(({ user }) => {
      const c = makeClient({ userId: user || uniqueUser('check') });
      const close = c.close.bind(c);
      c.close = () => (closes.set(c, (closes.get(c) ?? 0) + 1), close());
      c.connect().catch(() => {});
      made.push(c);
      return c;
    });
    try {
      const el = document.createElement('device-check');
      el.sessionOptions = { preferences: new DevicePreferences({ storage: null }), networkTest: { samples: 5, intervalMs: 20, timeoutMs: 2000 } };
      el.setAttribute('server-url', 'https://example.invalid'); // the factory ignores it: the test server is used
      el.setAttribute('user', uniqueUser('check'));
      document.body.append(el);
      mounted.push(el);
      await el.start();
      await waitFor(() => el.session!.network.get().phase === 'measured', 'network measured', 30_000);
      expect(made).to.have.length(1);
      expect(el.session!.network.get().result?.status).to.equal('measured');
      const c = made[0]!;
      await waitFor(() => closes.get(c) === 1, 'its client closed');
      // Closed for good: the client refuses to connect again.
      const refused = await c.connect().then(
        () => null,
        (e: { code?: string }) => e,
      );
      expect(refused?.code).to.equal('invalid_state');
    } finally {
      setClientFactory(null);
    }
  });

  it('a call between two clients over the Flare connection: ring, accept, decoded video both ways, hang up', async () => {
    const alice = makeClient({ userId: uniqueUser('alice') });
    const bob = makeClient({ userId: uniqueUser('bob') });
    await Promise.all([alice.connect(), bob.connect()]);
    const a = mount('flare-call', (el) => ((el.client = alice), (el.peer = bob.userId!)));
    const b = mount('flare-call', (el) => (el.client = bob));
    await a.updateComplete;
    b.addEventListener('flare-call-incoming', () => b.accept());
    a.start();
    const call = (el: FlareCall) => el.call!;
    await waitFor(() => call(a).state.status.get() === CallStatus.InCall && call(b).state.status.get() === CallStatus.InCall, 'in call');
    for (const [el, other] of [[a, bob.userId!], [b, alice.userId!]] as const) {
      const video = await waitFor(async () => (await el.updateComplete, $<HTMLVideoElement>(el, `[data-participant="${other}"] video`)), 'remote tile');
      await waitFor(() => video.videoWidth > 0, 'remote video');
      // Frames decoded by the video element itself (bounded, unlike a requestVideoFrameCallback that may never fire).
      await waitFor(() => video.getVideoPlaybackQuality().totalVideoFrames > 0, 'decoded remote frames');
    }
    b.hangup();
    await waitFor(async () => (await a.updateComplete, $(a, '[part~="outcome"]')?.dataset.code === 'remote-hangup'), 'alice sees the hang-up');
  });
});
