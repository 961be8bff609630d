/**
 * The media side of a call behind one small interface, so the call layer does not care whether media
 * goes peer to peer (webrtc-engine.ts, signalled over Flare) or through Agora's cloud (agora-engine.ts).
 */
import type { CallMedia } from './call-signals.ts';
import type { ChosenDevices, NetworkQuality } from './call-types.ts';
import type { ParticipantConnection } from './call-state-manager.ts';

/** Which engine. */
export const RtcEngineKind = {
  WebRtc: 'webrtc',
  Agora: 'agora',
} as const;
export type RtcEngineKind = (typeof RtcEngineKind)[keyof typeof RtcEngineKind];

/** What `join` needs. */
export interface RtcJoinOptions {
  /** The call this media belongs to (the Agora engine's default channel name). */
  callId: string;
  /** The local user's id. */
  selfId: string;
  /** Remote user ids to connect to (peer to peer); channel engines discover peers themselves. */
  peers: readonly string[];
  /** Which local media to send. */
  media: CallMedia;
  /** Devices to capture from; empty or absent = the browser's default. */
  devices?: Partial<ChosenDevices>;
}

/** Statistics of the media path to one remote participant. */
export interface ParticipantStats extends NetworkQuality {
  participantId: string;
  /** Video frames decoded from this participant so far (0 for audio-only or Agora without stats). */
  framesDecoded: number;
  /** Media bytes received from this participant so far. */
  bytesReceived: number;
}

/** Events of an engine; each listener gets one context object. */
export interface RtcEngineEvents {
  /** The local capture changed (join, camera on, device switch). */
  'local-tracks': { audio: MediaStreamTrack | null; video: MediaStreamTrack | null };
  /** A remote participant's track arrived (or was replaced). */
  'remote-track': { participantId: string; kind: 'audio' | 'video'; track: MediaStreamTrack; stream: MediaStream };
  /** A remote participant stopped sending a kind of media. */
  'remote-track-removed': { participantId: string; kind: 'audio' | 'video' };
  'participant-joined': { participantId: string };
  'participant-left': { participantId: string; reason: string };
  /** The media connection to a participant changed state (`reconnecting` is visible on both sides). */
  'participant-connection': { participantId: string; connection: ParticipantConnection };
  /** A participant switched its microphone or camera. */
  'remote-media-state': { participantId: string; audioEnabled: boolean; videoEnabled: boolean };
  /** The media connection is lost and will not come back by itself: the call should reconnect. */
  'connection-failed': { participantId: string | null; reason: string };
}

/** A media engine for one call at a time. */
export interface RtcEngine {
  readonly kind: RtcEngineKind;
  /** Local capture for the preview tile; null before join or after leave. */
  readonly localStream: MediaStream | null;
  /** Captures local media and connects to the call's media. */
  join(options: RtcJoinOptions): Promise<void>;
  /** Disconnects and stops local capture. Safe to call twice. */
  leave(): Promise<void>;
  /** Mutes or unmutes the microphone (capture keeps running for a fast unmute). */
  setMicrophoneMuted(muted: boolean): Promise<void>;
  /** Turns the camera off (releasing the device) or on again. */
  setCameraEnabled(enabled: boolean): Promise<void>;
  /** Switches the capture device mid-call without renegotiating. */
  switchDevice(kind: 'audioinput' | 'videoinput', deviceId: string): Promise<void>;
  /** Graded statistics per remote participant, from the engine's real statistics. */
  getStats(): Promise<ParticipantStats[]>;
  /**
   * One reconnection attempt (the ReconnectionManager's hook): ICE restart for WebRTC, leave and join
   * for Agora. Resolves when media is connected again; rejects when this attempt failed.
   */
  restart(context: { retryCount: number; signal: AbortSignal }): Promise<void>;
  /** Adds an event listener; returns the unsubscribe function. */
  on<K extends keyof RtcEngineEvents>(type: K, listener: (event: RtcEngineEvents[K]) => void): () => void;
}

/** The part of `MediaDevices` the engines and the device check use (a test seam). */
export type MediaDevicesLike = Pick<MediaDevices, 'getUserMedia' | 'enumerateDevices' | 'addEventListener' | 'removeEventListener'>;

/** Builds getUserMedia constraints for the chosen media and devices. */
export function captureConstraints(media: CallMedia, devices: Partial<ChosenDevices> = {}): MediaStreamConstraints {
  const pick = (id: string | undefined): MediaTrackConstraints | true => (id ? { deviceId: { exact: id } } : true);
  return {
    audio: media.audio ? pick(devices.audioInput) : false,
    video: media.video ? pick(devices.videoInput) : false,
  };
}

/**
 * Captures local media; a remembered device that has gone away (OverconstrainedError / NotFoundError
 * for an exact id) falls back to the default device instead of failing the call.
 */
export async function captureLocalMedia(
  mediaDevices: Pick<MediaDevices, 'getUserMedia'>,
  media: CallMedia,
  devices: Partial<ChosenDevices> = {},
): Promise<MediaStream> {
  if (!media.audio && !media.video) return new MediaStream();
  try {
    return await mediaDevices.getUserMedia(captureConstraints(media, devices));
  } catch (error) {
    const name = (error as { name?: string }).name;
    const pinned = Boolean((media.audio && devices.audioInput) || (media.video && devices.videoInput));
    if (pinned && (name === 'OverconstrainedError' || name === 'NotFoundError')) {
      return mediaDevices.getUserMedia(captureConstraints(media));
    }
    throw error;
  }
}
