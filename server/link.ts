/**
 * What a session needs from a transport connection (WebSocket or WebTransport
 * stream), so that session.ts stays transport-agnostic.
 */

export const TransportKind = { WEBSOCKET: 'websocket', WEBTRANSPORT: 'webtransport' } as const;
export type TransportKind = (typeof TransportKind)[keyof typeof TransportKind];

/** Close codes the server uses (WebSocket close codes; WebTransport close codes carry the same numbers). */
export const CloseCode = {
  NORMAL: 1000,
  GOING_AWAY: 1001,
  PROTOCOL_ERROR: 4000,
  AUTH_FAILED: 4001,
  KICKED: 4002,
  HANDSHAKE_TIMEOUT: 4003,
  IDLE_TIMEOUT: 4004,
  FRAME_TOO_LARGE: 4005,
  SEND_QUEUE_OVERFLOW: 4008,
  UNSUPPORTED: 4009,
} as const;
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

export interface Link {
  readonly transport: TransportKind;
  /** Peer address, for logs. */
  readonly remoteAddr: string;
  /**
   * Writes encoded frames. `batched`: several frames may share one transport
   * message, each with a 4-byte big-endian length prefix (always the case on
   * a WebTransport stream; on WebSocket only when batching was negotiated).
   * Returns the number of wire bytes written.
   */
  write(frames: readonly Uint8Array[], batched: boolean): number;
  /** Bytes handed to the transport and not yet sent. */
  readonly backlog: number;
  /** Calls `fn` once the backlog has dropped below `bytes` (soon, not necessarily at once). */
  whenBelow(bytes: number, fn: () => void): void;
  /** Closes the transport (idempotent). */
  close(code: number, reason: string): void;
  /** Settles once the transport has fully closed (its close handshake done or the connection gone). */
  readonly done: Promise<void>;
}

/** What a transport calls on its session. */
export interface LinkHandler {
  /** One frame (a WebSocket message, or one deframed frame of the stream). */
  receive(bytes: Uint8Array): void;
  /** The transport closed (by either side); called once. */
  closed(code: number, reason: string): void;
}
