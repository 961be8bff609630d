/**
 * Server middleware (the EchoStream seed's `Middleware`: `process_request`,
 * `process_response`, "None means intercepted"), like layers around the
 * handlers: `processRequest` runs in the order registered on what a client
 * sends, `processResponse` in the reverse order on the server's answers to
 * the client's RPC requests.
 *
 * What `processRequest` sees: app messages (payloads other than ACK),
 * notifications and custom commands (RPC requests, events, stream
 * operations, other extensions' commands). Not the protocol's own frames
 * (PING, AUTH, CLOSE, ACKs) nor the client's answers to server requests.
 * A hook returns the frame (or a replacement), nothing to pass it on as is,
 * or null to intercept it; it may be async, and a session's frames still
 * reach the handlers in the order they came. An intercepted frame is
 * answered so the client is not left waiting: an RPC request with an error
 * response, a frame that asked for an ACK with an error ACK, a stream
 * operation with a RESET, anything else with an ERROR frame; the connection
 * stays open. The code is `intercepted`, or the code of a FlareError the hook
 * threw (`internal` for other throws).
 *
 * With no middleware registered `Handlers.chain` is null and dispatch pays
 * one null check.
 */
import { ErrorCode, FlareError } from '../src/codec/errors.ts';
import { PayloadType, Reliability, type CustomCommand, type Frame } from '../src/codec/frame-types.ts';
import { customFrame } from '../src/codec/frames.ts';
import { metaText } from '../src/codec/metadata.ts';
import { ExtCommand, StreamOp } from '../src/protocol/extensions.ts';
import { ackFrame, errorAckFrame, wantsAck } from './frames.ts';
import type { Session } from './session.ts';

/** What a hook returns: the frame to go on with, nothing (unchanged), or null (intercept). */
export type MiddlewareResult = Frame | null | undefined | void;

/** One middleware; either hook is optional. */
export interface ServerMiddleware {
  /** Named in the errors it causes and in logs. */
  readonly name: string;
  /** A frame from the client, before the handlers. */
  processRequest?(frame: Frame, session: Session): MiddlewareResult | Promise<MiddlewareResult>;
  /** The server's answer (a `flare.rpc.res`) to a client's RPC request, before it is sent. */
  processResponse?(frame: Frame, session: Session): MiddlewareResult | Promise<MiddlewareResult>;
}

type Next = (session: Session, frame: Frame) => void;

interface Refusal {
  code: string;
  message: string;
}

/** The registered middleware, in order; built by `Handlers.use`. */
export class MiddlewareChain {
  readonly #list: ServerMiddleware[] = [];
  #reversed: ServerMiddleware[] = [];
  /** Per session: the frame still in an async hook; later frames queue behind it. */
  readonly #tails = new WeakMap<Session, Promise<void>>();

  add(m: ServerMiddleware): void {
    if (!m || typeof m.name !== 'string' || m.name === '') throw new FlareError(ErrorCode.INVALID_ARGUMENT, 'a server middleware needs a name');
    if (typeof m.processRequest !== 'function' && typeof m.processResponse !== 'function') {
      throw new FlareError(ErrorCode.INVALID_ARGUMENT, `middleware "${m.name}" needs processRequest or processResponse`);
    }
    this.#list.push(m);
    this.#reversed = [...this.#list].reverse();
  }

  get names(): string[] {
    return this.#list.map((m) => m.name);
  }

  /** Whether `processRequest` looks at this frame. */
  sees(frame: Frame): boolean {
    const c = frame.command;
    if (!c) return false;
    if (c.case === 'payload') return c.value.type !== PayloadType.ACK;
    if (c.case === 'custom') return c.value.name !== ExtCommand.RPC_RESPONSE;
    return c.case === 'notification';
  }

  /** Runs the request hooks on `frame`, then `next` with what they let through (in the session's frame order). */
  request(session: Session, frame: Frame, next: Next): void {
    const tail = this.#tails.get(session);
    const run = () => this.#request(session, frame, 0, next);
    const pending = tail ? tail.then(run) : run();
    if (!pending) return;
    const settled: Promise<void> = pending
      .catch((e) => session.ctx.log.error('dispatch after middleware failed', { err: e, connection: session.id }))
      .then(() => {
        if (this.#tails.get(session) === settled) this.#tails.delete(session);
      });
    this.#tails.set(session, settled);
  }

  /** Synchronous until a hook returns a promise; never rejects. */
  #request(session: Session, frame: Frame, from: number, next: Next): Promise<void> | void {
    let f = frame;
    for (let i = from; i < this.#list.length; i++) {
      const m = this.#list[i]!;
      if (!m.processRequest) continue;
      let r: ReturnType<NonNullable<ServerMiddleware['processRequest']>>;
      try {
        r = m.processRequest(f, session);
      } catch (e) {
        return refuse(session, f, this.#refusal(session, m, e));
      }
      if (isPromise(r)) {
        const at = f;
        return r.then(
          (g) => (g === null ? refuse(session, at, intercepted(m)) : this.#request(session, g ?? at, i + 1, next)),
          (e) => refuse(session, at, this.#refusal(session, m, e)),
        );
      }
      if (r === null) return refuse(session, f, intercepted(m));
      if (r) f = r;
    }
    if (session.isOpen) next(session, f);
  }

  /** Runs the response hooks (last registered first), then sends; a null or a throw sends an error response instead. */
  response(session: Session, frame: Frame): void {
    const out = this.#response(session, frame, 0);
    if (isPromise(out)) void out.then((f) => session.sendFrame(f));
    else session.sendFrame(out);
  }

  #response(session: Session, frame: Frame, from: number): Frame | Promise<Frame> {
    let f = frame;
    for (let i = from; i < this.#reversed.length; i++) {
      const m = this.#reversed[i]!;
      if (!m.processResponse) continue;
      let r: ReturnType<NonNullable<ServerMiddleware['processResponse']>>;
      try {
        r = m.processResponse(f, session);
      } catch (e) {
        return rpcError(f, this.#refusal(session, m, e));
      }
      if (isPromise(r)) {
        const at = f;
        return r.then(
          (g) => (g === null ? rpcError(at, intercepted(m)) : this.#response(session, g ?? at, i + 1)),
          (e) => rpcError(at, this.#refusal(session, m, e)),
        );
      }
      if (r === null) return rpcError(f, intercepted(m));
      if (r) f = r;
    }
    return f;
  }

  #refusal(session: Session, m: ServerMiddleware, e: unknown): Refusal {
    if (e instanceof FlareError) return { code: e.code, message: e.message };
    session.ctx.log.error('middleware failed', { middleware: m.name, err: e, connection: session.id });
    return { code: ErrorCode.INTERNAL, message: `middleware "${m.name}" failed` };
  }
}

function isPromise<T>(x: T | Promise<T>): x is Promise<T> {
  return typeof (x as { then?: unknown } | null)?.then === 'function';
}

function intercepted(m: ServerMiddleware): Refusal {
  return { code: ErrorCode.INTERCEPTED, message: `intercepted by middleware "${m.name}"` };
}

/** Answers an intercepted frame (module doc); the connection stays open. */
function refuse(session: Session, frame: Frame, { code, message }: Refusal): void {
  if (!session.isOpen) return;
  const c = frame.command;
  if (c?.case === 'custom' && c.value.name === ExtCommand.STREAM) {
    const reset = customFrame(ExtCommand.STREAM, { metadata: { sid: metaText(c.value.metadata, 'sid') ?? '', op: StreamOp.RESET, reason: `${code}: ${message}` } }, { reliability: Reliability.BEST_EFFORT });
    // A stream already open here fails as if the client had reset it; the client's side gets the RESET.
    session.streams.handle(reset.command!.value as CustomCommand);
    session.sendFrame(reset);
  } else if (c?.case === 'custom' && c.value.name === ExtCommand.RPC_REQUEST) {
    if (wantsAck(frame)) session.sendFrame(ackFrame(frame));
    session.sendFrame(rpcError(frame, { code, message }));
  } else if (wantsAck(frame)) session.sendFrame(errorAckFrame(frame, code, message));
  else return session.sendError(code, message, frame.messageId); // counts the error itself
  session.ctx.metrics.inc('flare_errors_total', { code });
}

/** An RPC error response to the request (or response) `frame`, by its `id`. */
function rpcError(frame: Frame, { code, message }: Refusal): Frame {
  const meta = (frame.command?.value as { metadata?: Record<string, Uint8Array> } | undefined)?.metadata ?? {};
  const id = metaText(meta, 'id') ?? '';
  return customFrame(ExtCommand.RPC_RESPONSE, { metadata: { id, error: code, error_message: message } }, { reliability: Reliability.AT_LEAST_ONCE });
}
