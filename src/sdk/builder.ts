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
 *   .plugin(tracing)                // the EchoStream seed's plugins (plugins.ts)
 *   .onConnect(({ client, event }) => ...)
 *   .onDisconnect(({ client, event }) => ...)
 *   .build();
 * ```
 *
 * Setters only record; `build()` validates everything at once (options.ts)
 * and throws FlareError INVALID_ARGUMENT naming the bad option. `plugin()`
 * and the hooks check their argument at once (a duplicate plugin name, a
 * hook that is not a function).
 */
import type { FlareClient } from './client.ts';
import type { FlareClientOptions, GetToken, ProtocolInput } from './options.ts';
import type { Middleware } from './middleware.ts';
import { attachHooks, checkHook, checkPlugin, installPlugin, type ClientHooks, type ClientPlugin, type ConnectHook, type DisconnectHook } from './plugins.ts';

export type { ClientPlugin, ConnectHook, ConnectHookContext, DisconnectHook, DisconnectHookContext } from './plugins.ts';
export { reconnectPlugin } from './plugins.ts';

/** Set by client.ts (avoids a runtime import cycle between the two modules). */
let construct: ((o: FlareClientOptions) => FlareClient) | null = null;

/** @internal */
export function registerClientConstructor(fn: (o: FlareClientOptions) => FlareClient): void {
  construct = fn;
}

export class FlareClientBuilder {
  readonly #o: FlareClientOptions;
  readonly #plugins = new Set<string>();
  readonly #hooks: ClientHooks = { connect: [], disconnect: [] };

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
  /** The connection on the page's thread instead of a worker: faster round trips, no main-thread shield. */
  inPage(on = true): this {
    return this.#set('inPage', on);
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
  /**
   * Installs a plugin now: its `install(this)` adds middleware, options and
   * hooks. FlareError INVALID_ARGUMENT for a second plugin of the same name,
   * a plugin without name or install, or an install that throws.
   */
  plugin(p: ClientPlugin): this {
    checkPlugin(p, this.#plugins);
    this.#plugins.add(p.name);
    installPlugin(p, this);
    return this;
  }
  /** Names of the installed plugins, in install order. */
  plugins(): string[] {
    return [...this.#plugins];
  }
  /** Called on every completed handshake (first connect, reconnect, transport switch), with the client and its `connected` event. */
  onConnect(fn: ConnectHook): this {
    checkHook(fn, 'onConnect');
    this.#hooks.connect.push(fn);
    return this;
  }
  /** Called whenever the client leaves `connected` (a drop it will retry, disconnect, failure, kick), with the client and the state change. */
  onDisconnect(fn: DisconnectHook): this {
    checkHook(fn, 'onDisconnect');
    this.#hooks.disconnect.push(fn);
    return this;
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
    const client = construct(this.toOptions());
    attachHooks(client, this.#hooks);
    return client;
  }
}
