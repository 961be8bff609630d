/**
 * Every default of the connection worker in one place, and the resolution of
 * `SessionOptions` into what the parts need.
 */
import type { SessionOptions } from './api.ts';
import { BACKOFF_DEFAULTS } from './reconnect-policy.ts';
import { HEARTBEAT_DEFAULTS } from './heartbeat.ts';
import { OUTBOX_DEFAULTS } from './outbox.ts';
import { RACER_DEFAULTS } from './racer.ts';
import { endpointsOf, type TransportKind } from './transport.ts';
import { ErrorCode, FlareError } from '../codec/errors.ts';

/** The worker's defaults. */
export const SESSION_DEFAULTS = {
  transports: ['webtransport', 'websocket'] as TransportKind[],
  preferredTransport: 'webtransport' as TransportKind,
  platform: 'web',
  format: 'protobuf' as 'protobuf' | 'json',
  batch: true,
  connectTimeoutMs: RACER_DEFAULTS.dialTimeoutMs,
  handshakeTimeoutMs: 10_000,
  heartbeatIntervalMs: HEARTBEAT_DEFAULTS.intervalMs,
  heartbeatTimeoutMs: HEARTBEAT_DEFAULTS.timeoutMs,
  heartbeatPongTimeoutMs: HEARTBEAT_DEFAULTS.pongTimeoutMs,
  autoReconnect: true,
  reconnectInitialDelayMs: BACKOFF_DEFAULTS.initialDelayMs,
  reconnectMaxDelayMs: BACKOFF_DEFAULTS.maxDelayMs,
  reconnectMultiplier: BACKOFF_DEFAULTS.multiplier,
  maxReconnectAttempts: Infinity,
  autoSwitch: true,
  switchCheckIntervalMs: 30_000,
  /** A link on the preferred transport scoring at least this is not compared (saves dials). */
  healthyScore: 60,
  /** How long a link replaced by a migration keeps receiving before it is closed. */
  migrationDrainMs: 1000,
  outboxMaxEntries: OUTBOX_DEFAULTS.maxEntries,
  outboxMaxBytes: OUTBOX_DEFAULTS.maxBytes,
  resendAfterMs: OUTBOX_DEFAULTS.resendAfterMs,
  persistOutbox: true,
  preferWasm: true,
} as const;

/** Options with every default applied and URLs resolved. */
export type ResolvedOptions = Required<Omit<SessionOptions, 'userId' | 'model' | 'appVersion' | 'systemVersion' | 'conflictStrategy' | 'presence' | 'compression' | 'certHash' | 'certHashUrl'>> &
  Pick<SessionOptions, 'userId' | 'model' | 'appVersion' | 'systemVersion' | 'conflictStrategy' | 'presence' | 'compression'> & {
    /** A known hash (null: none, or fetched from `certHashUrl`). */
    certHash: string | null;
    /** Where to fetch the hash before a WebTransport dial after a failed one (null: never). */
    certHashUrl: string | null;
    healthyScore: number;
    migrationDrainMs: number;
  };

/** Applies defaults and checks values; throws INVALID_ARGUMENT with the offending option named. */
export function resolveOptions(o: SessionOptions, randomId: () => string): ResolvedOptions {
  if (!o || typeof o.url !== 'string') throw new FlareError(ErrorCode.INVALID_ARGUMENT, 'options.url is required');
  let ends: { websocket: string; webtransport: string };
  try {
    ends = endpointsOf(o.url);
  } catch (cause) {
    throw new FlareError(ErrorCode.INVALID_ARGUMENT, `options.url is not a URL: ${o.url}`, { cause });
  }
  const r = {
    ...SESSION_DEFAULTS,
    ...Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)),
    websocketUrl: o.websocketUrl ?? ends.websocket,
    webTransportUrl: o.webTransportUrl ?? ends.webtransport,
    deviceId: o.deviceId ?? `web-${randomId()}`,
    certHash: o.certHash === 'auto' ? null : (o.certHash ?? null),
    certHashUrl: o.certHashUrl ?? (o.certHash === 'auto' ? new URL('/cert-hash', o.url).href : null),
  } as ResolvedOptions;
  for (const k of ['connectTimeoutMs', 'handshakeTimeoutMs', 'heartbeatIntervalMs', 'heartbeatTimeoutMs', 'heartbeatPongTimeoutMs', 'switchCheckIntervalMs', 'resendAfterMs'] as const) {
    if (!(r[k] > 0)) throw new FlareError(ErrorCode.INVALID_ARGUMENT, `options.${k} must be > 0`, { details: { option: k, value: r[k] } });
  }
  if (!Array.isArray(r.transports) || r.transports.length === 0 || r.transports.some((t) => t !== 'websocket' && t !== 'webtransport')) {
    throw new FlareError(ErrorCode.INVALID_ARGUMENT, 'options.transports must list websocket and/or webtransport');
  }
  if (r.format !== 'protobuf' && r.format !== 'json') throw new FlareError(ErrorCode.INVALID_ARGUMENT, `options.format must be protobuf or json`);
  return r;
}
