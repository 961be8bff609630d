/**
 * The call signals exchanged over the Flare connection, and the `CallSignaller` the SDK implements to
 * carry them. Logic-free wire types (as Comlink's protocol.ts): every signal is a plain, JSON-safe
 * object tagged by `type` and scoped by `callId`.
 */

/** Which media a call asks for. */
export interface CallMedia {
  audio: boolean;
  video: boolean;
}

/** Call setup and teardown (call-signalling.ts). */
export type CallControlSignal =
  | { type: 'ring'; callId: string; media: CallMedia; /** Media engine the caller will use. */ engine: string }
  | { type: 'accept'; callId: string }
  | { type: 'decline'; callId: string; /** `no-answer` when the callee's ringing timed out. */ reason?: string }
  | { type: 'busy'; callId: string }
  | { type: 'cancel'; callId: string }
  | { type: 'hangup'; callId: string };

/** Media negotiation of the built-in WebRTC engine (webrtc-engine.ts). */
export type CallMediaSignal =
  | { type: 'description'; callId: string; description: RTCSessionDescriptionInit }
  | { type: 'candidate'; callId: string; candidate: RTCIceCandidateInit }
  | { type: 'media-state'; callId: string; audio: boolean; video: boolean };

/** Every call signal. */
export type CallSignal = CallControlSignal | CallMediaSignal;

/** One received signal with its sender. */
export interface IncomingCallSignal {
  from: string;
  signal: CallSignal;
}

/**
 * Carries call signals between users. The SDK implements it over the Flare connection (a message to
 * one user id); tests link two in-page instances. Delivery must keep the order of one sender's signals.
 */
export interface CallSignaller {
  /** Sends `signal` to the user `to`. */
  send(to: string, signal: CallSignal): void | Promise<void>;
  /** Calls `handler` for every signal addressed to this user; returns the unsubscribe function. */
  onSignal(handler: (event: IncomingCallSignal) => void): () => void;
}
