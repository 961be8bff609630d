/**
 * The application surface of the server (the EchoStream seed's handlers): RPC
 * methods, one-way events and named streams, registered by name. Built-in
 * ones live in builtins.ts; an embedding app adds its own the same way.
 */
import { ErrorCode, FlareError } from '../src/codec/errors.ts';
import { SessionHooks, type ConnectHook, type DisconnectHook } from './lifecycle.ts';
import { MiddlewareChain, type ServerMiddleware } from './middleware.ts';
import type { Session } from './session.ts';
import type { ServerStream } from './streams.ts';

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** A request body with helpers to read it. */
export class Body {
  constructor(readonly bytes: Uint8Array) {}

  text(): string {
    return decoder.decode(this.bytes);
  }

  /** The body as JSON (an empty body is `{}`); FlareError INVALID_ARGUMENT when it is not JSON. */
  json<T = Record<string, unknown>>(): T {
    if (this.bytes.length === 0) return {} as T;
    try {
      return JSON.parse(this.text()) as T;
    } catch {
      throw new FlareError(ErrorCode.INVALID_ARGUMENT, 'the body is not JSON');
    }
  }
}

export interface RpcContext {
  session: Session;
  method: string;
  body: Body;
}

/** What an RPC handler may return: bytes as is, a string as UTF-8, anything else as JSON; undefined as empty. */
export type RpcResult = Uint8Array | string | number | boolean | object | null | undefined | void;
/** Throw a FlareError to answer with its code; other errors answer `internal`. */
export type RpcHandler = (ctx: RpcContext) => RpcResult | Promise<RpcResult>;

export interface EventContext {
  session: Session;
  event: string;
  body: Body;
}
export type EventHandler = (ctx: EventContext) => void | Promise<void>;

export type StreamHandler = (stream: ServerStream) => void | Promise<void>;

/** Encodes an RPC result as bytes. */
export function resultBytes(result: RpcResult): Uint8Array {
  if (result === undefined) return new Uint8Array(0);
  if (result instanceof Uint8Array) return result;
  if (typeof result === 'string') return encoder.encode(result);
  return encoder.encode(JSON.stringify(result));
}

export class Handlers {
  readonly rpc = new Map<string, RpcHandler>();
  readonly events = new Map<string, EventHandler>();
  readonly streams = new Map<string, StreamHandler>();

  addRpc(method: string, handler: RpcHandler): this {
    this.rpc.set(method, handler);
    return this;
  }

  addEvent(event: string, handler: EventHandler): this {
    this.events.set(event, handler);
    return this;
  }

  addStream(name: string, handler: StreamHandler): this {
    this.streams.set(name, handler);
    return this;
  }

  /** Connection hooks (lifecycle.ts). */
  readonly hooks = new SessionHooks();

  /** Runs `fn` whenever a connection opens. */
  onConnect(fn: ConnectHook): this {
    this.hooks.connect.push(fn);
    return this;
  }

  /** Runs `fn` whenever an opened connection closes. */
  onDisconnect(fn: DisconnectHook): this {
    this.hooks.disconnect.push(fn);
    return this;
  }

  /** The server middleware, in order; null until the first `use` (dispatch then skips it). */
  chain: MiddlewareChain | null = null;

  /** Adds a middleware after the ones already there (middleware.ts). */
  use(middleware: ServerMiddleware): this {
    const chain = this.chain ?? new MiddlewareChain();
    chain.add(middleware);
    this.chain = chain;
    return this;
  }
}
