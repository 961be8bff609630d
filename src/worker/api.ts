/**
 * The worker's API as the main thread sees it through comlink: options,
 * commands and events. Logic-free (types and defaults only), like Comlink's
 * protocol.ts; the SDK imports these types and nothing else from the worker.
 */
import type { TransportKind } from './transport.ts';
import type { PriorityName } from './outbox.ts';
import type { SerializedError } from './transfer-handlers.ts';
import type { ConnectionState } from './codes.ts';
import type { ProtocolMetrics } from './scorer.ts';
import type { TokenInfo, TokenReason } from './token.ts';

/** How to reach the server and how to behave. Only `url` is required. */
export interface SessionOptions {
  /** Server base URL, `http(s)://host:port`; the transports' URLs derive from it. */
  url: string;
  /** Explicit WebSocket URL (default `ws(s)://host:port/ws`). */
  websocketUrl?: string;
  /** Explicit WebTransport URL (default `https://host:port/wt`). */
  webTransportUrl?: string;
  /**
   * SHA-256 (hex) of a self-signed server certificate, for WebTransport; or
   * `'auto'`: fetched from `certHashUrl` before the first WebTransport dial.
   */
  certHash?: string | null;
  /**
   * Where the certificate hash is served as hex text (default
   * `<url>/cert-hash` with `certHash: 'auto'`, else none). When set, the hash
   * is fetched again after a failed WebTransport dial, before the next one: a
   * development server makes a new certificate at every start.
   */
  certHashUrl?: string | null;
  /** Transports to race (default both). */
  transports?: TransportKind[];
  /** Preferred transport when scores are close (default webtransport). */
  preferredTransport?: TransportKind;
  userId?: string;
  /** Device id (default: random per worker; the same for every transport of this client). */
  deviceId?: string;
  platform?: string;
  model?: string;
  appVersion?: string;
  systemVersion?: string;
  /** Serialization after the handshake (default protobuf). */
  format?: 'protobuf' | 'json';
  forceFormat?: boolean;
  /** Compression preference, best first (default: what this build supports, lz4 then gzip then none). */
  compression?: string[];
  /** Ask for batched WebSocket messages (default true). */
  batch?: boolean;
  conflictStrategy?: 'coexist' | 'platform_exclusive' | 'exclusive';
  /** Presence state announced in rooms. */
  presence?: Record<string, unknown>;
  /** Per-transport dial timeout (default 5000 ms). */
  connectTimeoutMs?: number;
  /** CONNECT to CONNECT_ACK timeout (default 10000 ms). */
  handshakeTimeoutMs?: number;
  /** PING period (default 30000 ms, as flare-core). */
  heartbeatIntervalMs?: number;
  /** Silence that means death (default 90000 ms, as flare-core). */
  heartbeatTimeoutMs?: number;
  /** A PING unanswered this long starts a re-check (default 10000 ms). */
  heartbeatPongTimeoutMs?: number;
  autoReconnect?: boolean;
  reconnectInitialDelayMs?: number;
  reconnectMaxDelayMs?: number;
  reconnectMultiplier?: number;
  /** Attempts before Failed (default Infinity). */
  maxReconnectAttempts?: number;
  /** Move between transports while connected when the other is clearly better (default true). */
  autoSwitch?: boolean;
  /** How often live scoring looks at the other transport (default 30000 ms). */
  switchCheckIntervalMs?: number;
  outboxMaxEntries?: number;
  outboxMaxBytes?: number;
  /** Resend an un-ACKed message after this long (default 10000 ms). */
  resendAfterMs?: number;
  /** Keep the outbox in IndexedDB (default true where IndexedDB exists). */
  persistOutbox?: boolean;
  /** Load the WASM codec core (default true). */
  preferWasm?: boolean;
}

/** An outgoing message. */
export interface OutboundMessage {
  /** Default 'payload'. */
  kind?: 'payload' | 'custom' | 'notification';
  /** PayloadType or NotificationType (default MESSAGE / USER). */
  type?: number;
  /** CustomCommand name (kind 'custom'). */
  name?: string;
  /** Notification title (kind 'notification'). */
  title?: string;
  room?: string;
  to?: string;
  payload?: Uint8Array;
  metadata?: Record<string, string>;
  /**
   * true (default): through the outbox, resent until ACKed. false: sent now,
   * best-effort, or refused with NOT_CONNECTED while disconnected.
   */
  reliable?: boolean;
  priority?: PriorityName;
  /** Expire with MESSAGE_EXPIRED if not ACKed within this long. */
  ttlMs?: number;
  /** Message id (default: a new one). */
  id?: string;
}

/** What `send` answers at once; delivery follows as `delivery` / `acked` / `failed` events. */
export interface SendReceipt {
  id: string;
  state: 'queued' | 'sent';
}

/** An incoming message, as delivered to the main thread. */
export interface InboundMessage {
  id: string;
  kind: 'payload' | 'notification' | 'custom' | 'system';
  /** PayloadType, NotificationType or SystemType. */
  type: number;
  /** Custom command name or notification title. */
  name: string;
  room: string | null;
  from: string | null;
  to: string | null;
  seq: number;
  /** Replayed from history (resume or history request). */
  history: boolean;
  /** Server timestamp (Unix ms). */
  timestamp: number;
  /** Payload, content or data bytes (transferred, not copied). */
  payload: Uint8Array;
  /** Command metadata as text. */
  metadata: Record<string, string>;
  transport: TransportKind;
}

/** Connection statistics. */
export interface ConnectionStats {
  state: ConnectionState;
  transport: TransportKind | null;
  connectionId: string;
  connectedAt: number | null;
  reconnects: number;
  switches: number;
  messagesSent: number;
  messagesReceived: number;
  duplicatesDropped: number;
  outboxSize: number;
  outboxInFlight: number;
  rttMs: number | null;
  clockOffsetMs: number | null;
  metrics: ProtocolMetrics[];
  scores: Partial<Record<TransportKind, number>>;
}

/** Everything the worker tells the main thread, in batches. */
export type WorkerEvent =
  | { type: 'state'; from: ConnectionState; to: ConnectionState; code: string; reason: string }
  | { type: 'connected'; transport: TransportKind; connectionId: string; userId: string; reconnected: boolean; format: string; compression: string }
  | { type: 'message'; message: InboundMessage }
  | { type: 'acked'; id: string; seq: number | null }
  /** Reliable messages written to the connection (`sent`), or waiting again after it was lost (`queued`). */
  | { type: 'delivery'; state: 'sent' | 'queued'; ids: string[] }
  | { type: 'failed'; id: string; error: SerializedError }
  | { type: 'kicked'; reason: string; message: string }
  | { type: 'error'; error: SerializedError }
  | { type: 'rtt'; rttMs: number; clockOffsetMs: number | null }
  | { type: 'switched'; from: TransportKind; to: TransportKind; reason: string }
  | { type: 'race'; winner: TransportKind; decidedBy: string; scores: Partial<Record<TransportKind, number>> }
  | { type: 'gap'; stream: string; from: number; to: number; state: 'open' | 'skipped' };

/** Page signals the main thread forwards (workers see neither visibility nor resume). */
export type PageSignal = 'online' | 'offline' | 'visible' | 'hidden' | 'resume' | 'freeze';

/** Receives event batches (a comlink proxy on the main thread). */
export type EventSink = (events: WorkerEvent[]) => void;

/** The app's token source, as the worker calls it. */
export type RemoteTokenProvider = (ctx: { reason: TokenReason }) => Promise<string | TokenInfo | null>;

/** The object the worker exposes through comlink. */
export interface FlareWorkerApi {
  /** Sets options, the event sink and the token provider (comlink proxies). Call once, first. */
  init(options: SessionOptions, sink: EventSink, tokenProvider: RemoteTokenProvider | null): Promise<void>;
  /** Resolves when connected; rejects with a FlareError when the session fails or is kicked first. */
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  send(message: OutboundMessage): Promise<SendReceipt>;
  /**
   * A one-way channel for RPC requests (`flare.rpc.req`, best effort), the
   * hot path of `request()`: no call and no answer message per request. A
   * request that cannot be sent comes back as an RPC answer with an `error`
   * (e.g. not_connected) on the event sink. Dedicated workers only (the
   * SharedWorker hub routes each page's requests itself).
   */
  openRequestPort?(port: MessagePort): void;
  /** Rooms to resume on reconnect, with the last seq seen (null: from now). */
  trackRoom(room: string, lastSeq: number | null): void;
  untrackRoom(room: string): void;
  pageSignal(signal: PageSignal): void;
  /** Moves to the other transport now (tests, manual control). */
  switchTransport(kind: TransportKind): Promise<void>;
  stats(): ConnectionStats;
}

/**
 * What each page's port of the SharedWorker answers (hub.ts): the one engine
 * shared by every tab of the origin, plus the page's lifetime.
 */
export interface SharedPortApi extends FlareWorkerApi {
  /**
   * Names a Web Lock the page holds for as long as it lives; when the worker
   * can take it, the page is gone and its share is released.
   */
  watchLock(name: string): void;
  /** This page stops using the connection: its rooms, events and wish to stay connected. */
  release(): Promise<void>;
  /** Pages that track `room` (0: the connection no longer needs it). */
  roomUsers(room: string): number;
  /** Pages sharing the connection. */
  pages(): number;
}
