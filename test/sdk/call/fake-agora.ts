/**
 * A fake of agora-rtc-sdk-ng with the same event surface as the parts the Agora engine uses, plus an
 * in-page "cloud" (`FakeAgoraCloud`) so that two engines in one page meet in a channel and receive each
 * other's real (fake-device) media tracks. Agora's own cloud is not reachable from test machines.
 */
import type {
  AgoraClientEvents,
  AgoraClientLike,
  AgoraConnectionState,
  AgoraDeviceTrackLike,
  AgoraNetworkQuality,
  AgoraRemoteTrackStats,
  AgoraRemoteUserLike,
  AgoraRtcLike,
  AgoraUid,
} from '../../../src/sdk/call/agora-types.ts';

type Listener = (...args: unknown[]) => void;

export class FakeLocalTrack implements AgoraDeviceTrackLike {
  muted = false;
  enabled = true;
  closed = false;
  deviceId: string | undefined;
  onChange: (() => void) | null = null;
  #track: MediaStreamTrack;

  constructor(readonly trackMediaType: 'audio' | 'video', track: MediaStreamTrack, deviceId?: string) {
    this.#track = track;
    this.deviceId = deviceId;
  }

  static async capture(kind: 'audio' | 'video', deviceId?: string): Promise<FakeLocalTrack> {
    const constraint = deviceId ? { deviceId: { exact: deviceId } } : true;
    const stream = await navigator.mediaDevices.getUserMedia(kind === 'audio' ? { audio: constraint } : { video: constraint });
    return new FakeLocalTrack(kind, stream.getTracks()[0]!, deviceId);
  }

  getMediaStreamTrack(): MediaStreamTrack {
    return this.#track;
  }

  async setMuted(muted: boolean): Promise<void> {
    this.muted = muted;
    this.#track.enabled = !muted;
    this.onChange?.();
  }

  async setEnabled(enabled: boolean): Promise<void> {
    if (enabled === this.enabled) return;
    this.enabled = enabled;
    if (!enabled) this.#track.stop();
    else this.#track = (await FakeLocalTrack.capture(this.trackMediaType, this.deviceId)).getMediaStreamTrack();
    this.onChange?.();
  }

  async setDevice(deviceId: string): Promise<void> {
    const next = await FakeLocalTrack.capture(this.trackMediaType, deviceId);
    this.#track.stop();
    this.#track = next.getMediaStreamTrack();
    this.deviceId = deviceId;
    this.onChange?.();
  }

  close(): void {
    this.closed = true;
    this.#track.stop();
  }

  /** What a subscriber receives: live when published and not muted or disabled. */
  get sending(): boolean {
    return !this.closed && this.enabled && !this.muted;
  }
}

/** The channel registry standing in for Agora's cloud; also records what the test wants to check. */
export class FakeAgoraCloud {
  readonly channels = new Map<string, Set<FakeAgoraClient>>();
  /** Tokens the cloud accepts; null accepts anything. */
  validTokens: Set<string | null> | null = null;
  readonly joins: Array<{ appid: string; channel: string; token: string | null; uid: AgoraUid }> = [];
  readonly clients: FakeAgoraClient[] = [];

  sdk(): AgoraRtcLike & { createdClients: FakeAgoraClient[] } {
    const created: FakeAgoraClient[] = [];
    return {
      createdClients: created,
      createClient: () => {
        const client = new FakeAgoraClient(this);
        created.push(client);
        this.clients.push(client);
        return client;
      },
      createMicrophoneAudioTrack: (config) => FakeLocalTrack.capture('audio', config?.microphoneId),
      createCameraVideoTrack: (config) => FakeLocalTrack.capture('video', config?.cameraId),
    };
  }

  peers(client: FakeAgoraClient): FakeAgoraClient[] {
    return [...(this.channels.get(client.channel ?? '') ?? [])].filter((c) => c !== client);
  }
}

export class FakeAgoraClient implements AgoraClientLike {
  connectionState: AgoraConnectionState = 'DISCONNECTED';
  channel: string | null = null;
  uid: AgoraUid | null = null;
  published: FakeLocalTrack[] = [];
  renewedTokens: string[] = [];
  /** Quality this client reports for each remote uid (tests set it). */
  remoteQuality: Record<string, AgoraNetworkQuality> = {};
  remoteAudioStats: Record<string, AgoraRemoteTrackStats> = {};
  remoteVideoStats: Record<string, AgoraRemoteTrackStats> = {};
  readonly #listeners = new Map<string, Set<Listener>>();
  readonly #remoteUsers = new Map<string, AgoraRemoteUserLike>();

  constructor(readonly cloud: FakeAgoraCloud) {}

  on<K extends keyof AgoraClientEvents>(event: K, listener: AgoraClientEvents[K]): void {
    let set = this.#listeners.get(event);
    if (!set) this.#listeners.set(event, (set = new Set()));
    set.add(listener as Listener);
  }

  off<K extends keyof AgoraClientEvents>(event: K, listener: AgoraClientEvents[K]): void {
    this.#listeners.get(event)?.delete(listener as Listener);
  }

  listenerCount(event: keyof AgoraClientEvents): number {
    return this.#listeners.get(event)?.size ?? 0;
  }

  /** Fires an event as the SDK would (public so tests can play the cloud's part). */
  emit<K extends keyof AgoraClientEvents>(event: K, ...args: Parameters<AgoraClientEvents[K]>): void {
    for (const listener of [...(this.#listeners.get(event) ?? [])]) listener(...args);
  }

  async join(appid: string, channel: string, token: string | null, uid?: AgoraUid | null): Promise<AgoraUid> {
    if (this.cloud.validTokens && !this.cloud.validTokens.has(token)) throw Object.assign(new Error('AgoraRTCError INVALID_TOKEN'), { code: 'INVALID_TOKEN' });
    this.#setState('CONNECTING');
    await new Promise((r) => setTimeout(r, 0));
    this.channel = channel;
    this.uid = uid ?? Math.floor(Math.random() * 1e6);
    this.cloud.joins.push({ appid, channel, token, uid: this.uid });
    let members = this.cloud.channels.get(channel);
    if (!members) this.cloud.channels.set(channel, (members = new Set()));
    members.add(this);
    this.#setState('CONNECTED');
    for (const peer of this.cloud.peers(this)) {
      peer.#userJoined(this);
      this.#userJoined(peer);
      for (const track of peer.published) if (track.sending) this.#published(peer, track.trackMediaType);
    }
    return this.uid;
  }

  async leave(): Promise<void> {
    const peers = this.cloud.peers(this);
    this.cloud.channels.get(this.channel ?? '')?.delete(this);
    for (const peer of peers) peer.#userLeft(this, 'Quit');
    this.published = [];
    this.#remoteUsers.clear();
    this.#setState('DISCONNECTED', 'LEAVE');
  }

  async publish(tracks: FakeLocalTrack[]): Promise<void> {
    for (const track of tracks) {
      this.published.push(track);
      let was = track.sending;
      track.onChange = () => {
        for (const peer of this.cloud.peers(this)) {
          if (track.sending) peer.#published(this, track.trackMediaType);
          else if (was) peer.#unpublished(this, track.trackMediaType);
        }
        was = track.sending;
      };
      if (track.sending) for (const peer of this.cloud.peers(this)) peer.#published(this, track.trackMediaType);
    }
  }

  async subscribe(uid: AgoraUid, mediaType: 'audio' | 'video'): Promise<unknown> {
    const user = this.#remoteUsers.get(String(uid));
    const publisher = this.cloud.peers(this).find((p) => String(p.uid) === String(uid));
    const track = publisher?.published.find((t) => t.trackMediaType === mediaType && t.sending);
    if (!user || !track) throw new Error(`nothing to subscribe: ${uid} ${mediaType}`);
    // What arrives over the (fake) cloud: a copy of the publisher's live track.
    const received = track.getMediaStreamTrack().clone();
    const stable = { getMediaStreamTrack: () => received };
    if (mediaType === 'audio') user.audioTrack = stable;
    else user.videoTrack = stable;
    return stable;
  }

  async renewToken(token: string): Promise<void> {
    this.renewedTokens.push(token);
  }

  getRTCStats(): { RTT: number } {
    return { RTT: 12 };
  }

  getRemoteNetworkQuality(): Record<string, AgoraNetworkQuality> {
    return this.remoteQuality;
  }

  getRemoteAudioStats(): Record<string, AgoraRemoteTrackStats> {
    return this.remoteAudioStats;
  }

  getRemoteVideoStats(): Record<string, AgoraRemoteTrackStats> {
    return this.remoteVideoStats;
  }

  /** The cloud drops this client (network error): Agora reports DISCONNECTED with a reason. */
  drop(reason = 'NETWORK_ERROR'): void {
    this.cloud.channels.get(this.channel ?? '')?.delete(this);
    this.#setState('DISCONNECTED', reason);
  }

  #setState(next: AgoraConnectionState, reason?: string): void {
    const previous = this.connectionState;
    this.connectionState = next;
    this.emit('connection-state-change', next, previous, reason);
  }

  #userJoined(peer: FakeAgoraClient): void {
    const user: AgoraRemoteUserLike = { uid: peer.uid!, hasAudio: false, hasVideo: false };
    this.#remoteUsers.set(String(peer.uid), user);
    this.emit('user-joined', user);
  }

  #userLeft(peer: FakeAgoraClient, reason: string): void {
    const user = this.#remoteUsers.get(String(peer.uid));
    if (!user) return;
    this.#remoteUsers.delete(String(peer.uid));
    this.emit('user-left', user, reason);
  }

  #published(peer: FakeAgoraClient, mediaType: 'audio' | 'video'): void {
    const user = this.#remoteUsers.get(String(peer.uid));
    if (!user) return;
    if (mediaType === 'audio') user.hasAudio = true;
    else user.hasVideo = true;
    this.emit('user-published', user, mediaType);
  }

  #unpublished(peer: FakeAgoraClient, mediaType: 'audio' | 'video'): void {
    const user = this.#remoteUsers.get(String(peer.uid));
    if (!user) return;
    if (mediaType === 'audio') {
      user.hasAudio = false;
      user.audioTrack = undefined;
    } else {
      user.hasVideo = false;
      user.videoTrack = undefined;
    }
    this.emit('user-unpublished', user, mediaType);
  }
}
