import { expect } from 'chai';
import { DeviceHealth } from '../../../src/sdk/device/device-health.ts';
import { MicLevelMeter, displayLevel } from '../../../src/sdk/device/mic-level-meter.ts';
import { playTestTone } from '../../../src/sdk/device/speaker-test.ts';
import { DevicePreferences } from '../../../src/sdk/device/device-preferences.ts';
import type { MediaDevicesLike } from '../../../src/sdk/call/rtc-engine.ts';
import { firstFrame, waitFor } from '../call/wait.ts';

/** The real mediaDevices with getUserMedia overridden per kind: the page-level seam for failures. */
function overriding(fail: { audio?: DOMException; video?: DOMException }): MediaDevicesLike {
  const real = navigator.mediaDevices;
  return {
    getUserMedia: (constraints?: MediaStreamConstraints) => {
      if (constraints?.audio && fail.audio) return Promise.reject(fail.audio);
      if (constraints?.video && fail.video) return Promise.reject(fail.video);
      return real.getUserMedia(constraints);
    },
    enumerateDevices: () => real.enumerateDevices(),
    addEventListener: real.addEventListener.bind(real),
    removeEventListener: real.removeEventListener.bind(real),
  };
}

const stopAll = (stream: MediaStream | null) => stream?.getTracks().forEach((t) => t.stop());

describe('DeviceHealth (real getUserMedia with Chromium fake devices)', function () {
  this.timeout(60_000);

  it('gets camera and microphone, and the preview decodes frames', async () => {
    const health = new DeviceHealth();
    const result = await health.acquire({ audio: true, video: true });
    try {
      expect(result.audio).to.include({ ok: true });
      expect(result.video).to.include({ ok: true });
      expect(result.audio!.ok && result.audio!.label).to.match(/Fake/);
      expect(result.stream!.getAudioTracks()).to.have.length(1);
      const video = await firstFrame(result.stream!);
      expect(video.videoWidth).to.be.greaterThan(0);
      video.remove();
    } finally {
      stopAll(result.stream);
    }
  });

  it('lists devices with labels after the grant, including outputs', async () => {
    const health = new DeviceHealth();
    const result = await health.acquire({ audio: true });
    stopAll(result.stream);
    const lists = await health.listDevices();
    expect(lists.audioInput.length).to.be.greaterThan(0);
    expect(lists.videoInput.length).to.be.greaterThan(0);
    expect(lists.audioOutput.length).to.be.greaterThan(0);
    expect(lists.videoInput.every((d) => d.label !== '')).to.equal(true);
    expect(DeviceHealth.supportsOutputSelection).to.equal(true);
    expect(await health.permissionState('video')).to.equal('granted');
  });

  it('classifies a denial, and the guidance key follows', async () => {
    const denied = new DOMException('Permission denied', 'NotAllowedError');
    const health = new DeviceHealth({ mediaDevices: overriding({ audio: denied, video: denied }), policy: null });
    const result = await health.acquire({ audio: true, video: true });
    expect(result.stream).to.equal(null);
    expect(result.audio).to.deep.equal({ ok: false, failure: 'denied', errorName: 'NotAllowedError', message: 'Permission denied', guidanceKey: 'guidance.denied' });
    expect(result.video).to.include({ ok: false, failure: 'denied' });
  });

  it('keeps the microphone when only the camera is in use', async () => {
    const health = new DeviceHealth({ mediaDevices: overriding({ video: new DOMException('Could not start video source', 'NotReadableError') }) });
    const result = await health.acquire({ audio: true, video: true });
    try {
      expect(result.audio).to.include({ ok: true });
      expect(result.video).to.include({ ok: false, failure: 'in-use', guidanceKey: 'guidance.in-use' });
      expect(result.stream!.getTracks().map((t) => t.kind)).to.deep.equal(['audio']);
    } finally {
      stopAll(result.stream);
    }
  });

  it('tells policy, system, missing and insecure context apart', async () => {
    const notAllowed = new DOMException('Permission denied', 'NotAllowedError');
    const byPolicy = new DeviceHealth({ mediaDevices: overriding({}), policy: { allowsFeature: (f) => f !== 'camera' } });
    expect(await byPolicy.classify(notAllowed, 'video')).to.equal('blocked-by-policy');
    expect(await byPolicy.classify(notAllowed, 'audio')).to.equal('denied');
    const health = new DeviceHealth({ mediaDevices: overriding({}), policy: null });
    expect(await health.classify(new DOMException('Permission denied by system', 'NotAllowedError'), 'audio')).to.equal('blocked-by-system');
    expect(await health.classify(new DOMException('Requested device not found', 'NotFoundError'), 'video')).to.equal('missing');
    expect(await health.classify(new DOMException('', 'OverconstrainedError'), 'video')).to.equal('missing');
    expect(await health.classify(new DOMException('', 'SecurityError'), 'video')).to.equal('blocked-by-policy');
    expect(await health.classify(new Error('weird'), 'video')).to.equal('unknown');
    const insecure = new DeviceHealth({ mediaDevices: null, secureContext: false });
    const result = await insecure.acquire({ audio: true, video: true });
    expect(result.audio).to.include({ ok: false, failure: 'insecure-context' });
    expect(result.video).to.include({ ok: false, failure: 'insecure-context' });
  });

  it('classifies a real Permissions-Policy block (iframe with allow="camera \'none\'")', async () => {
    const frame = document.createElement('iframe');
    frame.setAttribute('allow', "camera 'none'; microphone 'none'");
    frame.src = '/';
    const loaded = new Promise((r) => (frame.onload = r));
    document.body.append(frame);
    await loaded;
    try {
      const win = frame.contentWindow as Window & typeof globalThis;
      const doc = win.document as Document & { featurePolicy?: { allowsFeature(f: string): boolean } };
      const health = new DeviceHealth({ mediaDevices: win.navigator.mediaDevices, permissions: win.navigator.permissions, policy: doc.featurePolicy ?? null });
      const result = await health.acquire({ audio: true, video: true });
      expect(result.stream).to.equal(null);
      expect(result.video).to.include({ ok: false, failure: 'blocked-by-policy', errorName: 'NotAllowedError' });
      expect(result.audio).to.include({ ok: false, failure: 'blocked-by-policy' });
    } finally {
      frame.remove();
    }
  });

  it('reports hot-plugged devices through devicechange', async () => {
    const target = new EventTarget();
    const media = { ...overriding({}), addEventListener: target.addEventListener.bind(target), removeEventListener: target.removeEventListener.bind(target) };
    const health = new DeviceHealth({ mediaDevices: media as MediaDevicesLike });
    const seen: number[] = [];
    const unwatch = health.watchDevices((lists) => seen.push(lists.audioInput.length));
    target.dispatchEvent(new Event('devicechange'));
    await waitFor(() => seen.length === 1, 'device lists after devicechange');
    expect(seen[0]).to.be.greaterThan(0);
    unwatch();
    target.dispatchEvent(new Event('devicechange'));
    await new Promise((r) => setTimeout(r, 50));
    expect(seen).to.have.length(1);
  });
});

describe('MicLevelMeter (AnalyserNode)', function () {
  this.timeout(60_000);

  it('measures a known tone at its RMS level', async () => {
    const context = new AudioContext();
    const oscillator = context.createOscillator();
    const gain = context.createGain();
    gain.gain.value = 0.5;
    const destination = context.createMediaStreamDestination();
    oscillator.connect(gain).connect(destination);
    oscillator.start();
    const meter = new MicLevelMeter(destination.stream.getAudioTracks()[0]!, { context });
    try {
      const reading = await waitFor(() => {
        const r = meter.read();
        return r.rms > 0.3 ? r : null;
      }, 'tone level');
      // A sine of amplitude 0.5 has an RMS of 0.5 / sqrt(2).
      expect(reading.rms).to.be.closeTo(0.5 / Math.SQRT2, 0.02);
      expect(reading.peak).to.be.closeTo(0.5, 0.02);
      expect(reading.level).to.be.closeTo(displayLevel(0.5 / Math.SQRT2), 0.01);
    } finally {
      meter.stop();
      oscillator.stop();
      await context.close();
    }
  });

  it('moves with the fake microphone and maps 60 dB onto 0..1', async () => {
    expect(displayLevel(0)).to.equal(0);
    expect(displayLevel(1)).to.equal(1);
    expect(displayLevel(0.001)).to.be.closeTo(0, 1e-9);
    expect(displayLevel(0.1)).to.be.closeTo(2 / 3, 1e-9);
    const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    const meter = new MicLevelMeter(stream.getAudioTracks()[0]!);
    try {
      await waitFor(() => meter.read().level > 0.2, 'the fake microphone beep');
    } finally {
      meter.stop();
      stopAll(stream);
    }
  });
});

describe('speaker test and remembered devices', () => {
  it('plays the test tone on the chosen output device', async () => {
    const outputs = (await navigator.mediaDevices.enumerateDevices()).filter((d) => d.kind === 'audiooutput' && d.deviceId !== 'default');
    const sinkId = outputs[0]!.deviceId;
    const result = await playTestTone({ sinkId, durationMs: 200 });
    expect(result).to.deep.equal({ sinkId, routed: true, durationMs: 200 });
    const fallback = await playTestTone({ durationMs: 100 });
    expect(fallback.routed).to.equal(false);
  });

  it('remembers chosen devices and forgets the ones that are gone', () => {
    const store = new Map<string, string>();
    const storage = { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => void store.set(k, v) };
    const prefs = new DevicePreferences({ storage });
    expect(prefs.load()).to.deep.equal({ audioInput: '', videoInput: '', audioOutput: '' });
    prefs.save({ audioInput: 'mic-2', videoInput: 'cam-1', audioOutput: 'spk-9' });
    expect(new DevicePreferences({ storage }).load()).to.deep.equal({ audioInput: 'mic-2', videoInput: 'cam-1', audioOutput: 'spk-9' });
    const device = (deviceId: string) => ({ deviceId }) as MediaDeviceInfo;
    const lists = { audioInput: [device('mic-1'), device('mic-2')], videoInput: [device('cam-2')], audioOutput: [] };
    expect(DevicePreferences.reconcile(prefs.load(), lists)).to.deep.equal({ audioInput: 'mic-2', videoInput: '', audioOutput: '' });
    store.set('flare.devices', '{not json');
    expect(prefs.load()).to.deep.equal({ audioInput: '', videoInput: '', audioOutput: '' });
  });
});
