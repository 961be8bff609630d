import { expect } from 'chai';
import { AgoraEngine, loadAgoraSdk, type AgoraEngineOptions } from '../../../src/sdk/call/agora-engine.ts';
import type { RtcEngineEvents } from '../../../src/sdk/call/rtc-engine.ts';
import { CallStateManager } from '../../../src/sdk/call/call-state-manager.ts';
import { ReconnectionManager } from '../../../src/sdk/call/reconnection-manager.ts';
import { CallStatus } from '../../../src/sdk/call/call-types.ts';
import { ConnectCode, ReconnectCode, StartCode } from '../../../src/sdk/call/call-codes.ts';
import { FakeAgoraCloud, type FakeAgoraClient } from './fake-agora.ts';
import { firstFrame, waitFor } from './wait.ts';

function record(engine: AgoraEngine) {
  const events: Array<{ type: keyof RtcEngineEvents; event: unknown }> = [];
  for (const type of ['remote-track', 'remote-track-removed', 'participant-joined', 'participant-left', 'participant-connection', 'remote-media-state', 'connection-failed', 'local-tracks'] as const) {
    engine.on(type, (event) => events.push({ type, event }));
  }
  const of = <K extends keyof RtcEngineEvents>(type: K) => events.filter((e) => e.type === type).map((e) => e.event as RtcEngineEvents[K]);
  return { events, of };
}

describe('AgoraEngine (against a fake Agora client with the same event surface)', function () {
  this.timeout(60_000);
  let cloud: FakeAgoraCloud;
  let engines: AgoraEngine[];
  const videos: HTMLVideoElement[] = [];

  beforeEach(() => {
    cloud = new FakeAgoraCloud();
    engines = [];
  });
  afterEach(async () => {
    for (const e of engines) await e.leave();
    for (const v of videos.splice(0)) v.remove();
  });

  function engine(options: Partial<AgoraEngineOptions> = {}) {
    let loads = 0;
    const sdk = cloud.sdk();
    const e = new AgoraEngine({
      appId: 'app-1',
      token: 'token-1',
      loadSdk: async () => {
        loads++;
        return sdk;
      },
      ...options,
    });
    engines.push(e);
    return { engine: e, loads: () => loads, sdk, rec: record(e) };
  }

  const media = { audio: true, video: true };
  const client = (sdk: { createdClients: FakeAgoraClient[] }) => sdk.createdClients.at(-1)!;

  it('loads the SDK only on join, meets the peer in the call channel and decodes its video', async () => {
    const a = engine();
    const b = engine();
    expect(a.loads()).to.equal(0);
    await a.engine.join({ callId: 'call-9', selfId: 'alice', peers: ['bob'], media });
    await b.engine.join({ callId: 'call-9', selfId: 'bob', peers: ['alice'], media });
    expect(a.loads()).to.equal(1);
    expect(cloud.joins.map((j) => [j.appid, j.channel, j.token, j.uid])).to.deep.equal([
      ['app-1', 'call-9', 'token-1', 'alice'],
      ['app-1', 'call-9', 'token-1', 'bob'],
    ]);
    expect(a.engine.localStream!.getTracks().map((t) => t.kind).sort()).to.deep.equal(['audio', 'video']);
    await waitFor(() => a.rec.of('remote-track').some((t) => t.kind === 'video') && b.rec.of('remote-track').some((t) => t.kind === 'video'), 'remote video both ways');
    expect(a.rec.of('participant-joined')[0]!.participantId).to.equal('bob');
    const remote = b.rec.of('remote-track').find((t) => t.kind === 'video')!;
    expect(remote.participantId).to.equal('alice');
    const video = await firstFrame(remote.stream);
    videos.push(video);
    expect(video.videoWidth).to.be.greaterThan(0);
  });

  it('mutes and turns the camera off and on; the other side sees unpublish and publish', async () => {
    const a = engine();
    const b = engine();
    await a.engine.join({ callId: 'c', selfId: 'alice', peers: [], media });
    await b.engine.join({ callId: 'c', selfId: 'bob', peers: [], media });
    await waitFor(() => b.rec.of('remote-track').length === 2, 'both tracks at bob');
    await a.engine.setMicrophoneMuted(true);
    expect(b.rec.of('remote-track-removed')).to.deep.equal([{ participantId: 'alice', kind: 'audio' }]);
    expect(b.rec.of('remote-media-state').at(-1)).to.deep.equal({ participantId: 'alice', audioEnabled: false, videoEnabled: true });
    await a.engine.setCameraEnabled(false);
    expect(a.engine.localStream!.getVideoTracks()).to.have.length(0);
    expect(b.rec.of('remote-media-state').at(-1)).to.deep.equal({ participantId: 'alice', audioEnabled: false, videoEnabled: false });
    const before = b.rec.of('remote-track').length;
    await a.engine.setCameraEnabled(true);
    expect(a.engine.localStream!.getVideoTracks()[0]!.readyState).to.equal('live');
    await waitFor(() => b.rec.of('remote-track').length > before, 'video published again');
    expect(b.rec.of('remote-media-state').at(-1)!.videoEnabled).to.equal(true);
  });

  it('renews the token before it expires', async () => {
    const tokens: string[] = [];
    const a = engine({
      tokenProvider: async ({ reason, channel, uid }) => {
        tokens.push(`${reason}:${channel}:${uid}`);
        return `fresh-${tokens.length}`;
      },
    });
    await a.engine.join({ callId: 'c', selfId: 'alice', peers: [], media: { audio: true, video: false } });
    client(a.sdk).emit('token-privilege-will-expire');
    await waitFor(() => client(a.sdk).renewedTokens.length > 0, 'renewToken');
    expect(tokens).to.deep.equal(['will-expire:c:alice']);
    expect(client(a.sdk).renewedTokens).to.deep.equal(['fresh-1']);
  });

  it('rejoins with a fresh token after expiry or a network drop, through the ReconnectionManager', async () => {
    cloud.validTokens = new Set(['token-1', 'fresh-1', 'fresh-2']);
    let n = 0;
    const a = engine({ tokenProvider: async () => `fresh-${++n}` });
    const b = engine();
    const state = new CallStateManager();
    state.setState(CallStatus.Calling, { code: StartCode.OUTGOING });
    state.setState(CallStatus.InCall, { code: ConnectCode.ACCEPTED });
    const reconnection = new ReconnectionManager(state);
    a.engine.on('connection-failed', () => void reconnection.start((ctx) => a.engine.restart(ctx), { code: ReconnectCode.CONNECTION_LOST }));
    await a.engine.join({ callId: 'c', selfId: 'alice', peers: [], media });
    await b.engine.join({ callId: 'c', selfId: 'bob', peers: [], media });
    await waitFor(() => b.rec.of('remote-track').length === 2, 'bob receives alice');

    client(a.sdk).emit('token-privilege-did-expire');
    expect(a.rec.of('connection-failed').at(-1)!.reason).to.equal('token-expired');
    expect(state.status.get()).to.equal(CallStatus.Reconnecting);
    await waitFor(() => state.status.get() === CallStatus.InCall, 'back in call');
    expect(cloud.joins.at(-1)).to.deep.include({ token: 'fresh-1', uid: 'alice', channel: 'c' });
    expect(client(a.sdk).published.map((t) => t.trackMediaType).sort()).to.deep.equal(['audio', 'video']);
    await waitFor(() => b.rec.of('remote-track').length === 4, 'bob receives alice again');
    // The old client's listeners were removed.
    expect(a.sdk.createdClients[0]!.listenerCount('user-published')).to.equal(0);

    client(a.sdk).drop();
    expect(a.rec.of('connection-failed').at(-1)!.reason).to.equal('NETWORK_ERROR');
    await waitFor(() => state.status.get() === CallStatus.InCall && cloud.joins.length === 4, 'rejoined after the drop');
    expect(cloud.joins.at(-1)!.token).to.equal('fresh-2');
    expect(state.lastTransition.get()!.code).to.equal('reconnected');
  });

  it('grades per-user statistics from Agora figures', async () => {
    const a = engine();
    const b = engine();
    await a.engine.join({ callId: 'c', selfId: 'alice', peers: [], media });
    await b.engine.join({ callId: 'c', selfId: 'bob', peers: [], media });
    await waitFor(() => a.rec.of('remote-track').length === 2, 'tracks');
    const c = client(a.sdk);
    c.remoteVideoStats = { bob: { transportDelay: 40, receivePackets: 1000, receivePacketsLost: 0, receiveBytes: 5000 } };
    c.remoteQuality = { bob: { uplinkNetworkQuality: 1, downlinkNetworkQuality: 2 } };
    const [first] = await a.engine.getStats();
    expect(first).to.deep.equal({ participantId: 'bob', rttMs: 80, jitterMs: null, packetLoss: 0, level: 2, framesDecoded: 0, bytesReceived: 5000 });
    c.remoteVideoStats = { bob: { transportDelay: 40, receivePackets: 1900, receivePacketsLost: 100, receiveBytes: 9000 } };
    const [second] = await a.engine.getStats();
    expect(second!.packetLoss).to.equal(0.1);
    expect(second!.level).to.equal(4);
  });

  it('leaves: closes the tracks, leaves the channel and drops its listeners', async () => {
    const a = engine();
    const b = engine();
    await a.engine.join({ callId: 'c', selfId: 'alice', peers: [], media });
    await b.engine.join({ callId: 'c', selfId: 'bob', peers: [], media });
    const c = client(a.sdk);
    const tracks = c.published.slice();
    await a.engine.leave();
    expect(tracks.every((t) => t.closed)).to.equal(true);
    expect(c.connectionState).to.equal('DISCONNECTED');
    expect(c.listenerCount('user-published')).to.equal(0);
    expect(a.engine.localStream).to.equal(null);
    expect(b.rec.of('participant-left')).to.deep.equal([{ participantId: 'alice', reason: 'Quit' }]);
  });

  it("has the real SDK's surface: the lazy loader returns agora-rtc-sdk-ng with the methods the fake mirrors", async function () {
    this.timeout(60_000);
    const sdk = await loadAgoraSdk();
    for (const name of ['createClient', 'createMicrophoneAudioTrack', 'createCameraVideoTrack'] as const) expect(sdk[name]).to.be.a('function');
    const real = sdk.createClient({ mode: 'rtc', codec: 'vp8' });
    for (const name of ['on', 'off', 'join', 'leave', 'publish', 'subscribe', 'renewToken', 'getRTCStats', 'getRemoteNetworkQuality', 'getRemoteAudioStats', 'getRemoteVideoStats'] as const) {
      expect(real[name], name).to.be.a('function');
    }
    expect(real.connectionState).to.equal('DISCONNECTED');
  });
});
