/**
 * The Flare IM seed's builder, as chainable setters over
 * {@link FlareClientOptions}:
 *
 * ```ts
 * FlareClient.builder('alice', 'https://chat.example')
 *   .preferredProtocol('quic')      // WebTransport; 'websocket' also accepted
 *   .connectionTimeout(5000)
 *   .heartbeatInterval(30000)
 *   .maxReconnectAttempts(5)
 *   .autoReconnect(true)
 *   .autoSwitch(true)
 *   .messageRetry(3, 1000)
 *   .bufferSize(8192)
 *   .build();
 * ```
 *
 * Setters only record; `build()` validates everything at once (options.ts)
 * and throws FlareError INVALID_ARGUMENT naming the bad option.
 */
import type { FlareClient } from './client.ts';
import type { FlareClientOptions, GetToken, ProtocolInput } from './options.ts';
import type { Middleware } from './middleware.ts';

/** Set by client.ts (avoids a runtime import cycle between the two modules). */
let construct: ((o: FlareClientOptions) => FlareClient) | null = null;

/** @internal */
export function registerClientConstructor(fn: (o: FlareClientOptions) => FlareClient): void {
  construct = fn;
}

export class FlareClientBuilder {
  readonly #o: FlareClientOptions;

  constructor(userId: string, url: string) {
    this.#o = { url, userId };
  }

  #set<K extends keyof FlareClientOptions>(key: K, value: FlareClientOptions[K]): this {
    this.#o[key] = value;
    return this;
  }

  /** 'webtransport' (or the seed's 'quic') or 'websocket'. */
  preferredProtocol(p: ProtocolInput): this {
    return this.#set('preferredProtocol', p);
  }
  /** Transports to race. */
  protocols(...p: ProtocolInput[]): this {
    return this.#set('protocols', p);
  }
  /** Per-transport dial timeout (ms). */
  connectionTimeout(ms: number): this {
    return this.#set('connectionTimeoutMs', ms);
  }
  heartbeatInterval(ms: number): this {
    return this.#set('heartbeatIntervalMs', ms);
  }
  maxReconnectAttempts(n: number): this {
    return this.#set('maxReconnectAttempts', n);
  }
  autoReconnect(on: boolean): this {
    return this.#set('autoReconnect', on);
  }
  autoSwitch(on: boolean): this {
    return this.#set('autoSwitch', on);
  }
  /** Resend after `retryDelayMs` without ACK, at most `maxRetries` times, then fail. */
  messageRetry(maxRetries: number, retryDelayMs: number): this {
    return this.#set('messageRetry', { maxRetries, retryDelayMs });
  }
  /** Most messages queued while disconnected. */
  bufferSize(n: number): this {
    return this.#set('bufferSize', n);
  }
  token(token: string): this {
    return this.#set('token', token);
  }
  getToken(fn: GetToken): this {
    return this.#set('getToken', fn);
  }
  certHash(hash: string | null): this {
    return this.#set('certHash', hash);
  }
  /** One connection for all tabs of the origin (SharedWorker). */
  shared(on = true): this {
    return this.#set('shared', on);
  }
  workerUrl(url: string | URL): this {
    return this.#set('workerUrl', url);
  }
  requestTimeout(ms: number): this {
    return this.#set('requestTimeoutMs', ms);
  }
  format(f: 'protobuf' | 'json'): this {
    return this.#set('format', f);
  }
  middleware(m: Middleware): this {
    return this.#set('middleware', [...(this.#o.middleware ?? []), m]);
  }
  /** Any other option. */
  option<K extends keyof FlareClientOptions>(key: K, value: FlareClientOptions[K]): this {
    return this.#set(key, value);
  }

  /** The options so far (unvalidated). */
  toOptions(): FlareClientOptions {
    return { ...this.#o };
  }

  /** Validates and makes the client. */
  build(): FlareClient {
    if (!construct) throw new Error('flare-web: FlareClient is not loaded');
    return construct(this.toOptions());
  }
}
