/**
 * Connection states and the reason codes of every transition, in one place.
 *
 * Each code belongs to exactly one target state: a transition to `Connected`
 * carries a `ConnectedCode`, a transition to `Reconnecting` a
 * `ReconnectingCode`, and so on. The state machine (state-machine.ts) refuses
 * a code that does not belong to the target state, so a listener can switch
 * on the code without guessing which transition it came from.
 */

/** The states of one client connection. */
export const ConnectionState = {
  /** Not connected and not trying; the start state and the end of `disconnect()`. */
  Disconnected: 'disconnected',
  /** First attempt after `connect()`: racing transports and handshaking. */
  Connecting: 'connecting',
  /** Handshake complete (CONNECT_ACK received, NEGOTIATION_READY sent). */
  Connected: 'connected',
  /** Lost the connection; waiting for the next attempt or attempting. */
  Reconnecting: 'reconnecting',
  /** Gave up (retries exhausted, authentication refused); `connect()` starts over. */
  Failed: 'failed',
  /** The server ended the session (KICKED); never reconnects by itself. */
  Kicked: 'kicked',
} as const;
export type ConnectionState = (typeof ConnectionState)[keyof typeof ConnectionState];

/** Why the client entered `Connecting`. */
export const ConnectingCode = {
  /** The app called `connect()`. */
  CONNECT_CALLED: 'connect_called',
} as const;
export type ConnectingCode = (typeof ConnectingCode)[keyof typeof ConnectingCode];

/** Why the client entered `Connected`. */
export const ConnectedCode = {
  /** The first handshake of this `connect()` completed. */
  HANDSHAKE_COMPLETE: 'handshake_complete',
  /** A handshake completed after a reconnect. */
  RECONNECTED: 'reconnected',
} as const;
export type ConnectedCode = (typeof ConnectedCode)[keyof typeof ConnectedCode];

/** Why the client entered `Reconnecting`. */
export const ReconnectingCode = {
  /** The transport closed or errored without a KICKED or a fatal refusal. */
  TRANSPORT_CLOSED: 'transport_closed',
  /** No PONG (nor any other frame) for longer than the heartbeat timeout. */
  HEARTBEAT_TIMEOUT: 'heartbeat_timeout',
  /** No transport could be opened, or the handshake did not finish in time. */
  CONNECT_FAILED: 'connect_failed',
  /** The server announced a shutdown (CLOSE), possibly with a suggested retry delay. */
  SERVER_CLOSE: 'server_close',
  /** The browser reports that the network is gone (`offline`). */
  NETWORK_LOST: 'network_lost',
  /** The token is about to expire; reconnecting with a fresh one from the provider. */
  TOKEN_REFRESH: 'token_refresh',
} as const;
export type ReconnectingCode = (typeof ReconnectingCode)[keyof typeof ReconnectingCode];

/** Why the client entered `Disconnected`. */
export const DisconnectedCode = {
  /** The app called `disconnect()`. */
  DISCONNECT_CALLED: 'disconnect_called',
} as const;
export type DisconnectedCode = (typeof DisconnectedCode)[keyof typeof DisconnectedCode];

/** Why the client entered `Failed`. */
export const FailedCode = {
  /** The reconnect policy returned null (attempts exhausted). */
  RETRIES_EXHAUSTED: 'retries_exhausted',
  /** The server refused the token (after one refresh from the provider). */
  AUTH_FAILED: 'auth_failed',
  /** The token provider threw or returned nothing. */
  TOKEN_UNAVAILABLE: 'token_unavailable',
  /** The server answered with something that is not the flare-core handshake. */
  PROTOCOL_ERROR: 'protocol_error',
  /** Automatic reconnection is off and the connection was lost. */
  CONNECTION_LOST: 'connection_lost',
  /** Automatic reconnection is off and the first attempt did not connect. */
  UNREACHABLE: 'unreachable',
} as const;
export type FailedCode = (typeof FailedCode)[keyof typeof FailedCode];

/** Why the client entered `Kicked`. */
export const KickedCode = {
  /** Another device of the same user took over (flare-core `reason=device_conflict`). */
  DEVICE_CONFLICT: 'device_conflict',
  /** KICKED for any other reason the server gave. */
  SERVER_KICK: 'server_kick',
} as const;
export type KickedCode = (typeof KickedCode)[keyof typeof KickedCode];

/** The reason codes of each target state. */
export const CodesByState = {
  [ConnectionState.Disconnected]: DisconnectedCode,
  [ConnectionState.Connecting]: ConnectingCode,
  [ConnectionState.Connected]: ConnectedCode,
  [ConnectionState.Reconnecting]: ReconnectingCode,
  [ConnectionState.Failed]: FailedCode,
  [ConnectionState.Kicked]: KickedCode,
} as const;

/** The code type that goes with a target state. */
export type CodeFor<S extends ConnectionState> = (typeof CodesByState)[S][keyof (typeof CodesByState)[S]];

/** Any transition code. */
export type TransitionCode =
  | ConnectingCode
  | ConnectedCode
  | ReconnectingCode
  | DisconnectedCode
  | FailedCode
  | KickedCode;

/** Whether `code` is one of the reason codes of `state`. */
export function isCodeOf(state: ConnectionState, code: string): boolean {
  return (Object.values(CodesByState[state]) as string[]).includes(code);
}
