/**
 * FlareClient: what an app holds. It starts the connection worker (worker-link.ts), exposes
 * state as read-only signals (state.ts) and typed events (events.ts), and delegates: delivery
 * (delivery.ts), RPC and events (rpc.ts), streams, rooms, middleware, event routing
 * (event-router.ts), the worker's lifetime (client-link.ts), the call signaller and the device
 * check's probe (call-bridge.ts, network-probe.ts: they use only the call and device layers' types).
 *
 * ```ts
 * const client = FlareClient.builder('alice', 'https://chat.example').autoReconnect(true).build();
 * client.on('messageReceived', ({ message }) => console.log(message.from, message.text()));
 * await client.connect();
 * const sent = await client.sendText({ room: 'lobby' }, 'hello');
 * await sent.delivered; // the server's ACK
 * ```
 */
import { ErrorCode, FlareError } from '../codec/errors.ts';
import type { ConnectionStats, WorkerEvent } from '../worker/api.ts';
import type { ConnectionState } from '../worker/codes.ts';
import { FlareClientBuilder, registerClientConstructor } from './builder.ts';
import { createCallSignaller } from './call-bridge.ts';
import type { CallSignaller } from './call/call-signals.ts';
import { ClientLink } from './client-link.ts';
import { DeliveryTracker, type SendResult } from './delivery.ts';
import type { NetworkProbe } from './device/network-test.ts';
import { Emitter, type ClientEventMap } from './events.ts';
import { routeEvent, type RouterParts } from './event-router.ts';
import { SlicedQueue } from './sliced-queue.ts';
import type { ReceivedMessage, Target } from './message.ts';
import { Messaging, type SendOptions } from './messaging.ts';
import { MiddlewareChain, type Middleware, type OutgoingFrame } from './middleware.ts';
import { createNetworkProbe } from './network-probe.ts';
import { messageTtlMs, resolveClientOptions, type FlareClientOptions, type Protocol, type ResolvedClientOptions } from './options.ts';
import { Room } from './room.ts';
import { RpcEndpoint, type EventHandler, type RequestHandler, type RequestOptions } from './rpc.ts';
import { StateStore, type ClientState } from './state.ts';
import { FlareStream, StreamTable, type StreamHandler } from './streams.ts';
import { startWorker, type ConnectionThread, type WorkerLink, type WorkerLinkOptions } from './worker-link.ts';

const encoder = new TextEncoder();

export type { SendOptions };

/** A custom-typed message (the seed's `send_message` with a message type). */
export interface CustomMessage {
  type: string;
  /** Bytes as they are; anything else as JSON. */
  data: unknown;
  metadata?: Record<string, string>;
}

/** Seams (tests run the engine in the page over a MessageChannel). */
export interface ClientDeps {
  startWorker?: (options: WorkerLinkOptions) => WorkerLink;
}

const randomTag = () => Math.floor(Math.random() * 0x7fffffff).toString(36);

export class FlareClient {
  /** The seed's builder: `FlareClient.builder(userId, url).autoReconnect(true).build()`. */
  static builder(userId: string, url: string): FlareClientBuilder {
    return new FlareClientBuilder(userId, url);
  }

  readonly options: Readonly<ResolvedClientOptions>;
  readonly #store = new StateStore();
  readonly #events = new Emitter<ClientEventMap>();
  readonly #delivery = new DeliveryTracker();
  readonly #middleware: MiddlewareChain;
  readonly #rpc: RpcEndpoint;
  readonly #streams: StreamTable;
  readonly #rooms = new Map<string, Room>();
  readonly #typed = new Map<string, Set<(m: ReceivedMessage) => void>>();
  readonly #tag = randomTag();
  readonly #conn: ClientLink;
  readonly #inbound: SlicedQueue<WorkerEvent>;
  readonly #messaging: Messaging;

  constructor(options: FlareClientOptions, deps: ClientDeps = {}) {
    this.options = Object.freeze(resolveClientOptions(options));
    this.#middleware = new MiddlewareChain(this.options.middleware);
    this.#conn = new ClientLink({
      options: this.options,
      startWorker: deps.startWorker ?? startWorker,
      middleware: this.#middleware,
      store: this.#store,
      onEvents: (batch) => this.#inbound.push(batch),
    });
    const send = (f: OutgoingFrame) => this.#conn.send(f);
    const shared = () => this.#conn.shared;
    const onError = (error: FlareError) => this.#events.emit('error', { error });
    this.#rpc = new RpcEndpoint({ send, defaultTimeoutMs: () => this.options.requestTimeoutMs, tag: this.#tag, shared, onError });
    this.#streams = new StreamTable({ send, tag: this.#tag, window: () => this.options.streamWindow, shared });
    this.#messaging = new Messaging({
      tag: this.#tag,
      userId: this.options.userId ?? null,
      rooms: this.#rooms,
      delivery: this.#delivery,
      events: this.#events,
      sendFrame: send,
      defaultTtlMs: () => messageTtlMs(this.options.messageRetry),
    });
    const parts: RouterParts = {
      store: this.#store,
      events: this.#events,
      delivery: this.#delivery,
      middleware: this.#middleware,
      rpc: this.#rpc,
      streams: this.#streams,
      rooms: this.#rooms,
      typed: this.#typed,
      refreshStats: () => this.#conn.throttledStats(),
    };
    // Worker events in time slices: a flood never makes a long task on the main thread.
    this.#inbound = new SlicedQueue<WorkerEvent>((e) => {
      if (this.#conn.live) routeEvent(parts, e);
    });
  }

  /** Read-only signals: status, protocol, RTT, stats, metrics, scores, clock offset. */
  get state(): ClientState {
    return this.#store.view;
  }
  /** The seed's `get_status`. */
  get status(): ConnectionState {
    return this.#store.status;
  }
  /** The seed's `get_current_protocol`. */
  get protocol(): Protocol | null {
    return this.#store.view.protocol.get();
  }
  get userId(): string | undefined {
    return this.options.userId;
  }
  /** Whether this page shares a SharedWorker's connection with other pages. */
  get shared(): boolean {
    return this.#conn.shared;
  }
  /** Where the connection runs once started (`page`: inPage, or no worker could start); null before. */
  get runsIn(): ConnectionThread | null {
    return this.#conn.runsIn;
  }

  on<K extends keyof ClientEventMap>(type: K, handler: (ctx: ClientEventMap[K]) => void): () => void {
    return this.#events.on(type, handler);
  }
  once<K extends keyof ClientEventMap>(type: K, handler: (ctx: ClientEventMap[K]) => void): () => void {
    return this.#events.once(type, handler);
  }
  off<K extends keyof ClientEventMap>(type: K, handler: (ctx: ClientEventMap[K]) => void): void {
    this.#events.off(type, handler);
  }

  /** Connects (racing the transports); resolves when connected, rejects with a FlareError. */
  async connect(): Promise<void> {
    const link = await this.#conn.start();
    this.#conn.detached = false;
    await link.api.connect();
    await this.refreshStats();
  }

  /**
   * Starts the worker without asking to connect. On a shared connection the
   * state signals then show the connection other pages hold.
   */
  async attach(): Promise<void> {
    await this.#conn.start();
  }

  /** Pages sharing this client's connection (1 when it is not shared). */
  async sharedPages(): Promise<number> {
    const link = await this.#conn.start();
    return link.shared ? link.api.pages() : 1;
  }

  /** Disconnects. On a shared connection other pages keep it; this page stops receiving. */
  async disconnect(): Promise<void> {
    const link = this.#conn.current;
    if (!link) return;
    await link.api.disconnect();
    if (link.shared && this.#store.status !== 'disconnected') {
      this.#conn.detached = true;
      this.#left('this page left the shared connection');
    }
  }

  /** This page is off the connection and the worker will not say so: the signals and events do. */
  #left(reason: string): void {
    const from = this.#store.status;
    if (from === 'disconnected') return;
    this.#store.detach();
    this.#events.emit('state', { from, to: 'disconnected', code: 'disconnect_called', reason });
    this.#events.emit('disconnected', { state: 'disconnected', code: 'disconnect_called', reason });
  }

  /** Disconnects and stops the worker (a shared worker only loses this page). The client cannot be used again. */
  async close(): Promise<void> {
    if (this.#conn.closed) return;
    const stopping = this.#conn.close();
    const closed = new FlareError(ErrorCode.ABORTED, 'the client was closed');
    this.#rpc.failAll(closed);
    this.#streams.failAll(closed);
    await stopping;
    this.#left('the client was closed');
    this.#events.clear();
  }

  /** Sends UTF-8 text to a user or a room. */
  sendText(target: Target, text: string, options?: SendOptions): Promise<SendResult> {
    if (typeof text !== 'string') return Promise.reject(new FlareError(ErrorCode.INVALID_ARGUMENT, 'sendText() takes a string'));
    return this.#messaging.send(target, 'text', encoder.encode(text), options);
  }

  /** Sends bytes to a user or a room. */
  sendBinary(target: Target, data: Uint8Array, options?: SendOptions): Promise<SendResult> {
    if (!(data instanceof Uint8Array)) return Promise.reject(new FlareError(ErrorCode.INVALID_ARGUMENT, 'sendBinary() takes a Uint8Array'));
    return this.#messaging.send(target, 'binary', data, options);
  }

  /** Sends a message of the app's own type. */
  sendMessage(target: Target, message: CustomMessage, options?: SendOptions): Promise<SendResult> {
    if (!message || typeof message.type !== 'string' || message.type === '') return Promise.reject(new FlareError(ErrorCode.INVALID_ARGUMENT, 'sendMessage() needs {type, data}'));
    const data = message.data instanceof Uint8Array ? message.data : encoder.encode(JSON.stringify(message.data ?? null));
    return this.#messaging.send(target, message.type, data, { ...options, metadata: { ...message.metadata, ...options?.metadata } });
  }

  /** The room object for `name` (one per name). */
  room(name: string): Room {
    let r = this.#rooms.get(name);
    if (!r) {
      r = new Room(name, {
        request: (method, data) => this.request(method, data),
        track: async (room, seq) => (await this.#conn.start()).api.trackRoom(room, seq),
        untrack: async (room) => {
          const link = await this.#conn.start();
          await link.api.untrackRoom(room);
          return !link.shared || (await link.api.roomUsers(room)) === 0;
        },
        limit: this.options.roomMessageLimit,
      });
      this.#rooms.set(name, r);
    }
    return r;
  }

  /** Calls a server method (the EchoStream seed's `request`). */
  request<T = unknown>(method: string, data?: unknown, options?: RequestOptions): Promise<T> {
    return this.#rpc.request<T>(method, data, options);
  }
  /** Sends a one-way event to the server. */
  emit(event: string, data?: unknown, options?: { reliable?: boolean }): Promise<unknown> {
    return this.#rpc.emit(event, data, options);
  }
  /** Answers requests the server makes to this client. */
  handle(method: string, handler: RequestHandler): () => void {
    return this.#rpc.handle(method, handler);
  }
  /** Receives events the server emits to this client. */
  onEvent(event: string, handler: EventHandler): () => void {
    return this.#rpc.onEvent(event, handler);
  }
  /** Opens a stream to the server's stream handler `name`, with backpressure. */
  createStream(name: string, options?: { window?: number }): FlareStream {
    return this.#streams.create(name, options);
  }
  /** Accepts streams the server opens. */
  onStream(name: string, handler: StreamHandler): () => void {
    return this.#streams.onStream(name, handler);
  }
  /** Adds a middleware; returns the function that removes it. */
  use(middleware: Middleware): () => void {
    return this.#middleware.use(middleware);
  }
  /** Messages of `type` go to `handler` instead of `messageReceived` (the call signaller uses this). */
  onMessageType(type: string, handler: (m: ReceivedMessage) => void): () => void {
    let set = this.#typed.get(type);
    if (!set) this.#typed.set(type, (set = new Set()));
    set.add(handler);
    return () => set!.delete(handler);
  }

  /** The seed's `get_connection_stats`: asks the worker now (the `stats` signal follows). */
  refreshStats(): Promise<ConnectionStats | null> {
    return this.#conn.refreshStats();
  }

  /** Moves to the other transport now. */
  async switchProtocol(protocol: Protocol): Promise<void> {
    await (await this.#conn.start()).api.switchTransport(protocol);
  }

  /** A round-trip probe over this connection for the device check (connects first when needed; null if it cannot). */
  async networkProbe(): Promise<NetworkProbe | null> {
    if (this.status !== 'connected') await this.connect().catch(() => {});
    return this.status === 'connected' ? createNetworkProbe(this) : null;
  }

  /** The call layer's signaller over this connection. */
  callSignaller(): CallSignaller {
    return createCallSignaller(this);
  }
}

registerClientConstructor((o) => new FlareClient(o));
