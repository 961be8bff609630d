/**
 * FlareClient's options: every default in one place, validation with errors
 * that name the option, and the translation into the worker's
 * `SessionOptions`. The builder (builder.ts) and `new FlareClient({...})`
 * both end here, so a bad option fails the same way on either path.
 */
import { ErrorCode, FlareError } from '../codec/errors.ts';
import type { SessionOptions } from '../worker/api.ts';
import type { Middleware } from './middleware.ts';

/** A transport. `quic` is accepted as the seed's name for WebTransport (HTTP/3 over QUIC). */
export type Protocol = 'webtransport' | 'websocket';
export type ProtocolInput = Protocol | 'quic';

/** What the app's token source receives. */
export interface TokenContext {
  reason: 'connect' | 'reconnect' | 'refresh' | 'rejected';
}

/** Returns a token (or `{token, expiresAt}`), or null for none. Asked before every connect and ahead of expiry. */
export type GetToken = (ctx: TokenContext) => Promise<string | { token: string; expiresAt?: number | null } | null> | string | { token: string; expiresAt?: number | null } | null;

/** Resend policy of reliable messages (the seed's `message_retry(max_retries, retry_delay_ms)`). */
export interface MessageRetry {
  /** Resends before the message fails with MESSAGE_EXPIRED (default Infinity: until ACKed). */
  maxRetries: number;
  /** Wait for an ACK before resending (default 10000 ms). */
  retryDelayMs: number;
}

/** Everything `new FlareClient(options)` takes. Only `url` is required. */
export interface FlareClientOptions {
  /** Server base URL, `http(s)://host:port`. */
  url: string;
  userId?: string;
  /** A fixed token. */
  token?: string;
  /** A token source, asked again on reconnects and before expiry (wins over `token`). */
  getToken?: GetToken;
  /** SHA-256 (hex) of a self-signed development certificate, for WebTransport. */
  certHash?: string | null;
  /** Transports to race (default both). */
  protocols?: ProtocolInput[];
  /** Transport preferred when scores are close (default webtransport). */
  preferredProtocol?: ProtocolInput;
  /** Per-transport dial timeout (default 5000 ms). */
  connectionTimeoutMs?: number;
  /** PING interval (default 30000 ms). */
  heartbeatIntervalMs?: number;
  /** Silence after which the connection counts as dead (default 3 heartbeat intervals). */
  heartbeatTimeoutMs?: number;
  /** Reconnect attempts before giving up (default Infinity). */
  maxReconnectAttempts?: number;
  /** Reconnect by itself when the connection drops (default true). */
  autoReconnect?: boolean;
  /** Move to the other transport while connected when it is clearly better (default true). */
  autoSwitch?: boolean;
  messageRetry?: Partial<MessageRetry>;
  /** Most messages the outbox holds while disconnected (the seed's `buffer_size`; default 1000). */
  bufferSize?: number;
  /** Serialization after the handshake (default protobuf). */
  format?: 'protobuf' | 'json';
  /** Compression preference, best first (default lz4, gzip, none). */
  compression?: string[];
  deviceId?: string;
  platform?: string;
  conflictStrategy?: 'coexist' | 'platform_exclusive' | 'exclusive';
  /** Presence state announced in rooms. */
  presence?: Record<string, unknown>;
  /** Keep queued messages in IndexedDB across reloads (default true). */
  persistOutbox?: boolean;
  /** Run the connection in a SharedWorker so every tab of the origin shares it (default false). */
  shared?: boolean;
  /**
   * Run the connection on the page's thread instead of a worker (default false;
   * also what happens where the browser has no Worker). Round trips are about
   * 0.8 ms faster (no thread hops), but decoding then shares the main thread
   * with the page, and `shared` is not possible.
   */
  inPage?: boolean;
  /** Where the worker script is (default: next to the SDK, see worker-link.ts). */
  workerUrl?: string | URL;
  /** Default RPC timeout (default 10000 ms). */
  requestTimeoutMs?: number;
  /** Data frames a stream lets the peer send ahead (default 64). */
  streamWindow?: number;
  /** Messages a Room keeps in its `messages` signal (default 500). */
  roomMessageLimit?: number;
  /** Hooks on outgoing and incoming frames, in order. */
  middleware?: Middleware[];
}

/** The SDK's defaults (the worker's own defaults are in src/worker/options.ts). */
export const CLIENT_DEFAULTS: {
  readonly protocols: readonly Protocol[];
  readonly preferredProtocol: Protocol;
  readonly connectionTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
  readonly maxReconnectAttempts: number;
  readonly autoReconnect: boolean;
  readonly autoSwitch: boolean;
  readonly messageRetry: Readonly<MessageRetry>;
  readonly bufferSize: number;
  readonly format: 'protobuf' | 'json';
  readonly persistOutbox: boolean;
  readonly shared: boolean;
  readonly inPage: boolean;
  readonly requestTimeoutMs: number;
  readonly streamWindow: number;
  readonly roomMessageLimit: number;
} = {
  protocols: ['webtransport', 'websocket'],
  preferredProtocol: 'webtransport',
  connectionTimeoutMs: 5000,
  heartbeatIntervalMs: 30_000,
  maxReconnectAttempts: Infinity,
  autoReconnect: true,
  autoSwitch: true,
  messageRetry: { maxRetries: Infinity, retryDelayMs: 10_000 },
  bufferSize: 1000,
  format: 'protobuf',
  persistOutbox: true,
  shared: false,
  inPage: false,
  requestTimeoutMs: 10_000,
  streamWindow: 64,
  roomMessageLimit: 500,
};

/** Options after defaults and checks. */
export type ResolvedClientOptions = Omit<FlareClientOptions, 'protocols' | 'preferredProtocol' | 'messageRetry' | 'middleware'> &
  Omit<typeof CLIENT_DEFAULTS, 'protocols' | 'preferredProtocol' | 'messageRetry'> & {
    protocols: Protocol[];
    preferredProtocol: Protocol;
    messageRetry: MessageRetry;
    middleware: Middleware[];
  };

const invalid = (option: string, message: string, value: unknown): FlareError =>
  new FlareError(ErrorCode.INVALID_ARGUMENT, `FlareClient option ${option} ${message}`, { details: { option, value: typeof value === 'function' ? 'function' : value } });

function protocolOf(option: string, p: unknown): Protocol {
  if (p === 'quic' || p === 'webtransport') return 'webtransport';
  if (p === 'websocket') return 'websocket';
  throw invalid(option, `must be 'webtransport' (or 'quic') or 'websocket', got ${JSON.stringify(p)}`, p);
}

function positive(option: string, v: unknown, opts: { integer?: boolean; zero?: boolean; infinite?: boolean } = {}): void {
  const ok =
    typeof v === 'number' &&
    !Number.isNaN(v) &&
    (opts.zero ? v >= 0 : v > 0) &&
    (Number.isFinite(v) ? !opts.integer || Number.isInteger(v) : opts.infinite === true && v === Infinity);
  if (!ok) throw invalid(option, `must be a ${opts.integer ? 'whole ' : ''}number ${opts.zero ? '>= 0' : '> 0'}${opts.infinite ? ' (or Infinity)' : ''}, got ${String(v)}`, v);
}

/** Applies defaults and checks every option; throws FlareError INVALID_ARGUMENT naming the first bad one. */
export function resolveClientOptions(o: FlareClientOptions): ResolvedClientOptions {
  if (!o || typeof o !== 'object') throw invalid('(options)', 'must be an object', o);
  if (typeof o.url !== 'string' || o.url === '') throw invalid('url', 'is required (the server base URL, http(s)://host:port)', o.url);
  let u: URL;
  try {
    u = new URL(o.url);
  } catch {
    throw invalid('url', `is not a URL: ${o.url}`, o.url);
  }
  if (!['http:', 'https:'].includes(u.protocol)) throw invalid('url', `must be http(s)://host:port (the WebSocket and WebTransport URLs derive from it), got ${o.url}`, o.url);
  if (o.userId !== undefined && (typeof o.userId !== 'string' || o.userId === '')) throw invalid('userId', 'must be a non-empty string', o.userId);
  if (o.token !== undefined && typeof o.token !== 'string') throw invalid('token', 'must be a string', o.token);
  if (o.getToken !== undefined && typeof o.getToken !== 'function') throw invalid('getToken', 'must be a function', o.getToken);
  const defined = Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as FlareClientOptions;
  const protocols = (o.protocols ?? CLIENT_DEFAULTS.protocols).map((p) => protocolOf('protocols', p));
  if (protocols.length === 0) throw invalid('protocols', 'must name at least one transport', o.protocols);
  const r: ResolvedClientOptions = {
    ...CLIENT_DEFAULTS,
    ...defined,
    protocols: [...new Set(protocols)],
    preferredProtocol: protocolOf('preferredProtocol', o.preferredProtocol ?? CLIENT_DEFAULTS.preferredProtocol),
    messageRetry: { ...CLIENT_DEFAULTS.messageRetry, ...(o.messageRetry ?? {}) },
    middleware: [...(o.middleware ?? [])],
  };
  positive('connectionTimeoutMs', r.connectionTimeoutMs);
  positive('heartbeatIntervalMs', r.heartbeatIntervalMs);
  if (r.heartbeatTimeoutMs !== undefined) {
    positive('heartbeatTimeoutMs', r.heartbeatTimeoutMs);
    if (r.heartbeatTimeoutMs <= r.heartbeatIntervalMs) throw invalid('heartbeatTimeoutMs', `must be longer than heartbeatIntervalMs (${r.heartbeatIntervalMs})`, r.heartbeatTimeoutMs);
  }
  positive('maxReconnectAttempts', r.maxReconnectAttempts, { integer: true, zero: true, infinite: true });
  positive('messageRetry.maxRetries', r.messageRetry.maxRetries, { integer: true, zero: true, infinite: true });
  positive('messageRetry.retryDelayMs', r.messageRetry.retryDelayMs);
  positive('bufferSize', r.bufferSize, { integer: true });
  positive('requestTimeoutMs', r.requestTimeoutMs);
  positive('streamWindow', r.streamWindow, { integer: true });
  positive('roomMessageLimit', r.roomMessageLimit, { integer: true });
  for (const k of ['autoReconnect', 'autoSwitch', 'persistOutbox', 'shared', 'inPage'] as const) {
    if (typeof r[k] !== 'boolean') throw invalid(k, `must be true or false, got ${String(r[k])}`, r[k]);
  }
  if (r.inPage && r.shared) throw invalid('inPage', 'cannot be combined with shared (tabs share a connection through a SharedWorker)', r.inPage);
  if (r.format !== 'protobuf' && r.format !== 'json') throw invalid('format', `must be 'protobuf' or 'json', got ${String(r.format)}`, r.format);
  if (r.workerUrl !== undefined && typeof r.workerUrl !== 'string' && !(r.workerUrl instanceof URL)) throw invalid('workerUrl', 'must be a string or URL', r.workerUrl);
  if (!r.middleware.every((m) => m && typeof m === 'object')) throw invalid('middleware', 'must be a list of middleware objects', o.middleware);
  return r;
}

/** TTL of a reliable message under the retry policy (undefined: until ACKed). */
export function messageTtlMs(r: MessageRetry): number | undefined {
  return r.maxRetries === Infinity ? undefined : (r.maxRetries + 1) * r.retryDelayMs;
}

/** The worker's options for these client options. */
export function toSessionOptions(r: ResolvedClientOptions): SessionOptions {
  const s: SessionOptions = {
    url: r.url,
    userId: r.userId,
    certHash: r.certHash ?? null,
    transports: r.protocols,
    preferredTransport: r.preferredProtocol,
    connectTimeoutMs: r.connectionTimeoutMs,
    heartbeatIntervalMs: r.heartbeatIntervalMs,
    heartbeatTimeoutMs: r.heartbeatTimeoutMs ?? 3 * r.heartbeatIntervalMs,
    autoReconnect: r.autoReconnect,
    maxReconnectAttempts: r.maxReconnectAttempts,
    autoSwitch: r.autoSwitch,
    resendAfterMs: r.messageRetry.retryDelayMs,
    outboxMaxEntries: r.bufferSize,
    format: r.format,
    compression: r.compression,
    deviceId: r.deviceId,
    platform: r.platform,
    conflictStrategy: r.conflictStrategy,
    presence: r.presence,
    persistOutbox: r.persistOutbox,
  };
  // Drop undefined keys: the worker applies its own defaults to missing ones, and comlink clones less.
  return Object.fromEntries(Object.entries(s).filter(([, v]) => v !== undefined)) as unknown as SessionOptions;
}
