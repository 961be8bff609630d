/**
 * RPC and one-way events (the EchoStream seed's `request` / `emit` and its
 * handlers) over `flare.rpc.req`, `flare.rpc.res` and `flare.event` custom
 * commands (docs/PROTOCOL.md section 7), in both directions.
 *
 * Bodies: a Uint8Array (or ArrayBuffer) goes as it is, `undefined` as
 * nothing, anything else as UTF-8 JSON; answers are parsed as JSON unless
 * `responseType` says `text` or `bytes`. Requests go best-effort (the answer
 * is the confirmation): while disconnected they fail at once with
 * NOT_CONNECTED, and a connection lost with requests in flight fails them
 * with TRANSPORT_CLOSED.
 */
import { ErrorCode, FlareError } from '../codec/errors.ts';
import { ExtCommand } from '../protocol/extensions.ts';
import type { InboundMessage } from '../worker/api.ts';
import type { OutgoingFrame } from './middleware.ts';
import { Deadlines } from './deadlines.ts';

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const ERROR_CODES = new Set<string>(Object.values(ErrorCode));

/** Sends one frame through middleware and the worker. */
export type SendFrame = (frame: OutgoingFrame) => Promise<unknown>;

/** A received body with decoders. */
export interface Body {
  readonly bytes: Uint8Array;
  text(): string;
  json<T = unknown>(): T;
}

/** Options of `request`. */
export interface RequestOptions {
  /** Milliseconds before REQUEST_TIMEOUT (default: the client's `requestTimeoutMs`). */
  timeout?: number;
  /** Aborting rejects with ABORTED (the late answer is ignored). */
  signal?: AbortSignal;
  /** How to decode the answer (default json). */
  responseType?: 'json' | 'text' | 'bytes';
}

/** Answers a server-initiated request; the return value is the answer's body. */
export type RequestHandler = (body: Body, ctx: { method: string; id: string }) => unknown;
/** Receives a one-way event. */
export type EventHandler = (body: Body, ctx: { event: string }) => void;

/** A body as bytes. */
export function encodeBody(data: unknown): Uint8Array {
  if (data === undefined) return new Uint8Array(0);
  if (data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return encoder.encode(JSON.stringify(data));
}

/** Wraps received bytes. */
export function body(bytes: Uint8Array): Body {
  return {
    bytes,
    text: () => decoder.decode(bytes),
    json: <T>() => (bytes.length ? JSON.parse(decoder.decode(bytes)) : undefined) as T,
  };
}

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: FlareError) => void;
  cleanup: () => void;
  method: string;
  responseType: 'json' | 'text' | 'bytes';
}

/** The client's RPC side. */
export class RpcEndpoint {
  readonly #send: SendFrame;
  readonly #defaultTimeout: () => number;
  readonly #tag: string;
  /** Shared connection: other pages may answer requests this page has no handler for. */
  readonly #shared: () => boolean;
  readonly #pending = new Map<string, Pending>();
  readonly #handlers = new Map<string, RequestHandler>();
  readonly #events = new Map<string, Set<EventHandler>>();
  readonly #onError: (e: FlareError) => void;
  #counter = 0;
  /** Request timeouts, on one timer. */
  readonly #deadlines = new Deadlines<string>();

  constructor(deps: { send: SendFrame; defaultTimeoutMs: () => number; tag: string; shared: () => boolean; onError: (e: FlareError) => void }) {
    this.#send = deps.send;
    this.#defaultTimeout = deps.defaultTimeoutMs;
    this.#tag = deps.tag;
    this.#shared = deps.shared;
    this.#onError = deps.onError;
  }

  /** Requests waiting for an answer. */
  get pending(): number {
    return this.#pending.size;
  }

  /** Calls `method` on the server; resolves with the decoded answer. */
  request<T = unknown>(method: string, data?: unknown, options: RequestOptions = {}): Promise<T> {
    if (typeof method !== 'string' || method === '') return Promise.reject(new FlareError(ErrorCode.INVALID_ARGUMENT, 'request() needs a method name'));
    const timeout = options.timeout ?? this.#defaultTimeout();
    if (!(timeout > 0)) return Promise.reject(new FlareError(ErrorCode.INVALID_ARGUMENT, `request timeout must be > 0, got ${timeout}`));
    const signal = options.signal;
    if (signal?.aborted) return Promise.reject(aborted(method, signal));
    const id = `c${this.#tag}${(++this.#counter).toString(36)}`;
    return new Promise<T>((resolve, reject) => {
      this.#deadlines.add(id, timeout, () => this.#finish(id, new FlareError(ErrorCode.REQUEST_TIMEOUT, `no answer to ${method} within ${timeout} ms`, { details: { method, timeoutMs: timeout } })));
      const onAbort = () => this.#finish(id, aborted(method, signal!));
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#pending.set(id, {
        resolve: resolve as (v: unknown) => void,
        reject,
        method,
        responseType: options.responseType ?? 'json',
        cleanup: () => {
          this.#deadlines.delete(id);
          signal?.removeEventListener('abort', onAbort);
        },
      });
      const frame: OutgoingFrame = { kind: 'custom', name: ExtCommand.RPC_REQUEST, payload: encodeBody(data), metadata: { id, method, timeout_ms: String(Math.round(timeout)) }, reliable: false };
      this.#send(frame).catch((e) => this.#finish(id, FlareError.is(e) ? e : new FlareError(ErrorCode.INTERNAL, String(e), { cause: e })));
    });
  }

  /** Sends a one-way event (reliable by default: queued while disconnected, resent until ACKed). */
  emit(event: string, data?: unknown, options: { reliable?: boolean } = {}): Promise<unknown> {
    if (typeof event !== 'string' || event === '') return Promise.reject(new FlareError(ErrorCode.INVALID_ARGUMENT, 'emit() needs an event name'));
    return this.#send({ kind: 'custom', name: ExtCommand.EVENT, payload: encodeBody(data), metadata: { event }, reliable: options.reliable ?? true });
  }

  /** Answers server-initiated requests for `method`; returns the function that removes the handler. */
  handle(method: string, handler: RequestHandler): () => void {
    this.#handlers.set(method, handler);
    return () => {
      if (this.#handlers.get(method) === handler) this.#handlers.delete(method);
    };
  }

  /** Receives events named `event` from the server; returns the unsubscribe function. */
  onEvent(event: string, handler: EventHandler): () => void {
    let set = this.#events.get(event);
    if (!set) this.#events.set(event, (set = new Set()));
    set.add(handler);
    return () => set!.delete(handler);
  }

  /** Routes an incoming RPC or event frame; false when it is not one. */
  receive(m: InboundMessage): boolean {
    switch (m.name) {
      case ExtCommand.RPC_RESPONSE:
        this.#onResponse(m);
        return true;
      case ExtCommand.RPC_REQUEST:
        void this.#onRequest(m);
        return true;
      case ExtCommand.EVENT: {
        const event = m.metadata.event ?? '';
        for (const h of [...(this.#events.get(event) ?? [])]) {
          try {
            h(body(m.payload), { event });
          } catch (e) {
            this.#onError(new FlareError(ErrorCode.INTERNAL, `event handler for ${event} threw`, { cause: e }));
          }
        }
        return true;
      }
      default:
        return false;
    }
  }

  /** Fails every request in flight (the connection was lost: the answers will not come). */
  failAll(error: FlareError): void {
    for (const id of [...this.#pending.keys()]) this.#finish(id, error);
    this.#deadlines.clear();
  }

  #onResponse(m: InboundMessage): void {
    const id = m.metadata.id ?? '';
    const p = this.#pending.get(id);
    if (!p) return; // late, aborted, or another page's
    const code = m.metadata.error;
    if (code !== undefined) {
      const known = ERROR_CODES.has(code) ? (code as ErrorCode) : ErrorCode.REMOTE_ERROR;
      return this.#finish(id, new FlareError(known, m.metadata.error_message ?? code, { details: { method: p.method, remoteCode: code } }));
    }
    try {
      const b = body(m.payload);
      this.#finish(id, null, p.responseType === 'bytes' ? b.bytes : p.responseType === 'text' ? b.text() : b.json());
    } catch (cause) {
      this.#finish(id, new FlareError(ErrorCode.MALFORMED_FRAME, `the answer to ${p.method} is not JSON (use responseType 'text' or 'bytes')`, { cause }));
    }
  }

  #finish(id: string, error: FlareError | null, value?: unknown): void {
    const p = this.#pending.get(id);
    if (!p) return;
    this.#pending.delete(id);
    p.cleanup();
    if (error) p.reject(error);
    else p.resolve(value);
  }

  async #onRequest(m: InboundMessage): Promise<void> {
    const id = m.metadata.id ?? '';
    const method = m.metadata.method ?? '';
    const handler = this.#handlers.get(method);
    if (!handler && this.#shared()) return; // another page sharing the connection may know it
    let meta: Record<string, string> = { id };
    let payload: Uint8Array = new Uint8Array(0);
    if (!handler) meta = { id, error: ErrorCode.UNKNOWN_METHOD, error_message: `unknown action: ${method}` };
    else {
      try {
        payload = encodeBody(await handler(body(m.payload), { method, id }));
      } catch (e) {
        const code = FlareError.is(e) ? e.code : ErrorCode.INTERNAL;
        meta = { id, error: code, error_message: e instanceof Error ? e.message : String(e) };
      }
    }
    this.#send({ kind: 'custom', name: ExtCommand.RPC_RESPONSE, payload, metadata: meta, reliable: false }).catch((e) =>
      this.#onError(FlareError.is(e) ? e : new FlareError(ErrorCode.INTERNAL, `could not answer ${method}`, { cause: e })),
    );
  }
}

function aborted(method: string, signal: AbortSignal): FlareError {
  return new FlareError(ErrorCode.ABORTED, `request ${method} aborted`, { cause: signal.reason, details: { method } });
}
