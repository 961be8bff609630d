/**
 * The call layer's vocabulary, after the video-call seed (004): call status, page status, network
 * quality levels 1-6 and the device health status a pre-call check produces. Logic-free apart from
 * the `as const` tables; the grading lives in network-quality.ts.
 */

/**
 * Where a call is. The seed's NULL / CALLING / IN_CALL / FAILED plus the states its own code uses
 * (RECONNECTING) and the two a real call needs (ringing on the callee side, ended after hang-up).
 */
export const CallStatus = {
  /** No call. */
  Idle: 'idle',
  /** Outgoing call: ringing the other side, waiting for an answer. */
  Calling: 'calling',
  /** Incoming call: the local user has not answered yet. */
  Ringing: 'ringing',
  /** Both sides accepted; media is flowing or being set up. */
  InCall: 'in-call',
  /** Media connection lost; the reconnection manager is trying to restore it. */
  Reconnecting: 'reconnecting',
  /** The call could not be set up or restored (no answer, media failure, retries exhausted). */
  Failed: 'failed',
  /** The call finished normally (hang-up, decline, busy, cancel). */
  Ended: 'ended',
} as const;
export type CallStatus = (typeof CallStatus)[keyof typeof CallStatus];

/** How the call view is shown (the seed's VideoChatPageStatus; `normal` is its `Null`). */
export const PageStatus = {
  Normal: 'normal',
  Minimized: 'minimized',
  Fullscreen: 'fullscreen',
  PictureInPicture: 'picture-in-picture',
} as const;
export type PageStatus = (typeof PageStatus)[keyof typeof PageStatus];

/**
 * Network quality from 1 (best) to 6 (down), the seed's NetworkQualityLevel. Agora reports the same
 * scale (with 0 for unknown), so its figures map over unchanged.
 */
export const NetworkQualityLevel = {
  Excellent: 1,
  Good: 2,
  Poor: 3,
  Bad: 4,
  VeryBad: 5,
  Down: 6,
} as const;
export type NetworkQualityLevel = (typeof NetworkQualityLevel)[keyof typeof NetworkQualityLevel];

/** The seed's coarse three-way network verdict, plus `skipped` when nothing could be measured. */
export const NetworkQualityScore = {
  Excellent: 'excellent',
  Good: 'good',
  Poor: 'poor',
  /** No probe (no server connection): the network part of a check did not run. */
  Skipped: 'skipped',
} as const;
export type NetworkQualityScore = (typeof NetworkQualityScore)[keyof typeof NetworkQualityScore];

/** One network measurement, graded. Every figure comes from real samples, never a default. */
export interface NetworkQuality {
  /** Round-trip time in milliseconds (median of the samples); null when no reply came back at all. */
  rttMs: number | null;
  /** Variation in milliseconds (mean absolute difference of successive round trips, or the RTP jitter). */
  jitterMs: number | null;
  /** Lost fraction, 0..1. */
  packetLoss: number;
  /** The graded level. */
  level: NetworkQualityLevel;
}

/** Why a media device could not be used; each maps to guidance a person can follow. */
export const DeviceFailure = {
  /** The user (or a remembered choice) refused the permission. */
  Denied: 'denied',
  /** A Permissions-Policy or an enterprise policy forbids the device for this page. */
  BlockedByPolicy: 'blocked-by-policy',
  /** The operating system refuses access to the browser. */
  BlockedBySystem: 'blocked-by-system',
  /** Another application holds the device (NotReadableError). */
  InUse: 'in-use',
  /** No such device (NotFoundError / OverconstrainedError). */
  Missing: 'missing',
  /** The page is not a secure context, so `navigator.mediaDevices` does not exist. */
  InsecureContext: 'insecure-context',
  /** Anything else; the error name is kept in the result. */
  Unknown: 'unknown',
} as const;
export type DeviceFailure = (typeof DeviceFailure)[keyof typeof DeviceFailure];

/** Result of the speaker test. */
export const SpeakerCheck = {
  /** The user confirmed hearing the test sound. */
  Ok: 'ok',
  /** The user said they heard nothing, or the output device could not be set. */
  Failed: 'failed',
  /** Not run (yet). */
  Untested: 'untested',
} as const;
export type SpeakerCheck = (typeof SpeakerCheck)[keyof typeof SpeakerCheck];

/** The devices chosen in a check, remembered for the call. Empty string = the browser's default. */
export interface ChosenDevices {
  audioInput: string;
  videoInput: string;
  audioOutput: string;
}

/**
 * The outcome of a device check: the seed's `{audio, video, network}` plus the details a caller needs
 * to act on it (why a device failed, the measured network figures, the chosen devices).
 */
export interface DeviceHealthStatus {
  /** Microphone usable (permission granted and a live track obtained). */
  audio: boolean;
  /** Camera usable. */
  video: boolean;
  /** Coarse network verdict, or `skipped` when there was no server to measure against. */
  network: NetworkQualityScore;
  /** Why the microphone failed, when it did. */
  audioFailure: DeviceFailure | null;
  /** Why the camera failed, when it did. */
  videoFailure: DeviceFailure | null;
  /** The measured network figures; null when the network test was skipped or has not run. */
  networkQuality: NetworkQuality | null;
  /** Speaker test outcome; `setSinkId` support decides whether an output device can be chosen. */
  speaker: SpeakerCheck;
  /** The devices selected during the check. */
  devices: ChosenDevices;
}
