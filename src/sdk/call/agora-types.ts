/**
 * The part of agora-rtc-sdk-ng (4.x) the Agora engine uses, as structural types: the real SDK object
 * satisfies them (checked where it is loaded, in agora-engine.ts), and tests implement them with a fake
 * client that has the same event surface. Names and argument orders are Agora's.
 */

/** Agora user id. */
export type AgoraUid = string | number;

/** Agora's connection states. */
export type AgoraConnectionState = 'DISCONNECTED' | 'CONNECTING' | 'RECONNECTING' | 'CONNECTED' | 'DISCONNECTING';

/** A local track (IMicrophoneAudioTrack / ICameraVideoTrack). */
export interface AgoraLocalTrackLike {
  readonly trackMediaType: 'audio' | 'video';
  getMediaStreamTrack(): MediaStreamTrack;
  /** Agora: stops sending without stopping capture. */
  setMuted(muted: boolean): Promise<void>;
  /** Agora: stops (or restarts) capture; the remote side sees unpublished/published. */
  setEnabled(enabled: boolean): Promise<void>;
  close(): void;
}

/** A local track captured from a device (microphone or camera), which can switch devices. */
export interface AgoraDeviceTrackLike extends AgoraLocalTrackLike {
  setDevice(deviceId: string): Promise<void>;
}

/** A subscribed remote track. */
export interface AgoraRemoteTrackLike {
  getMediaStreamTrack(): MediaStreamTrack;
}

/** IAgoraRTCRemoteUser. */
export interface AgoraRemoteUserLike {
  uid: AgoraUid;
  hasAudio: boolean;
  hasVideo: boolean;
  audioTrack?: AgoraRemoteTrackLike;
  videoTrack?: AgoraRemoteTrackLike;
}

/** Agora's 0-6 network quality (0 unknown, then the seed's 1-6). */
export interface AgoraNetworkQuality {
  uplinkNetworkQuality: number;
  downlinkNetworkQuality: number;
}

/** The per-remote-track statistics fields used (RemoteAudioTrackStats / RemoteVideoTrackStats). */
export interface AgoraRemoteTrackStats {
  /** One-way delay from the remote sender to this client, ms. */
  transportDelay: number;
  receivePackets: number;
  receivePacketsLost: number;
  receiveBytes: number;
}

/** The events the engine listens to, with Agora's listener signatures. */
export interface AgoraClientEvents {
  'connection-state-change': (current: AgoraConnectionState, previous: AgoraConnectionState, reason?: string) => void;
  'user-joined': (user: AgoraRemoteUserLike) => void;
  'user-left': (user: AgoraRemoteUserLike, reason: string) => void;
  'user-published': (user: AgoraRemoteUserLike, mediaType: 'audio' | 'video' | 'datachannel') => void;
  'user-unpublished': (user: AgoraRemoteUserLike, mediaType: 'audio' | 'video' | 'datachannel') => void;
  'token-privilege-will-expire': () => void;
  'token-privilege-did-expire': () => void;
  'network-quality': (stats: AgoraNetworkQuality) => void;
}

/** IAgoraRTCClient, the used part. */
export interface AgoraClientLike {
  readonly connectionState: AgoraConnectionState;
  on<K extends keyof AgoraClientEvents>(event: K, listener: AgoraClientEvents[K]): void;
  off<K extends keyof AgoraClientEvents>(event: K, listener: AgoraClientEvents[K]): void;
  join(appid: string, channel: string, token: string | null, uid?: AgoraUid | null): Promise<AgoraUid>;
  leave(): Promise<void>;
  /**
   * Agora types this as its own full ILocalTrack, which no structural subset can name; the engine
   * only ever passes tracks it got from `createMicrophoneAudioTrack` / `createCameraVideoTrack`.
   */
  // deno-lint-ignore no-explicit-any
  publish(tracks: any[]): Promise<void>;
  subscribe(uid: AgoraUid, mediaType: 'audio' | 'video'): Promise<unknown>;
  renewToken(token: string): Promise<void>;
  getRTCStats(): { RTT: number };
  getRemoteNetworkQuality(): Record<string, AgoraNetworkQuality>;
  getRemoteAudioStats(): Record<string, AgoraRemoteTrackStats>;
  getRemoteVideoStats(): Record<string, AgoraRemoteTrackStats>;
}

/** IAgoraRTC (the SDK's default export), the used part. */
export interface AgoraRtcLike {
  createClient(config: { mode: 'rtc' | 'live'; codec: 'vp8' | 'vp9' | 'h264' | 'av1' }): AgoraClientLike;
  createMicrophoneAudioTrack(config?: { microphoneId?: string }): Promise<AgoraDeviceTrackLike>;
  createCameraVideoTrack(config?: { cameraId?: string }): Promise<AgoraDeviceTrackLike>;
}
