import { expect } from 'chai';
import { WebRtcEngine } from '../../../src/sdk/call/webrtc-engine.ts';
import type { RtcEngineEvents } from '../../../src/sdk/call/rtc-engine.ts';
import { SignalBus } from './signal-bus.ts';
import { firstFrame, waitFor } from './wait.ts';

type Remote = RtcEngineEvents['remote-track'];

function recorder(engine: WebRtcEngine) {
  const remote: Remote[] = [];
  const media: RtcEngineEvents['remote-media-state'][] = [];
  const connection: RtcEngineEvents['participant-connection'][] = [];
  engine.on('remote-track', (e) => remote.push(e));
  engine.on('remote-media-state', (e) => media.push(e));
  engine.on('participant-connection', (e) => connection.push(e));
  return { remote, media, connection };
}

async function framesDecodedFrom(engine: WebRtcEngine): Promise<number> {
  const [stats] = await engine.getStats();
  return stats?.framesDecoded ?? 0;
}

describe('WebRtcEngine (two peer connections in one page)', function () {
  this.timeout(120_000);
  let bus: SignalBus;
  let alice: WebRtcEngine;
  let bob: WebRtcEngine;
  const videos: HTMLVideoElement[] = [];

  beforeEach(() => {
    bus = new SignalBus();
    alice = new WebRtcEngine({ signaller: bus.signaller('alice') });
    bob = new WebRtcEngine({ signaller: bus.signaller('bob') });
  });

  afterEach(async () => {
    await alice.dispose();
    await bob.dispose();
    for (const v of videos.splice(0)) v.remove();
  });

  async function connect() {
    const a = recorder(alice);
    const b = recorder(bob);
    const media = { audio: true, video: true };
    // Both join at once: only the impolite side (bob) makes the first offer, so there is no collision
    // (a polite rollback during ICE gathering can leave Chromium gathering nothing).
    await Promise.all([
      alice.join({ callId: 'c1', selfId: 'alice', peers: ['bob'], media }),
      bob.join({ callId: 'c1', selfId: 'bob', peers: ['alice'], media }),
    ]);
    await waitFor(() => a.remote.some((r) => r.kind === 'video') && b.remote.some((r) => r.kind === 'video'), 'remote video tracks');
    expect(bus.sent('description')[0]!.from).to.equal('bob');
    return { a, b };
  }

  it('connects and each side decodes video frames from the other', async () => {
    const { a, b } = await connect();
    for (const side of [a, b]) {
      const video = side.remote.find((r) => r.kind === 'video')!;
      expect(side.remote.some((r) => r.kind === 'audio')).to.equal(true);
      const element = await firstFrame(video.stream);
      videos.push(element);
      expect(element.videoWidth).to.be.greaterThan(0);
      expect(element.videoHeight).to.be.greaterThan(0);
    }
    expect(a.remote[0]!.participantId).to.equal('bob');
    expect(b.remote[0]!.participantId).to.equal('alice');
    await waitFor(async () => (await framesDecodedFrom(alice)) > 0 && (await framesDecodedFrom(bob)) > 0, 'framesDecoded > 0 on both sides');
    await waitFor(() => a.connection.some((c) => c.connection === 'connected'), 'alice connected');
    // Exactly one audio and one video m-line on each side.
    expect(alice.peerConnection('bob')!.getTransceivers().length).to.equal(2);
    expect(bob.peerConnection('alice')!.getTransceivers().length).to.equal(2);
  });

  it('reports graded per-participant statistics from getStats', async () => {
    await connect();
    const stats = await waitFor(async () => {
      const [s] = await alice.getStats();
      return s && s.rttMs !== null && s.bytesReceived > 0 ? s : null;
    }, 'stats with RTT');
    expect(stats.participantId).to.equal('bob');
    expect(stats.rttMs).to.be.a('number').and.at.least(0);
    expect(stats.packetLoss).to.be.within(0, 1);
    expect(stats.level).to.be.within(1, 6);
    expect(stats.jitterMs).to.be.a('number').and.at.least(0);
  });

  it('mutes, turns the camera off and on, and the other side follows', async () => {
    const { b } = await connect();
    const videoSender = () => alice.peerConnection('bob')!.getSenders().find((s) => s.track?.kind === 'video');
    await alice.setMicrophoneMuted(true);
    expect(alice.localStream!.getAudioTracks()[0]!.enabled).to.equal(false);
    await waitFor(() => b.media.some((m) => m.participantId === 'alice' && !m.audioEnabled && m.videoEnabled), 'mute seen by bob');

    const cameraTrack = alice.localStream!.getVideoTracks()[0]!;
    await alice.setCameraEnabled(false);
    expect(cameraTrack.readyState).to.equal('ended');
    expect(alice.localStream!.getVideoTracks()).to.have.length(0);
    expect(videoSender()).to.equal(undefined);
    await waitFor(() => b.media.some((m) => !m.videoEnabled), 'camera off seen by bob');

    const before = await framesDecodedFrom(bob);
    await alice.setCameraEnabled(true);
    expect(alice.localStream!.getVideoTracks()[0]!.readyState).to.equal('live');
    expect(videoSender()?.track?.readyState).to.equal('live');
    await waitFor(() => b.media.at(-1)?.videoEnabled === true, 'camera on seen by bob');
    await waitFor(async () => (await framesDecodedFrom(bob)) > before + 5, 'frames flow again after camera on');
    // Unmute is seen too.
    await alice.setMicrophoneMuted(false);
    await waitFor(() => b.media.at(-1)?.audioEnabled === true, 'unmute seen by bob');
  });

  it('switches the microphone mid-call without renegotiating', async () => {
    await connect();
    const inputs = (await navigator.mediaDevices.enumerateDevices()).filter((d) => d.kind === 'audioinput' && d.deviceId !== 'default');
    expect(inputs.length).to.be.greaterThan(0);
    const target = inputs.at(-1)!;
    const offersBefore = bus.sent('description').length;
    const localTracks: RtcEngineEvents['local-tracks'][] = [];
    alice.on('local-tracks', (e) => localTracks.push(e));
    await alice.setMicrophoneMuted(true);
    await alice.switchDevice('audioinput', target.deviceId);
    const audioSender = alice.peerConnection('bob')!.getSenders().find((s) => s.track?.kind === 'audio')!;
    expect(audioSender.track!.getSettings().deviceId).to.equal(target.deviceId);
    expect(audioSender.track!.enabled, 'still muted after the switch').to.equal(false);
    expect(localTracks.at(-1)!.audio).to.equal(audioSender.track);
    await bus.flushed();
    expect(bus.sent('description').length).to.equal(offersBefore);
  });

  it('restarts ICE with new credentials and keeps media flowing', async () => {
    await connect();
    const pc = alice.peerConnection('bob')!;
    const ufrag = () => pc.localDescription!.sdp.match(/a=ice-ufrag:(\S+)/)![1];
    await waitFor(() => pc.connectionState === 'connected', 'connected');
    const before = ufrag();
    await alice.restart({ retryCount: 0, signal: new AbortController().signal });
    expect(ufrag()).to.not.equal(before);
    expect(pc.connectionState).to.equal('connected');
    const frames = await framesDecodedFrom(alice);
    await waitFor(async () => (await framesDecodedFrom(alice)) > frames, 'frames after the restart');
  });

  it('keeps signals that arrive before join and connects when the late side joins', async () => {
    const b = recorder(bob);
    const a = recorder(alice);
    await alice.join({ callId: 'c2', selfId: 'alice', peers: ['bob'], media: { audio: true, video: true } });
    // Alice is polite: she leaves the first offer to bob; her media state reaches him before he joins.
    await waitFor(() => bus.sent('media-state').length > 0, 'alice signals before bob joins');
    expect(bus.sent('description')).to.deep.equal([]);
    await bus.flushed();
    await bob.join({ callId: 'c2', selfId: 'bob', peers: [], media: { audio: false, video: true } });
    await waitFor(() => b.remote.some((r) => r.kind === 'video') && a.remote.some((r) => r.kind === 'video'), 'video both ways');
    const element = await firstFrame(a.remote.find((r) => r.kind === 'video')!.stream);
    videos.push(element);
    expect(element.videoWidth).to.be.greaterThan(0);
    await waitFor(() => a.media.some((m) => m.participantId === 'bob' && !m.audioEnabled && m.videoEnabled), 'bob has no audio');
    expect(bus.sent('description')[0]!.from).to.equal('bob');
  });

  it('hangs up: leave closes the connections and stops capture', async () => {
    await connect();
    const pc = alice.peerConnection('bob')!;
    const tracks = alice.localStream!.getTracks();
    const left: string[] = [];
    alice.on('participant-left', (e) => left.push(e.participantId));
    await alice.leave();
    expect(pc.connectionState).to.equal('closed');
    expect(tracks.every((t) => t.readyState === 'ended')).to.equal(true);
    expect(alice.localStream).to.equal(null);
    expect(left).to.deep.equal(['bob']);
    // Bob's side notices the connection going away.
    await waitFor(() => ['disconnected', 'failed', 'closed'].includes(bob.peerConnection('alice')!.connectionState), 'bob sees the peer gone', 60_000);
  });
});
