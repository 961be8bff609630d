/**
 * Media through Agora's cloud (agora-rtc-sdk-ng 4.x, the seed's AgoraRtc class behind the RtcEngine
 * interface). The SDK (about 420 KB gzipped) is imported with a dynamic `import()` only when this
 * engine joins a call; `loadSdk` replaces that import (tests pass a fake Agora with the same event
 * surface, since Agora's cloud cannot be reached from a test machine). Call setup (ring, accept, ...)
 * still goes over Flare; only media uses Agora. Tokens are renewed on `token-privilege-will-expire`
 * through `tokenProvider`, and an expired token or a dropped connection is reported as
 * `connection-failed` so the ReconnectionManager rejoins with a fresh token.
 */
import type { IAgoraRTC } from 'agora-rtc-sdk-ng';
import type {
  AgoraClientEvents,
  AgoraClientLike,
  AgoraDeviceTrackLike,
  AgoraRemoteTrackStats,
  AgoraRemoteUserLike,
  AgoraRtcLike,
  AgoraUid,
} from './agora-types.ts';
import { Emitter } from './emitter.ts';
import { gradeNetworkQuality } from './network-quality.ts';
import { RtcEngineKind, type ParticipantStats, type RtcEngine, type RtcEngineEvents, type RtcJoinOptions } from './rtc-engine.ts';
import type { NetworkQualityLevel } from './call-types.ts';
import { CallError } from './call-error.ts';

/** Why a token is asked for. */
export type AgoraTokenReason = 'join' | 'will-expire' | 'expired';

/** Options of {@link AgoraEngine}. */
export interface AgoraEngineOptions {
  /** Agora project app id. */
  appId: string;
  /** Channel name; default: the call id, so both sides of a Flare call meet in one channel. */
  channel?: string;
  /** Token for the first join (null for projects without tokens). */
  token?: string | null;
  /** Agora uid; default: the Flare user id. */
  uid?: AgoraUid | null;
  /** Fresh tokens: asked on join when `token` is absent, before expiry, and after expiry. */
  tokenProvider?: (context: { channel: string; uid: AgoraUid | null; reason: AgoraTokenReason }) => Promise<string | null>;
  /** Loads the Agora SDK: the client factory seam. Default: `import('agora-rtc-sdk-ng')`. */
  loadSdk?: () => Promise<AgoraRtcLike>;
  /** Default `{ mode: 'rtc', codec: 'vp8' }` (the seed's configuration). */
  clientConfig?: { mode: 'rtc' | 'live'; codec: 'vp8' | 'vp9' | 'h264' | 'av1' };
}

/** Loads agora-rtc-sdk-ng lazily (a bundler's CommonJS interop, or the UMD global in an unbundled page). */
export async function loadAgoraSdk(): Promise<AgoraRtcLike> {
  const mod = (await import('agora-rtc-sdk-ng')) as { default?: IAgoraRTC };
  const sdk: IAgoraRTC | undefined = mod.default ?? (globalThis as { AgoraRTC?: IAgoraRTC }).AgoraRTC;
  if (!sdk) throw CallError.mediaFailed('agora-rtc-sdk-ng did not load');
  const checked: AgoraRtcLike = sdk; // the real SDK satisfies the structural subset
  return checked;
}

interface Joined {
  options: RtcJoinOptions;
  channel: string;
  uid: AgoraUid | null;
  client: AgoraClientLike;
  listeners: Array<[keyof AgoraClientEvents, (...args: never[]) => void]>;
}

/** Agora engine. */
export class AgoraEngine implements RtcEngine {
  readonly kind = RtcEngineKind.Agora;
  readonly #o: AgoraEngineOptions;
  readonly #events = new Emitter<RtcEngineEvents>();
  readonly #remoteStreams = new Map<string, MediaStream>();
  readonly #counters = new Map<string, { received: number; lost: number }>();
  #sdk: AgoraRtcLike | null = null;
  #joined: Joined | null = null;
  #audio: AgoraDeviceTrackLike | null = null;
  #video: AgoraDeviceTrackLike | null = null;
  #stream: MediaStream | null = null;

  constructor(options: AgoraEngineOptions) {
    this.#o = options;
  }

  get localStream(): MediaStream | null {
    return this.#stream;
  }

  on<K extends keyof RtcEngineEvents>(type: K, listener: (event: RtcEngineEvents[K]) => void): () => void {
    return this.#events.on(type, listener);
  }

  async join(options: RtcJoinOptions): Promise<void> {
    if (this.#joined) throw CallError.invalidState('already joined');
    const sdk = (this.#sdk ??= await (this.#o.loadSdk ?? loadAgoraSdk)());
    const devices = options.devices ?? {};
    const [audio, video] = await Promise.all([
      options.media.audio ? sdk.createMicrophoneAudioTrack(devices.audioInput ? { microphoneId: devices.audioInput } : undefined) : null,
      options.media.video ? sdk.createCameraVideoTrack(devices.videoInput ? { cameraId: devices.videoInput } : undefined) : null,
    ]);
    this.#audio = audio;
    this.#video = video;
    this.#stream = new MediaStream([audio, video].filter((t) => t !== null).map((t) => t.getMediaStreamTrack()));
    this.#emitLocalTracks();
    await this.#connect(options, 'join');
  }

  async leave(): Promise<void> {
    await this.#disconnect(true);
    for (const track of [this.#audio, this.#video]) track?.close();
    for (const track of this.#stream?.getTracks() ?? []) track.stop();
    this.#audio = this.#video = null;
    this.#stream = null;
  }

  async setMicrophoneMuted(muted: boolean): Promise<void> {
    await this.#audio?.setMuted(muted);
  }

  async setCameraEnabled(enabled: boolean): Promise<void> {
    if (!this.#video) return;
    await this.#video.setEnabled(enabled);
    const track = this.#video.getMediaStreamTrack();
    if (this.#stream) {
      for (const old of this.#stream.getVideoTracks()) this.#stream.removeTrack(old);
      if (enabled) this.#stream.addTrack(track);
    }
    this.#emitLocalTracks();
  }

  async switchDevice(kind: 'audioinput' | 'videoinput', deviceId: string): Promise<void> {
    const track = kind === 'audioinput' ? this.#audio : this.#video;
    if (!track) return;
    await track.setDevice(deviceId);
    if (this.#stream) {
      const current = kind === 'audioinput' ? this.#stream.getAudioTracks() : this.#stream.getVideoTracks();
      for (const old of current) this.#stream.removeTrack(old);
      this.#stream.addTrack(track.getMediaStreamTrack());
    }
    this.#emitLocalTracks();
  }

  /**
   * Per remote user: RTT approximated as twice Agora's one-way transport delay (Agora exposes no
   * per-user round trip), loss from received/lost packet counters since the last reading, and the
   * level as the worse of Agora's own downlink grade (same 1-6 scale) and ours. Agora reports no
   * jitter for remote tracks, so jitter is null.
   */
  async getStats(): Promise<ParticipantStats[]> {
    const client = this.#joined?.client;
    if (!client) return [];
    const quality = client.getRemoteNetworkQuality();
    const audio = client.getRemoteAudioStats();
    const video = client.getRemoteVideoStats();
    return [...this.#remoteStreams.keys()].map((id) => {
      const tracks = [audio[id], video[id]].filter((s): s is AgoraRemoteTrackStats => s !== undefined);
      const delays = tracks.map((s) => s.transportDelay).filter((d) => d > 0);
      const rttMs = delays.length ? Math.max(...delays) * 2 : client.getRTCStats().RTT || null;
      const received = tracks.reduce((n, s) => n + s.receivePackets, 0);
      const lost = tracks.reduce((n, s) => n + s.receivePacketsLost, 0);
      const previous = this.#counters.get(id) ?? { received: 0, lost: 0 };
      this.#counters.set(id, { received, lost });
      const expected = received - previous.received + (lost - previous.lost);
      const packetLoss = expected > 0 ? Math.max(0, lost - previous.lost) / expected : 0;
      const ours = gradeNetworkQuality({ rttMs: rttMs ?? undefined, packetLoss });
      const theirs = quality[id]?.downlinkNetworkQuality ?? 0;
      const level = (theirs >= 1 && theirs <= 6 ? Math.max(ours, theirs) : ours) as NetworkQualityLevel;
      return { participantId: id, rttMs, jitterMs: null, packetLoss, level, framesDecoded: 0, bytesReceived: tracks.reduce((n, s) => n + s.receiveBytes, 0) };
    });
  }

  /** Leaves and joins the channel again with a fresh token, republishing the local tracks. */
  async restart({ signal }: { retryCount: number; signal: AbortSignal }): Promise<void> {
    const joined = this.#joined;
    if (!joined) throw CallError.invalidState('not joined');
    await this.#disconnect(false);
    if (signal.aborted) throw CallError.aborted('rejoin aborted');
    await this.#connect(joined.options, 'expired');
  }

  async #connect(options: RtcJoinOptions, reason: AgoraTokenReason): Promise<void> {
    const sdk = this.#sdk!;
    const channel = this.#o.channel ?? options.callId;
    const uid = this.#o.uid !== undefined ? this.#o.uid : options.selfId;
    const client = sdk.createClient(this.#o.clientConfig ?? { mode: 'rtc', codec: 'vp8' });
    const joined: Joined = { options, channel, uid, client, listeners: [] };
    this.#joined = joined;
    this.#listen(joined);
    const token = reason === 'join' && this.#o.token !== undefined ? this.#o.token : ((await this.#o.tokenProvider?.({ channel, uid, reason })) ?? this.#o.token ?? null);
    await client.join(this.#o.appId, channel, token, uid);
    const tracks = [this.#audio, this.#video].filter((t) => t !== null);
    if (tracks.length) await client.publish(tracks);
  }

  /** Leaves the channel; remote users are reported as left, or as reconnecting during a restart. */
  async #disconnect(final: boolean): Promise<void> {
    const joined = this.#joined;
    if (!joined) return;
    this.#joined = null;
    for (const [event, listener] of joined.listeners) joined.client.off(event, listener as never);
    for (const id of this.#remoteStreams.keys()) {
      if (final) this.#events.emit('participant-left', { participantId: id, reason: 'leave' });
      else this.#events.emit('participant-connection', { participantId: id, connection: 'reconnecting' });
    }
    this.#remoteStreams.clear();
    this.#counters.clear();
    if (joined.client.connectionState !== 'DISCONNECTED') await joined.client.leave();
  }

  #listen(joined: Joined): void {
    const { client } = joined;
    const on = <K extends keyof AgoraClientEvents>(event: K, listener: AgoraClientEvents[K]) => {
      client.on(event, listener);
      joined.listeners.push([event, listener as (...args: never[]) => void]);
    };
    on('user-joined', (user) => this.#remoteStream(user));
    on('user-left', (user, reason) => {
      const id = String(user.uid);
      if (!this.#remoteStreams.delete(id)) return;
      this.#events.emit('participant-left', { participantId: id, reason });
    });
    on('user-published', (user, mediaType) => {
      if (mediaType === 'datachannel') return;
      void client.subscribe(user.uid, mediaType).then(() => {
        const remote = mediaType === 'audio' ? user.audioTrack : user.videoTrack;
        if (!remote || this.#joined !== joined) return;
        const stream = this.#remoteStream(user);
        const track = remote.getMediaStreamTrack();
        for (const old of mediaType === 'audio' ? stream.getAudioTracks() : stream.getVideoTracks()) stream.removeTrack(old);
        stream.addTrack(track);
        this.#events.emit('remote-track', { participantId: String(user.uid), kind: mediaType, track, stream });
        this.#emitMediaState(user);
      });
    });
    on('user-unpublished', (user, mediaType) => {
      if (mediaType === 'datachannel') return;
      this.#events.emit('remote-track-removed', { participantId: String(user.uid), kind: mediaType });
      this.#emitMediaState(user);
    });
    on('connection-state-change', (current, _previous, reason) => {
      const connection = current === 'CONNECTED' ? 'connected' : current === 'RECONNECTING' ? 'reconnecting' : current === 'CONNECTING' ? 'connecting' : null;
      if (connection) for (const id of this.#remoteStreams.keys()) this.#events.emit('participant-connection', { participantId: id, connection });
      if (current === 'DISCONNECTED' && reason !== 'LEAVE' && this.#joined === joined) {
        this.#events.emit('connection-failed', { participantId: null, reason: reason ?? 'disconnected' });
      }
    });
    on('token-privilege-will-expire', () => {
      const provider = this.#o.tokenProvider;
      if (!provider) return;
      void provider({ channel: joined.channel, uid: joined.uid, reason: 'will-expire' }).then((token) => {
        if (token && this.#joined === joined) return client.renewToken(token);
      });
    });
    on('token-privilege-did-expire', () => {
      if (this.#joined === joined) this.#events.emit('connection-failed', { participantId: null, reason: 'token-expired' });
    });
  }

  #remoteStream(user: AgoraRemoteUserLike): MediaStream {
    const id = String(user.uid);
    let stream = this.#remoteStreams.get(id);
    if (!stream) {
      this.#remoteStreams.set(id, (stream = new MediaStream()));
      this.#events.emit('participant-joined', { participantId: id });
      this.#events.emit('participant-connection', { participantId: id, connection: 'connected' });
    }
    return stream;
  }

  #emitMediaState(user: AgoraRemoteUserLike): void {
    this.#events.emit('remote-media-state', { participantId: String(user.uid), audioEnabled: user.hasAudio, videoEnabled: user.hasVideo });
  }

  #emitLocalTracks(): void {
    this.#events.emit('local-tracks', { audio: this.#stream?.getAudioTracks()[0] ?? null, video: this.#stream?.getVideoTracks()[0] ?? null });
  }
}
