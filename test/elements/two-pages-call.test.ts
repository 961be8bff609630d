/**
 * <flare-call> between two real pages: this test page (npm style, a FlareClient given as a property)
 * and a peer page in its own tab (script-tag style, `server-url` and `user` attributes), each with
 * its own FlareClient and connection worker, signalling through the reference server and media
 * through the built-in WebRTC engine. Checks decoded frames at both ends, hang-up from either side,
 * decline, busy and the no-answer timeout. The peer page is driven through test/pages/pages.ts.
 */
import { expect } from 'chai';
import '../../src/elements/flare-call/define.ts';
import type { FlareCall } from '../../src/elements/flare-call/flare-call.ts';
import { callControllerFromClient } from '../../src/elements/flare-call/client-call-controller.ts';
import type { FlareClient } from '../../src/sdk/client.ts';
import { closeClients, makeClient, needServer, uniqueUser } from '../sdk/client/helpers.ts';
import { closePages, openPeerPage, type PeerPage } from '../pages/pages.ts';
import { callOutcome, callStatus, clickCallButton, hasVideo, remoteFrames, waitCallStatus, type FrameReport } from '../pages/probes.ts';

describe('<flare-call> between two pages', function () {
  this.timeout(60_000);
  const mounted: Element[] = [];
  /** Bob's page, kept for the whole suite (a new user each test). */
  let bobsPage: PeerPage;
  before(async function () {
    needServer.call(this);
    bobsPage = await openPeerPage();
  });
  afterEach(async () => {
    for (const el of mounted.splice(0)) el.remove();
    for (const p of extraPages.splice(0)) await p.close();
    await bobsPage?.reset();
    await closeClients();
  });
  after(closePages);
  const extraPages: PeerPage[] = [];

  /** Alice on this page: a connected client given to the element (or a controller over it). */
  async function alice(peer: string, options: { noAnswerMs?: number } = {}): Promise<{ el: FlareCall; client: FlareClient }> {
    const client = makeClient({ userId: uniqueUser('alice') });
    await client.connect();
    const el = document.createElement('flare-call');
    if (options.noAnswerMs) el.controller = callControllerFromClient(client, { timeouts: { 'no-answer': options.noAnswerMs } });
    else el.client = client;
    el.peer = peer;
    el.style.width = '560px';
    document.body.append(el);
    mounted.push(el);
    await waitCallStatus(el, 'idle');
    return { el, client };
  }

  /** Bob on a page of his own, his <flare-call> made from attributes. */
  async function bobPage(): Promise<{ page: PeerPage; user: string }> {
    const user = uniqueUser('bob');
    await bobsPage.call('mountCallTag', user);
    return { page: bobsPage, user };
  }

  function expectFlowing(r: FrameReport, who: string): void {
    expect(r.width, `${who}: remote video width`).to.be.greaterThan(2);
    expect(r.height, `${who}: remote video height`).to.be.greaterThan(0);
    expect(r.elementFrames, `${who}: frames decoded by the <video>`).to.be.greaterThan(0);
    expect(r.decodedFirst, `${who}: framesDecoded`).to.be.greaterThan(0);
    expect(r.decodedLater, `${who}: framesDecoded keeps growing`).to.be.greaterThan(r.decodedFirst);
  }

  it('rings the other page, is accepted, decodes video at both ends, and hangs up from either side', async () => {
    const bob = await bobPage();
    const a = await alice(bob.user);
    const aliceId = a.client.userId!;

    await clickCallButton(a.el, 'call');
    expect(await bob.page.call('waitCallStatus', 'ringing')).to.equal('ringing');
    expect(callStatus(a.el)).to.equal('calling');
    expect(await bob.page.call('incomingText')).to.contain(`${aliceId} is calling you`);
    expect((await bob.page.call('incomingEvents')).map((e) => e.peer)).to.deep.equal([aliceId]);

    await bob.page.call('click', 'accept');
    await waitCallStatus(a.el, 'in-call');
    await bob.page.call('waitCallStatus', 'in-call');
    // Frames from the other page's fake camera, decoded on each side.
    expectFlowing(await remoteFrames(a.el, bob.user), 'alice');
    expectFlowing(await bob.page.call('remoteFrames', aliceId), 'bob');

    // Alice hangs up: both sides end, with the right words, and the videos go.
    await clickCallButton(a.el, 'hangup');
    expect(await callOutcome(a.el)).to.deep.equal({ code: 'local-hangup', status: 'ended', text: 'Call ended.' });
    expect(await bob.page.call('callOutcome')).to.deep.equal({ code: 'remote-hangup', status: 'ended', text: `${aliceId} hung up.` });
    expect(hasVideo(a.el)).to.equal(false);
    expect(await bob.page.call('hasVideo')).to.equal(false);

    // Call again; this time Bob hangs up.
    await clickCallButton(a.el, 'call');
    await bob.page.call('waitCallStatus', 'ringing');
    await bob.page.call('click', 'accept');
    await waitCallStatus(a.el, 'in-call');
    await bob.page.call('waitCallStatus', 'in-call');
    await bob.page.call('click', 'hangup');
    await waitCallStatus(a.el, 'ended');
    expect(await callOutcome(a.el)).to.deep.equal({ code: 'remote-hangup', status: 'ended', text: `${bob.user} hung up.` });
    expect(await bob.page.call('callOutcome')).to.deep.equal({ code: 'local-hangup', status: 'ended', text: 'Call ended.' });
    expect(hasVideo(a.el)).to.equal(false);
  });

  it('is declined by the other page', async () => {
    const bob = await bobPage();
    const a = await alice(bob.user);
    await clickCallButton(a.el, 'call');
    await bob.page.call('waitCallStatus', 'ringing');
    await bob.page.call('click', 'decline');
    await waitCallStatus(a.el, 'ended');
    expect(await callOutcome(a.el)).to.deep.equal({ code: 'remote-declined', status: 'ended', text: `${bob.user} declined the call.` });
    expect(await bob.page.call('callOutcome')).to.deep.equal({ code: 'declined', status: 'ended', text: 'You declined the call.' });
  });

  it('hears busy when the other page is in a call with a third page', async () => {
    const bob = await bobPage();
    // Carol, npm style on a third page, calls Bob first and he accepts.
    const carol = await openPeerPage();
    extraPages.push(carol);
    const carolId = uniqueUser('carol');
    await carol.call('mountCallClient', carolId);
    await carol.call('dial', bob.user);
    await bob.page.call('waitCallStatus', 'ringing');
    await bob.page.call('click', 'accept');
    await bob.page.call('waitCallStatus', 'in-call');
    await carol.call('waitCallStatus', 'in-call');

    const a = await alice(bob.user);
    await clickCallButton(a.el, 'call');
    await waitCallStatus(a.el, 'ended');
    expect(await callOutcome(a.el)).to.deep.equal({ code: 'busy', status: 'ended', text: `${bob.user} is busy in another call.` });
    // Bob's call with Carol goes on, and Alice's call never rang at Bob's.
    expect(await bob.page.call('callStatus')).to.equal('in-call');
    expect(await carol.call('callStatus')).to.equal('in-call');
    expect((await bob.page.call('incomingEvents')).map((e) => e.peer)).to.deep.equal([carolId]);
  });

  it('gives up when the other page does not answer (short no-answer timeout)', async () => {
    const bob = await bobPage();
    const a = await alice(bob.user, { noAnswerMs: 1500 });
    await clickCallButton(a.el, 'call');
    await bob.page.call('waitCallStatus', 'ringing');
    await waitCallStatus(a.el, 'failed');
    expect(await callOutcome(a.el)).to.deep.equal({ code: 'no-answer', status: 'failed', text: `${bob.user} did not answer.` });
    // The caller's give-up reaches the ringing page.
    expect(await bob.page.call('callOutcome')).to.deep.equal({ code: 'remote-cancelled', status: 'ended', text: `${a.client.userId} cancelled the call.` });
  });
});
