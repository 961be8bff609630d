import { expect } from 'chai';
import { DeviceCheckSession } from '../../../src/sdk/device/device-check-session.ts';
import { DeviceHealth } from '../../../src/sdk/device/device-health.ts';
import { DevicePreferences } from '../../../src/sdk/device/device-preferences.ts';
import { playTestTone } from '../../../src/sdk/device/speaker-test.ts';
import type { MediaDevicesLike } from '../../../src/sdk/call/rtc-engine.ts';
import { waitFor } from '../call/wait.ts';
import { scoreOfLevel } from '../../../src/sdk/call/network-quality.ts';
import { LoopbackProbe } from './loopback-probe.ts';

function memoryStorage() {
  const store = new Map<string, string>();
  return { store, storage: { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => void store.set(k, v) } };
}

/** Real mediaDevices behind a filter (to unplug devices) and a controllable devicechange. */
function pluggable() {
  const real = navigator.mediaDevices;
  const target = new EventTarget();
  const hidden = new Set<string>();
  const media: MediaDevicesLike = {
    getUserMedia: (c?: MediaStreamConstraints) => real.getUserMedia(c),
    enumerateDevices: async () => (await real.enumerateDevices()).filter((d) => !hidden.has(d.deviceId)),
    addEventListener: target.addEventListener.bind(target) as MediaDevicesLike['addEventListener'],
    removeEventListener: target.removeEventListener.bind(target) as MediaDevicesLike['removeEventListener'],
  };
  return { media, unplug: (id: string) => (hidden.add(id), target.dispatchEvent(new Event('devicechange'))) };
}

describe('DeviceCheckSession', function () {
  this.timeout(60_000);
  let session: DeviceCheckSession | null = null;
  afterEach(() => session?.stop());

  it('passes with the fake devices and a real network probe, and remembers the devices', async () => {
    const probe = await LoopbackProbe.open();
    const { store, storage } = memoryStorage();
    session = new DeviceCheckSession({ probe: () => probe, preferences: new DevicePreferences({ storage }), networkTest: { samples: 8, intervalMs: 10 } });
    expect(session.verdict.get()).to.equal('pending');
    await session.start();
    expect(session.phase.get()).to.equal('ready');
    expect(session.stream.get()!.getTracks().map((t) => t.kind).sort()).to.deep.equal(['audio', 'video']);
    expect(session.devices.get().videoInput.length).to.be.greaterThan(0);
    await waitFor(() => session!.micLevel.get() > 0, 'mic level from the fake microphone');
    await waitFor(() => session!.network.get().phase === 'measured', 'network measured');
    const status = session.status.get();
    expect(status).to.deep.include({ audio: true, video: true, audioFailure: null, videoFailure: null, speaker: 'untested' });
    expect(status.networkQuality!.rttMs).to.be.a('number');
    expect(status.networkQuality!.packetLoss).to.equal(0);
    // The grade follows the measured figures (a loaded machine may measure more jitter than an idle one).
    expect(status.network).to.equal(scoreOfLevel(status.networkQuality!.level));
    expect(session.verdict.get()).to.equal(status.networkQuality!.level >= 4 ? 'limited' : 'ready');
    const mic = session.devices.get().audioInput.at(-1)!.deviceId;
    await session.select('audioInput', mic);
    expect(session.stream.get()!.getAudioTracks()[0]!.getSettings().deviceId).to.equal(mic);
    expect(session.stream.get()!.getVideoTracks()).to.have.length(1);
    const final = session.complete();
    expect(final.devices.audioInput).to.equal(mic);
    expect(JSON.parse(store.get('flare.devices')!).audioInput).to.equal(mic);
    probe.close();
  });

  it('says the network part was skipped without a server', async () => {
    session = new DeviceCheckSession({ preferences: new DevicePreferences({ storage: null }) });
    await session.start();
    await waitFor(() => session!.network.get().phase === 'skipped', 'network skipped');
    expect(session.status.get()).to.deep.include({ audio: true, video: true, network: 'skipped', networkQuality: null });
    expect(session.verdict.get()).to.equal('ready');
  });

  it('is blocked with the failure when permission is denied', async () => {
    const denied = new DOMException('Permission denied', 'NotAllowedError');
    const real = navigator.mediaDevices;
    const health = new DeviceHealth({
      mediaDevices: { getUserMedia: () => Promise.reject(denied), enumerateDevices: () => real.enumerateDevices(), addEventListener: () => {}, removeEventListener: () => {} },
      policy: null,
    });
    session = new DeviceCheckSession({ health, preferences: new DevicePreferences({ storage: null }) });
    await session.start();
    await waitFor(() => session!.verdict.get() !== 'pending', 'verdict');
    expect(session.verdict.get()).to.equal('blocked');
    expect(session.status.get()).to.deep.include({ audio: false, video: false, audioFailure: 'denied', videoFailure: 'denied' });
    expect(session.stream.get()).to.equal(null);
  });

  it('falls back to the default microphone when the chosen one is unplugged', async () => {
    const { media, unplug } = pluggable();
    const inputs = (await navigator.mediaDevices.enumerateDevices()).filter((d) => d.kind === 'audioinput' && d.deviceId !== 'default');
    const chosen = inputs.at(-1)!.deviceId;
    const { storage } = memoryStorage();
    const prefs = new DevicePreferences({ storage });
    prefs.save({ audioInput: chosen, videoInput: '', audioOutput: '' });
    session = new DeviceCheckSession({ health: new DeviceHealth({ mediaDevices: media }), preferences: prefs });
    await session.start();
    expect(session.selected.get().audioInput).to.equal(chosen);
    const before = session.stream.get()!.getAudioTracks()[0]!;
    expect(before.getSettings().deviceId).to.equal(chosen);
    unplug(chosen);
    await waitFor(() => session!.selected.get().audioInput === '' && session!.stream.get()?.getAudioTracks()[0] !== before, 'fallback to default');
    expect(before.readyState).to.equal('ended');
    expect(session.stream.get()!.getAudioTracks()[0]!.getSettings().deviceId).to.not.equal(chosen);
    expect(session.devices.get().audioInput.some((d) => d.deviceId === chosen)).to.equal(false);
  });

  it('runs the speaker test and takes the answer into the verdict', async () => {
    session = new DeviceCheckSession({ preferences: new DevicePreferences({ storage: null }), playTone: (o) => playTestTone({ ...o, durationMs: 100 }) });
    await session.start();
    await waitFor(() => session!.verdict.get() === 'ready', 'ready');
    const playing = session.testSpeaker();
    expect(session.speaker.get()).to.equal('playing');
    await playing;
    expect(session.speaker.get()).to.equal('played');
    session.confirmSpeaker(false);
    expect(session.status.get().speaker).to.equal('failed');
    expect(session.verdict.get()).to.equal('limited');
    session.confirmSpeaker(true);
    expect(session.verdict.get()).to.equal('ready');
  });
});
