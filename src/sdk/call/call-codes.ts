/**
 * Reason codes for call status transitions, grouped by the transition they explain (as centrifuge-js
 * groups its codes). Every `CallStateManager.setState` carries one of these plus a readable reason.
 */

/** Why a call started ringing or calling. */
export const StartCode = {
  OUTGOING: 'outgoing',
  INCOMING: 'incoming',
} as const;

/** Why a call became active (again). */
export const ConnectCode = {
  ACCEPTED: 'accepted',
  RECONNECTED: 'reconnected',
} as const;

/** Why the media connection is being restored. */
export const ReconnectCode = {
  CONNECTION_LOST: 'connection-lost',
  ICE_FAILED: 'ice-failed',
} as const;

/** Why a call ended normally. */
export const EndCode = {
  LOCAL_HANGUP: 'local-hangup',
  REMOTE_HANGUP: 'remote-hangup',
  DECLINED: 'declined',
  REMOTE_DECLINED: 'remote-declined',
  BUSY: 'busy',
  CANCELLED: 'cancelled',
  REMOTE_CANCELLED: 'remote-cancelled',
  /** The callee did not answer before the incoming call timed out (a missed call). */
  MISSED: 'missed',
} as const;

/** Why a call failed. */
export const FailCode = {
  /** The caller's no-answer timeout fired (the seed's CallTimeoutManager). */
  NO_ANSWER: 'no-answer',
  MEDIA_FAILED: 'media-failed',
  RECONNECT_EXHAUSTED: 'reconnect-exhausted',
  SIGNALLING_FAILED: 'signalling-failed',
} as const;

/** Back to idle. */
export const ResetCode = {
  RESET: 'reset',
} as const;

/** Every transition code. */
export type CallStateCode =
  | (typeof StartCode)[keyof typeof StartCode]
  | (typeof ConnectCode)[keyof typeof ConnectCode]
  | (typeof ReconnectCode)[keyof typeof ReconnectCode]
  | (typeof EndCode)[keyof typeof EndCode]
  | (typeof FailCode)[keyof typeof FailCode]
  | (typeof ResetCode)[keyof typeof ResetCode];
