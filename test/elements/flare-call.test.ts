import { expect } from 'chai';
import { sendMouse } from '@web/test-runner-commands';
import '../../src/elements/flare-call/define.ts';
import type { FlareCall } from '../../src/elements/flare-call/flare-call.ts';
import { CallController, type CallControllerOptions } from '../../src/sdk/call/call-controller.ts';
import { CallStatus } from '../../src/sdk/call/call-types.ts';
import { WebRtcEngine } from '../../src/sdk/call/webrtc-engine.ts';
import { SignalBus } from '../sdk/call/signal-bus.ts';
import { FakeTimers } from '../sdk/call/fake-timers.ts';
import { waitFor } from '../sdk/call/wait.ts';
import { axeViolations, unnamedControls } from './a11y.ts';

const $ = <E extends Element = HTMLElement>(el: FlareCall, selector: string) => el.shadowRoot!.querySelector<E>(selector);
const text = (el: FlareCall) => el.shadowRoot!.textContent!.replace(/\s+/g, ' ');

function button(el: FlareCall, part: string): HTMLButtonElement {
  const b = $<HTMLButtonElement>(el, `button[part~="${part}"]`);
  if (!b) throw new Error(`no button part=${part} in ${el.user}'s <flare-call>: ${text(el)}`);
  return b;
}

/** Clicks `target` with a real mouse (a user gesture, as fullscreen and picture in picture need). */
async function realClick(target: HTMLElement): Promise<void> {
  target.scrollIntoView({ block: 'center' });
  const r = target.getBoundingClientRect();
  await sendMouse({ type: 'click', position: [Math.round(r.left + r.width / 2), Math.round(r.top + r.height / 2)] });
}

/** Resolves once `video` (in a shadow root) has decoded and presented a frame. */
async function decodedFrame(video: HTMLVideoElement): Promise<void> {
  await waitFor(() => video.videoWidth > 0, 'video dimensions');
  await new Promise<void>((resolve) => video.requestVideoFrameCallback(() => resolve()));
}

describe('<flare-call>', function () {
  this.timeout(120_000);
  let bus: SignalBus;
  const controllers: CallController[] = [];
  const mounted: Element[] = [];

  beforeEach(() => {
    bus = new SignalBus();
  });
  afterEach(async () => {
    for (const el of mounted.splice(0)) el.remove();
    for (const c of controllers.splice(0)) await c.dispose();
    if (document.fullscreenElement) await document.exitFullscreen();
  });

  async function mount(user: string, options: Partial<CallControllerOptions> = {}, setup: (el: FlareCall) => void = () => {}): Promise<FlareCall> {
    const controller = new CallController({ selfId: user, signaller: bus.signaller(user), statsIntervalMs: 200, ...options });
    controllers.push(controller);
    const el = document.createElement('flare-call');
    el.user = user;
    el.controller = controller;
    el.style.width = '480px';
    el.style.setProperty('--flare-call-height', '240px');
    setup(el);
    document.body.append(el);
    mounted.push(el);
    await el.updateComplete;
    return el;
  }

  const status = (el: FlareCall) => el.call!.state.status.get();

  it('calls, rings, accepts, shows decoded video both ways, mutes, switches devices, and hangs up on both sides', async () => {
    const alice = await mount('alice', {}, (el) => (el.peer = 'bob'));
    const bob = await mount('bob');
    expect(await axeViolations(alice)).to.deep.equal([]);
    expect(unnamedControls(alice)).to.deep.equal([]);
    const incoming = new Promise<CustomEvent>((r) => bob.addEventListener('flare-call-incoming', r as EventListener, { once: true }));

    button(alice, 'call').click();
    await alice.updateComplete;
    expect(text(alice)).to.contain('Calling bob…');
    expect((await incoming).detail.peer).to.equal('alice');
    await bob.updateComplete;
    expect($(bob, '[part~="incoming"]')!.textContent).to.contain('alice is calling you');
    expect(await axeViolations(bob)).to.deep.equal([]);
    expect(unnamedControls(bob)).to.deep.equal([]);

    button(bob, 'accept').click();
    await waitFor(() => status(alice) === CallStatus.InCall && status(bob) === CallStatus.InCall, 'in call');
    // Each side's remote tile decodes the other's camera (frames, not just elements).
    for (const [el, other] of [[alice, 'bob'], [bob, 'alice']] as const) {
      const video = await waitFor(async () => (await el.updateComplete, $<HTMLVideoElement>(el, `[data-participant="${other}"] video`)), `${other}'s tile at ${el.user}`);
      await decodedFrame(video);
      expect(video.srcObject).to.be.instanceOf(MediaStream);
      const local = $<HTMLVideoElement>(el, '[data-participant="self"] video')!;
      await decodedFrame(local);
      expect(local.muted).to.equal(true);
    }
    // Network quality from real statistics, per participant.
    const quality = await waitFor(async () => (await alice.updateComplete, $(alice, '[data-participant="bob"] [part~="quality"]:not([data-level="0"])')), 'quality of bob');
    expect(Number(quality.dataset.level)).to.be.within(1, 6);
    expect(quality.getAttribute('aria-label')).to.match(/round trip \d+ ms/);
    expect(text(alice)).to.match(/In call with bob · \d\d:\d\d/);
    expect(await axeViolations(alice)).to.deep.equal([]);
    expect(unnamedControls(alice)).to.deep.equal([]);

    // Mute and camera off show at the other side.
    button(alice, 'mic').click();
    button(alice, 'camera').click();
    await waitFor(async () => (await alice.updateComplete, button(alice, 'mic').getAttribute('aria-pressed') === 'true'), 'mic pressed');
    await waitFor(async () => {
      await bob.updateComplete;
      const tile = $(bob, '[data-participant="alice"]');
      return tile?.textContent?.includes('Microphone off') && tile.textContent.includes('Camera off') && tile.querySelector('.avatar');
    }, 'bob sees alice muted, camera off');
    button(alice, 'camera').click();
    await waitFor(async () => (await bob.updateComplete, !$(bob, '[data-participant="alice"] .avatar')), 'camera back on');

    // Switch the microphone mid-call from the device panel.
    button(alice, 'devices').click();
    const select = await waitFor(async () => (await alice.updateComplete, $<HTMLSelectElement>(alice, '#mic-select')), 'device panel');
    await waitFor(async () => (await alice.updateComplete, select.options.length > 1), 'microphones listed');
    expect(await axeViolations(alice)).to.deep.equal([]);
    const target = [...select.options].map((o) => o.value).find((v) => v !== select.value)!;
    select.value = target;
    select.dispatchEvent(new Event('change'));
    await waitFor(() => alice.call!.localStream.get()?.getAudioTracks()[0]?.getSettings().deviceId === target, 'microphone switched');

    const statusEvents: string[] = [];
    alice.addEventListener('flare-call-status', (e) => statusEvents.push(e.detail.to));
    button(bob, 'hangup').click();
    await waitFor(async () => (await alice.updateComplete, $(alice, '[part~="outcome"]')), 'alice sees the end');
    expect($(alice, '[part~="outcome"]')!.textContent).to.equal('bob hung up.');
    await bob.updateComplete;
    expect($(bob, '[part~="outcome"]')!.textContent).to.equal('Call ended.');
    expect(statusEvents).to.deep.equal(['ended']);
    expect($(alice, 'video')).to.equal(null);
    expect(button(alice, 'call').textContent).to.contain('Call again');
  });

  it('declines; a cancelled accept event keeps the call ringing', async () => {
    const alice = await mount('alice', {}, (el) => (el.peer = 'bob'));
    const bob = await mount('bob');
    bob.addEventListener('flare-call-accept', (e) => e.preventDefault(), { once: true });
    button(alice, 'call').click();
    await waitFor(async () => (await bob.updateComplete, $(bob, '[part~="incoming"]')), 'ringing');
    button(bob, 'accept').click();
    await bus.flushed();
    expect(status(bob)).to.equal(CallStatus.Ringing);
    button(bob, 'decline').click();
    await waitFor(async () => (await alice.updateComplete, $(alice, '[part~="outcome"]')), 'outcome at alice');
    expect($(alice, '[part~="outcome"]')!.dataset.code).to.equal('remote-declined');
    expect($(alice, '[part~="outcome"]')!.textContent).to.equal('bob declined the call.');
    await bob.updateComplete;
    expect($(bob, '[part~="outcome"]')!.textContent).to.equal('You declined the call.');
  });

  it('tells the caller the callee is busy', async () => {
    const alice = await mount('alice', {}, (el) => (el.peer = 'bob'));
    const bob = await mount('bob');
    const carol = await mount('carol', {}, (el) => (el.peer = 'bob'));
    button(alice, 'call').click();
    await waitFor(() => status(bob) === CallStatus.Ringing, 'bob ringing');
    button(carol, 'call').click();
    await waitFor(async () => (await carol.updateComplete, $(carol, '[part~="outcome"]')), 'carol outcome');
    expect($(carol, '[part~="outcome"]')!.textContent).to.equal('bob is busy in another call.');
    expect(status(bob)).to.equal(CallStatus.Ringing); // alice's call is untouched
  });

  it('gives up after the no-answer timeout (injected clock)', async () => {
    const timers = new FakeTimers();
    const alice = await mount('alice', { timers }, (el) => (el.peer = 'bob'));
    const bob = await mount('bob');
    button(alice, 'call').click();
    await waitFor(() => status(bob) === CallStatus.Ringing, 'bob ringing');
    await timers.advance(29_000);
    expect(status(alice)).to.equal(CallStatus.Calling);
    await timers.advance(1_000);
    await alice.updateComplete;
    expect($(alice, '[part~="outcome"]')!.textContent).to.equal('bob did not answer.');
    expect($(alice, '[part~="outcome"]')!.dataset.status).to.equal('failed');
    await waitFor(async () => (await bob.updateComplete, $(bob, '[part~="outcome"]')), 'bob stops ringing');
    expect($(bob, '[part~="outcome"]')!.textContent).to.equal('alice cancelled the call.');
  });

  it('shows the remote side as reconnecting when its connection drops', async () => {
    const engine = (id: string) => () => new WebRtcEngine({ signaller: bus.signaller(id), restartTimeoutMs: 60_000 });
    const alice = await mount('alice', { createEngine: engine('alice') }, (el) => (el.peer = 'bob'));
    const bob = await mount('bob', { createEngine: engine('bob') });
    bob.addEventListener('flare-call-incoming', () => bob.accept());
    alice.start();
    await waitFor(() => alice.call!.state.participants.get().get('bob')?.connection === 'connected', 'connected');
    (bob.call!.engine as WebRtcEngine).peerConnection('alice')!.close();
    const overlay = await waitFor(async () => (await alice.updateComplete, $(alice, '[data-participant="bob"] [part~="reconnecting"]')), 'reconnecting overlay', 60_000);
    expect(overlay.textContent).to.contain('bob is reconnecting…');
    expect(overlay.getAttribute('role')).to.equal('status');
    await waitFor(async () => (await alice.updateComplete, text(alice).includes('Reconnecting')), 'call reconnecting');
    alice.hangup();
    await alice.updateComplete;
    expect($(alice, '[part~="outcome"]')!.textContent).to.equal('Call ended.');
  });

  it('minimizes, goes full screen and into picture in picture and back (real gestures), and speaks Chinese', async () => {
    const alice = await mount('alice', {}, (el) => (el.peer = 'bob'));
    const bob = await mount('bob');
    bob.addEventListener('flare-call-incoming', () => bob.accept());
    alice.start();
    await waitFor(async () => (await alice.updateComplete, $(alice, '[part~="controls"]')), 'controls');
    button(alice, 'minimize').click();
    await alice.updateComplete;
    expect(alice.hasAttribute('minimized')).to.equal(true);
    expect(alice.getAttribute('page-status')).to.equal('minimized');
    expect(button(alice, 'minimize').getAttribute('aria-label')).to.equal('Restore');
    button(alice, 'minimize').click();
    await alice.updateComplete;
    expect(alice.getAttribute('page-status')).to.equal('normal');

    await realClick(button(alice, 'fullscreen'));
    await waitFor(async () => (await alice.updateComplete, alice.getAttribute('page-status') === 'fullscreen'), 'fullscreen');
    expect(document.fullscreenElement).to.equal(alice);
    expect(button(alice, 'fullscreen').getAttribute('aria-label')).to.equal('Exit full screen');
    await realClick(button(alice, 'fullscreen'));
    await waitFor(async () => (await alice.updateComplete, alice.getAttribute('page-status') === 'normal'), 'normal again');

    // Picture in picture shows the remote video.
    const remote = await waitFor(async () => (await alice.updateComplete, $<HTMLVideoElement>(alice, '[data-participant="bob"] video')), 'remote video');
    await decodedFrame(remote);
    // Re-renders (statistics every 200 ms) must not reload the video: no 'emptied' while it plays.
    let reloads = 0;
    remote.addEventListener('emptied', () => reloads++);
    await waitFor(async () => (await alice.updateComplete, $(alice, '[data-participant="bob"] [part~="quality"]:not([data-level="0"])')), 'a statistics re-render');
    await new Promise((r) => setTimeout(r, 600));
    expect(reloads).to.equal(0);
    expect(remote.readyState).to.be.greaterThan(0);
    await realClick(button(alice, 'pip'));
    await waitFor(async () => (await alice.updateComplete, alice.getAttribute('page-status') === 'picture-in-picture'), 'picture in picture');
    expect(alice.shadowRoot!.pictureInPictureElement).to.equal(remote);
    expect(button(alice, 'pip').getAttribute('aria-pressed')).to.equal('true');
    await realClick(button(alice, 'pip'));
    await waitFor(async () => (await alice.updateComplete, alice.getAttribute('page-status') === 'normal'), 'back from picture in picture');

    alice.setAttribute('lang', 'zh-CN');
    await new Promise((r) => setTimeout(r, 0)); // the language observer reacts in a microtask
    await alice.updateComplete;
    expect(button(alice, 'hangup').getAttribute('aria-label')).to.equal('挂断');
    expect(text(alice)).to.contain('正在与 bob 通话');
    alice.theme = 'dark';
    await alice.updateComplete;
    expect(await axeViolations(alice)).to.deep.equal([]);
  });
});
