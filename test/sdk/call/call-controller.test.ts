import { expect } from 'chai';
import { CallController } from '../../../src/sdk/call/call-controller.ts';
import { CallStatus } from '../../../src/sdk/call/call-types.ts';
import { WebRtcEngine } from '../../../src/sdk/call/webrtc-engine.ts';
import { SignalBus } from './signal-bus.ts';
import { firstFrame, waitFor } from './wait.ts';

describe('CallController: a whole call between two users in one page (built-in WebRTC engine)', function () {
  this.timeout(120_000);
  let bus: SignalBus;
  let controllers: CallController[];
  const videos: HTMLVideoElement[] = [];

  beforeEach(() => {
    bus = new SignalBus();
    controllers = [];
  });
  afterEach(async () => {
    for (const c of controllers) await c.dispose();
    for (const v of videos.splice(0)) v.remove();
  });

  function user(id: string, options: Partial<ConstructorParameters<typeof CallController>[0]> = {}) {
    const c = new CallController({ selfId: id, signaller: bus.signaller(id), statsIntervalMs: 200, ...options });
    controllers.push(c);
    return c;
  }

  it('rings, connects with video both ways, shows quality, mutes, turns the camera off, hangs up', async () => {
    // The device check remembered a microphone: the call captures from it.
    const mics = (await navigator.mediaDevices.enumerateDevices()).filter((d) => d.kind === 'audioinput' && d.deviceId !== 'default');
    const mic = mics.at(-1)!.deviceId;
    localStorage.setItem('flare.devices', JSON.stringify({ audioInput: mic, videoInput: '', audioOutput: '' }));
    const alice = user('alice');
    const bob = user('bob');
    bob.signalling.on('incoming', () => bob.accept());
    alice.call('bob', { media: { audio: true, video: true } });
    await waitFor(() => alice.state.status.get() === CallStatus.InCall && bob.state.status.get() === CallStatus.InCall, 'in call');
    await waitFor(() => alice.remoteStreams.get().get('bob') && bob.remoteStreams.get().get('alice'), 'remote streams');
    for (const [me, other] of [[alice, 'bob'], [bob, 'alice']] as const) {
      const video = await firstFrame(me.remoteStreams.get().get(other)!);
      videos.push(video);
      expect(video.videoWidth).to.be.greaterThan(0);
    }
    expect(alice.localStream.get()!.getVideoTracks()[0]!.readyState).to.equal('live');
    expect(alice.localStream.get()!.getAudioTracks()[0]!.getSettings().deviceId).to.equal(mic);
    localStorage.removeItem('flare.devices');
    await waitFor(() => alice.state.participants.get().get('bob')?.connection === 'connected', 'bob connected at alice');
    const quality = await waitFor(() => alice.state.participants.get().get('bob')?.quality, 'quality of bob at alice');
    expect(quality.level).to.be.within(1, 6);
    expect(quality.rttMs).to.be.a('number');

    await alice.setMicrophoneMuted(true);
    await alice.setCameraEnabled(false);
    expect(alice.state.localMedia.get()).to.deep.equal({ audioEnabled: false, videoEnabled: false });
    await waitFor(() => {
      const p = bob.state.participants.get().get('alice');
      return p && !p.audioEnabled && !p.videoEnabled;
    }, 'bob sees alice muted with the camera off');
    await alice.setCameraEnabled(true);
    await waitFor(() => bob.state.participants.get().get('alice')?.videoEnabled === true, 'camera back on at bob');

    const aliceTracks = alice.localStream.get()!.getTracks();
    bob.hangup();
    await waitFor(() => alice.state.status.get() === CallStatus.Ended, 'alice sees the hang-up');
    expect(alice.state.lastTransition.get()!.code).to.equal('remote-hangup');
    expect(bob.state.lastTransition.get()!.code).to.equal('local-hangup');
    await waitFor(() => aliceTracks.every((t) => t.readyState === 'ended'), 'alice capture stopped');
    expect(alice.engine).to.equal(null);
    expect(alice.remoteStreams.get().size).to.equal(0);
  });

  it('shows the remote side as reconnecting when its connection drops', async () => {
    const engines: WebRtcEngine[] = [];
    const make = (id: string) =>
      user(id, {
        createEngine: () => {
          const e = new WebRtcEngine({ signaller: bus.signaller(id), restartTimeoutMs: 60_000 });
          engines.push(e);
          return e;
        },
      });
    const alice = make('alice');
    const bob = make('bob');
    bob.signalling.on('incoming', () => bob.accept());
    alice.call('bob');
    await waitFor(() => alice.state.participants.get().get('bob')?.connection === 'connected', 'connected');
    // Bob's side vanishes without a word (crash, network gone): close its peer connection directly.
    (bob.engine as WebRtcEngine).peerConnection('alice')!.close();
    await waitFor(() => alice.state.participants.get().get('bob')?.connection === 'reconnecting', 'bob shown as reconnecting', 60_000);
    await waitFor(() => alice.state.status.get() === CallStatus.Reconnecting, 'call reconnecting');
    expect(alice.state.reconnection.get().active).to.equal(true);
    alice.hangup();
    expect(alice.state.status.get()).to.equal(CallStatus.Ended);
    await bus.flushed();
    for (const e of engines) await e.dispose();
  });

  it('fails the call when media cannot connect before the connect timeout', async () => {
    // relay-only without a TURN server: ICE can never connect.
    const make = (id: string) => user(id, { timeouts: { connect: 1500 }, createEngine: () => new WebRtcEngine({ signaller: bus.signaller(id), iceTransportPolicy: 'relay' }) });
    const alice = make('alice');
    const bob = make('bob');
    bob.signalling.on('incoming', () => bob.accept());
    alice.call('bob');
    await waitFor(() => alice.state.status.get() === CallStatus.Failed || bob.state.status.get() === CallStatus.Failed, 'a side failed');
    const failed = alice.state.status.get() === CallStatus.Failed ? alice : bob;
    const other = failed === alice ? bob : alice;
    expect(failed.state.lastTransition.get()!.code).to.equal('media-failed');
    await waitFor(() => other.state.status.get() !== CallStatus.InCall, 'the other side ends too');
  });
});
