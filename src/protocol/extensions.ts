/**
 * Flare Web's extensions to the flare-core protocol: names and metadata keys,
 * logic-free, shared by the reference server and the client. docs/PROTOCOL.md
 * describes what each one means. Every extension rides on Payload or Custom
 * commands (or on metadata of frames flare-core already has), so a plain
 * flare-core peer can ignore them.
 *
 * Metadata values are UTF-8 text; numbers are decimal text; structured values
 * are JSON text.
 */

/** CustomCommand names. */
export const ExtCommand = {
  /** RPC request, either direction. Metadata: `id`, `method`, optional `timeout_ms`. Data: the request body. */
  RPC_REQUEST: 'flare.rpc.req',
  /** RPC response. Metadata: `id`; on failure `error` (a code) and `error_message`. Data: the result body. */
  RPC_RESPONSE: 'flare.rpc.res',
  /** One-way event, either direction. Metadata: `event`. Data: the body. */
  EVENT: 'flare.event',
  /** Named stream operation. Metadata: `sid`, `op`, and per op `name`, `credit`, `seq`, `ts`, `reason`. */
  STREAM: 'flare.stream',
  /** Presence change in a room (server to client). Metadata: `room`, `action`. Data: the member as JSON. */
  PRESENCE: 'flare.presence',
} as const;
export type ExtCommand = (typeof ExtCommand)[keyof typeof ExtCommand];

/** Stream operations (`op` metadata of `flare.stream`). */
export const StreamOp = {
  OPEN: 'open',
  DATA: 'data',
  CREDIT: 'credit',
  END: 'end',
  RESET: 'reset',
} as const;
export type StreamOp = (typeof StreamOp)[keyof typeof StreamOp];

/** Metadata keys of CONNECT (in SystemCommand.metadata) that flare-core does not define. */
export const ConnectKey = {
  /** `1`: the client accepts several length-prefixed frames per WebSocket message. */
  BATCH: 'batch',
  /** JSON `{"room": lastSeq, ...}`: join these rooms and replay what followed lastSeq. */
  ROOMS: 'rooms',
  /** Last direct-message sequence number seen; replays the inbox after it. */
  INBOX_SEQ: 'inbox_seq',
  /** JSON object of presence state announced in the rooms joined through `rooms`. */
  PRESENCE: 'presence',
  /** flare-core's: coexist | platform_exclusive | exclusive. */
  CONFLICT_STRATEGY: 'desired_conflict_strategy',
  /** The `history_epoch` the positions in `rooms` and `inbox_seq` belong to (from an earlier CONNECT_ACK). */
  HISTORY_EPOCH: 'history_epoch',
} as const;

/** Metadata keys of CONNECT_ACK added by this server. */
export const AckKey = {
  CONNECTION_ID: 'connection_id',
  USER_ID: 'user_id',
  SERVER: 'server',
  BATCH: 'batch',
  MAX_FRAME_BYTES: 'max_frame_bytes',
  IDLE_TIMEOUT_MS: 'idle_timeout_ms',
  /** flare-core's: JSON array of the connection ids this connection replaced. */
  CONFLICT_CONNECTIONS: 'conflict_connections',
  /** Comma-separated compressions the server supports. */
  COMPRESSIONS: 'compressions',
  /** `on` | `off`. */
  AUTH: 'auth',
  /** Opaque; changes when sequence numbers may have restarted (resume positions from another epoch are stale). */
  HISTORY_EPOCH: 'history_epoch',
} as const;

/** Metadata keys on payload frames (routing, sequencing) and on ACKs. */
export const RouteKey = {
  ROOM: 'room',
  TO: 'to',
  FROM: 'from',
  FROM_CONNECTION: 'from_connection',
  /** `1` on messages replayed from history (resume or `room.history`). */
  HISTORY: 'history',
  /** On ACKs of room / direct messages: the assigned sequence number. */
  SEQ: 'seq',
  /** flare-core's error ACK keys. */
  ERROR: 'error',
  ERROR_MESSAGE: 'error_message',
  /** Ours, on error ACKs: the error code. */
  ERROR_CODE: 'error_code',
} as const;

/** Metadata keys of server ERROR, CLOSE, KICKED and PONG frames. */
export const SystemKey = {
  /** ERROR: the error code (an ErrorCode value). */
  CODE: 'code',
  /** ERROR: the message id of the frame that caused it, when known. */
  REF: 'ref',
  /** CLOSE / KICKED: machine-readable reason. */
  REASON: 'reason',
  /** CLOSE at shutdown: when to reconnect, in ms. */
  RECONNECT_DELAY_MS: 'reconnect_delay_ms',
  /** KICKED (flare-core's). */
  PLATFORM: 'platform',
  NEW_DEVICE_ID: 'new_device_id',
  /** KICKED (ours). */
  NEW_CONNECTION_ID: 'new_connection_id',
  /** PONG: the PING's message id. */
  PING_ID: 'ping_id',
} as const;

/** Reasons in CLOSE / KICKED metadata. */
export const CloseReason = {
  SERVER_SHUTDOWN: 'server_shutdown',
  DEVICE_CONFLICT: 'device_conflict',
  TOKEN_EXPIRED: 'token_expired',
  IDLE_TIMEOUT: 'idle_timeout',
  SEND_QUEUE_OVERFLOW: 'send_queue_overflow',
  ADMIN: 'admin',
} as const;
