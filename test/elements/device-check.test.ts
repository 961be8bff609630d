import { expect } from 'chai';
import { emulateMedia, sendKeys } from '@web/test-runner-commands';
import '../../src/elements/device-check/define.ts';
import type { DeviceCheck } from '../../src/elements/device-check/device-check.ts';
import type { DeviceHealthStatus } from '../../src/sdk/call/call-types.ts';
import { DevicePreferences } from '../../src/sdk/device/device-preferences.ts';
import { setClientFactory } from '../../src/elements/client-factory.ts';
import type { MediaDevicesLike } from '../../src/sdk/call/rtc-engine.ts';
import { LoopbackProbe } from '../sdk/device/loopback-probe.ts';
import { waitFor } from '../sdk/call/wait.ts';
import { axeViolations, unnamedControls } from './a11y.ts';

const $ = (el: DeviceCheck, selector: string) => el.shadowRoot!.querySelector(selector) as HTMLElement | null;
const $$ = (el: DeviceCheck, selector: string) => [...el.shadowRoot!.querySelectorAll(selector)] as HTMLElement[];
const text = (el: DeviceCheck) => el.shadowRoot!.textContent!.replace(/\s+/g, ' ');

function buttonByText(el: DeviceCheck, label: string): HTMLButtonElement {
  const button = $$(el, 'button').find((b) => b.textContent!.trim() === label);
  if (!button) throw new Error(`no button "${label}" in: ${$$(el, 'button').map((b) => b.textContent!.trim()).join(', ')}`);
  return button as HTMLButtonElement;
}

async function mount(setup: (el: DeviceCheck) => void = () => {}): Promise<DeviceCheck> {
  const el = document.createElement('device-check');
  el.sessionOptions = { preferences: new DevicePreferences({ storage: null }), networkTest: { samples: 6, intervalMs: 10, timeoutMs: 1000 } };
  setup(el);
  document.body.append(el);
  await el.updateComplete;
  return el;
}

describe('<device-check>', function () {
  this.timeout(90_000);
  const mounted: Element[] = [];
  afterEach(() => {
    for (const el of mounted.splice(0)) el.remove();
    setClientFactory(null);
    document.documentElement.removeAttribute('lang');
  });
  const track = <T extends Element>(el: T) => (mounted.push(el), el);

  it('starts from a labelled intro that passes the accessibility check', async () => {
    const el = track(await mount());
    expect($(el, 'h2')!.textContent).to.equal('Device check');
    expect($(el, '[part~="base"]')!.getAttribute('role')).to.equal('region');
    expect(await axeViolations(el)).to.deep.equal([]);
    expect(unnamedControls(el)).to.deep.equal([]);
  });

  it('passes with the fake devices: preview frames, live mic level, network skipped, complete event', async () => {
    const el = track(await mount());
    buttonByText(el, 'Start check').click();
    await waitFor(() => el.session?.verdict.get() === 'ready', 'verdict ready');
    await el.updateComplete;
    const video = $(el, 'video') as HTMLVideoElement;
    await waitFor(() => video.videoWidth > 0, 'preview frames');
    await new Promise<void>((r) => video.requestVideoFrameCallback(() => r()));
    const meter = $(el, '[role="meter"]')!;
    await waitFor(() => Number(meter.getAttribute('aria-valuenow')) > 0, 'meter moves with the fake microphone');
    expect($(el, '[part~="meter-fill"]')!.style.width).to.match(/^[1-9]\d*%$/);
    expect(text(el)).to.contain('Network test skipped: not connected to a server.');
    expect($(el, '[part~="verdict"]')!.textContent).to.contain('All set');
    expect(($(el, '#camera') as HTMLSelectElement).options.length).to.be.greaterThan(0);
    expect(($(el, '#microphone') as HTMLSelectElement).options.length).to.be.greaterThan(0);
    expect(await axeViolations(el)).to.deep.equal([]);
    expect(unnamedControls(el)).to.deep.equal([]);

    // The event crosses shadow boundaries: listen on the document.
    const completed = new Promise<CustomEvent<DeviceHealthStatus>>((resolve) => document.addEventListener('flare-device-check-complete', resolve, { once: true }));
    buttonByText(el, 'Continue').click();
    const event = await completed;
    expect(event.bubbles && event.composed).to.equal(true);
    expect(event.detail).to.deep.include({ audio: true, video: true, network: 'skipped', audioFailure: null, networkQuality: null });
    // Continuing releases the camera.
    expect(el.session!.phase.get()).to.equal('stopped');
  });

  it('measures the network through the client probe', async () => {
    const probe = await LoopbackProbe.open();
    const el = track(await mount((e) => (e.client = { networkProbe: () => probe })));
    await el.start();
    await waitFor(() => el.session!.network.get().phase === 'measured', 'network measured');
    await el.updateComplete;
    expect(text(el)).to.match(/Round trip \d+ ms, jitter \d+ ms, loss 0\.0%/);
    expect(text(el)).to.match(/Excellent|Good|Fair|Poor|Very poor/);
    expect(buttonByText(el, 'Test again')).to.exist;
    probe.close();
  });

  it('makes its client from server-url through the registered factory, and closes it when the test is done', async () => {
    const probe = await LoopbackProbe.open();
    const made: unknown[] = [];
    let closed = 0;
    setClientFactory((options) => (made.push(options), { networkProbe: () => probe, close: () => void closed++ }));
    const el = track(await mount((e) => {
      e.setAttribute('server-url', 'https://localhost:1');
      e.setAttribute('user', 'alice');
      e.setAttribute('token', 't');
    }));
    await el.start();
    await waitFor(() => el.session!.network.get().phase === 'measured', 'network measured');
    expect(made).to.deep.equal([{ serverUrl: 'https://localhost:1', user: 'alice', token: 't' }]);
    await waitFor(() => closed === 1, 'its client closed after the network test');
    // Test again: a new client for the new test, closed in turn.
    await el.updateComplete;
    buttonByText(el, 'Test again').click();
    await waitFor(() => made.length === 2 && closed === 2, 'the second client closed too');
    el.remove();
    expect(closed).to.equal(2);
    probe.close();
  });

  it('closes its own client when removed during the network test; never closes a client it was given', async () => {
    const probe = await LoopbackProbe.open();
    let ownClosed = 0;
    setClientFactory(() => ({ networkProbe: () => probe, close: () => void ownClosed++ }));
    const slow = { preferences: new DevicePreferences({ storage: null }), networkTest: { samples: 50, intervalMs: 200, timeoutMs: 1000 } };
    const own = track(await mount((e) => (e.setAttribute('server-url', 'https://localhost:1'), (e.sessionOptions = slow))));
    void own.start();
    await waitFor(() => (own.session?.network.get().done ?? 0) > 0, 'network test running');
    expect(ownClosed).to.equal(0);
    own.remove();
    expect(ownClosed).to.equal(1);

    let givenClosed = 0;
    const given = { networkProbe: () => probe, close: () => void givenClosed++ };
    const el = track(await mount((e) => (e.client = given)));
    await el.start();
    await waitFor(() => el.session!.network.get().phase === 'measured', 'network measured');
    await el.updateComplete;
    el.remove();
    await Promise.resolve();
    expect(givenClosed).to.equal(0);
    probe.close();
  });

  it('works from markup alone: auto-start and lang attributes', async () => {
    const host = track(document.createElement('div'));
    host.innerHTML = '<device-check auto-start lang="zh-CN" theme="dark"></device-check>';
    document.body.append(host);
    const el = host.querySelector('device-check')!;
    expect(el.autoStart).to.equal(true);
    await waitFor(() => el.session?.verdict.get() === 'ready', 'started by itself');
    await el.updateComplete;
    expect($(el, '[part~="verdict"]')!.textContent).to.equal('一切就绪，可以开始通话。');
    expect(text(el)).to.contain('已跳过网络检测');
    expect(await axeViolations(el)).to.deep.equal([]);
  });

  it('shows guidance when permission is denied, with a working Try again', async () => {
    const real = navigator.mediaDevices;
    let deny = true;
    const media: MediaDevicesLike = {
      getUserMedia: (c) => (deny ? Promise.reject(new DOMException('Permission denied', 'NotAllowedError')) : real.getUserMedia(c)),
      enumerateDevices: () => real.enumerateDevices(),
      addEventListener: real.addEventListener.bind(real),
      removeEventListener: real.removeEventListener.bind(real),
    };
    const el = track(await mount((e) => (e.mediaDevices = media)));
    await el.start();
    await waitFor(() => el.session!.verdict.get() === 'blocked', 'blocked');
    await el.updateComplete;
    const alerts = $$(el, '[role="alert"]');
    expect(alerts).to.have.length(2);
    expect(alerts[0]!.textContent).to.contain('Access to the camera was refused');
    expect(alerts[1]!.textContent).to.contain('Access to the microphone was refused');
    expect($(el, '[part~="verdict"]')!.dataset.verdict).to.equal('blocked');
    expect(await axeViolations(el)).to.deep.equal([]);
    deny = false;
    buttonByText(el, 'Try again').click();
    await waitFor(() => el.session!.verdict.get() === 'ready', 'ready after the user allowed access');
    await el.updateComplete;
    expect($$(el, '[role="alert"]')).to.have.length(0);
  });

  it('speaks Simplified Chinese from lang, and takes string overrides', async () => {
    document.documentElement.lang = 'zh-CN';
    const el = track(await mount());
    expect($(el, 'h2')!.textContent).to.equal('设备检测');
    expect(buttonByText(el, '开始检测')).to.exist;
    document.documentElement.lang = 'en';
    await waitFor(() => $(el, 'h2')!.textContent === 'Device check', 'follows <html lang>');
    el.strings = { 'deviceCheck.title': 'Before your call' };
    await el.updateComplete;
    expect($(el, 'h2')!.textContent).to.equal('Before your call');
  });

  it('themes light and dark through the theme attribute and prefers-color-scheme', async () => {
    const el = track(await mount());
    const bg = () => getComputedStyle($(el, '[part~="base"]')!).backgroundColor;
    await emulateMedia({ colorScheme: 'light' });
    const light = bg();
    el.theme = 'dark';
    await el.updateComplete;
    const dark = bg();
    expect(dark).to.not.equal(light);
    el.theme = undefined;
    await el.updateComplete;
    expect(bg()).to.equal(light);
    await emulateMedia({ colorScheme: 'dark' });
    expect(bg()).to.equal(dark);
    el.theme = 'light';
    await el.updateComplete;
    expect(bg()).to.equal(light);
    await emulateMedia({ colorScheme: 'light' });
  });

  it('passes the accessibility check (contrast included) with the checks shown, light and dark', async () => {
    const el = track(await mount());
    await el.start();
    await waitFor(() => el.session!.verdict.get() === 'ready', 'verdict ready');
    for (const theme of ['light', 'dark'] as const) {
      el.theme = theme;
      await el.updateComplete;
      expect(await axeViolations(el), theme).to.deep.equal([]);
    }
    // The system preference path too (no theme attribute).
    el.theme = undefined;
    await emulateMedia({ colorScheme: 'dark' });
    try {
      await el.updateComplete;
      expect(getComputedStyle(el).getPropertyValue('--flare-bg').trim()).to.equal('#15181c');
      expect(await axeViolations(el)).to.deep.equal([]);
    } finally {
      await emulateMedia({ colorScheme: 'light' });
    }
  });

  it('is usable from the keyboard', async () => {
    const el = track(await mount());
    const start = buttonByText(el, 'Start check');
    start.focus();
    expect(el.shadowRoot!.activeElement).to.equal(start);
    await sendKeys({ press: 'Enter' });
    await waitFor(() => el.session?.verdict.get() === 'ready', 'started with Enter');
    await el.updateComplete;
    const completed = new Promise((resolve) => el.addEventListener('flare-device-check-complete', resolve, { once: true }));
    buttonByText(el, 'Continue').focus();
    await sendKeys({ press: 'Space' });
    await completed;
  });
});
