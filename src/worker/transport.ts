/**
 * The one small interface both transports implement, so that the racer and
 * the session never care which one they hold.
 *
 * A transport moves opaque frame bytes: the session encodes and compresses.
 * On WebTransport every frame travels length-prefixed on one bidirectional
 * stream; on WebSocket each frame is one binary message, or, once the batch
 * extension is negotiated, one message carries several length-prefixed frames.
 */
import type { FlareError } from '../codec/errors.ts';

/** Which transport. */
export type TransportKind = 'webtransport' | 'websocket';

/** Close codes with a meaning for the client (the reference server's; WebTransport carries the same numbers). */
export const TransportCloseCode = {
  NORMAL: 1000,
  GOING_AWAY: 1001,
  /** The connection dropped without a close frame (WebSocket 1006). */
  ABNORMAL: 1006,
  PROTOCOL_ERROR: 4000,
  AUTH_FAILED: 4001,
  KICKED: 4002,
  HANDSHAKE_TIMEOUT: 4003,
  IDLE_TIMEOUT: 4004,
  FRAME_TOO_LARGE: 4005,
  SEND_QUEUE_OVERFLOW: 4008,
  UNSUPPORTED: 4009,
} as const;

/** How a transport ended. */
export interface TransportCloseInfo {
  /** WebSocket close code or WebTransport closeCode (1006 when it just dropped). */
  readonly code: number;
  readonly reason: string;
  /** True when this side called `close()`. */
  readonly local: boolean;
  /** What went wrong, when something did (a read error, a corrupt stream). */
  readonly error?: FlareError;
}

/**
 * What a transport reports. Set once, at `open`. A handler that throws never
 * stops the transport: the exception is rethrown in a task of its own.
 */
export interface TransportHandlers {
  /** Frames that arrived together (one WebSocket message, or one stream chunk), in order. */
  frames(frames: Uint8Array[]): void;
  /** One datagram (WebTransport only). */
  datagram?(bytes: Uint8Array): void;
  /**
   * Bytes the transport dropped and the connection survives (a WebSocket
   * message over the frame limit, or a batch whose framing is broken).
   */
  dropped?(error: FlareError): void;
  /** Called exactly once, after a successful `open`, whoever closed. */
  closed(info: TransportCloseInfo): void;
}

/** One connection to the server over one transport. */
export interface Transport {
  readonly kind: TransportKind;
  /** The URL dialled. */
  readonly url: string;
  /** True between a successful `open` and the close. */
  readonly isOpen: boolean;
  /** Bytes handed to the transport and not yet sent. */
  readonly bufferedAmount: number;
  /** Largest datagram, or 0 when the transport has none (WebSocket). */
  readonly maxDatagramSize: number;
  /**
   * Dials. Resolves once frames can be sent; rejects with a FlareError
   * (TRANSPORT_UNAVAILABLE, TRANSPORT_CLOSED, ABORTED when `signal` aborts).
   * Called at most once per instance.
   */
  open(handlers: TransportHandlers, signal?: AbortSignal): Promise<void>;
  /** Sends frames in order; the transport may coalesce them into one write. */
  send(frames: readonly Uint8Array[]): void;
  /** Turns on length-prefixed batches on WebSocket (no-op on WebTransport, which always frames). */
  setBatched(on: boolean): void;
  /** Sends one datagram; false when unsupported or too large. */
  sendDatagram(bytes: Uint8Array): boolean;
  /** Closes (idempotent); `closed` follows with `local: true`. */
  close(code?: number, reason?: string): void;
}

/** Builds a transport of one kind for one server. */
export type TransportFactory = () => Transport;

/** Where the reference server listens, derived from its base URL (`http(s)://host:port`). */
export function endpointsOf(baseUrl: string): { websocket: string; webtransport: string } {
  const u = new URL(baseUrl);
  const ws = new URL('/ws', u);
  ws.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
  const wt = new URL('/wt', u);
  wt.protocol = 'https:';
  return { websocket: ws.href, webtransport: wt.href };
}

/** A hex SHA-256 string (as the server's `/cert-hash` serves it) as bytes. */
export function hexToBytes(hex: string): Uint8Array<ArrayBuffer> {
  const clean = hex.replace(/[^0-9a-f]/gi, '');
  if (clean.length % 2 !== 0) throw new RangeError('hex string of odd length');
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(i * 2, i * 2 + 2), 16);
  return out;
}
