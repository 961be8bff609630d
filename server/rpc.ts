/**
 * RPC in both directions and one-way events, over `flare.rpc.req`,
 * `flare.rpc.res` and `flare.event` custom commands (docs/PROTOCOL.md).
 * One RpcEndpoint per session: it answers the client's requests from the
 * handler registry and tracks the server's own requests to the client.
 */
import { ErrorCode, FlareError } from '../src/codec/errors.ts';
import { Reliability, type CustomCommand, type Frame } from '../src/codec/frame-types.ts';
import { customFrame } from '../src/codec/frames.ts';
import { metaText } from '../src/codec/metadata.ts';
import { ExtCommand } from '../src/protocol/extensions.ts';
import { Body, resultBytes, type Handlers, type RpcResult } from './handlers.ts';
import type { Logger } from './log.ts';
import type { Metrics } from './metrics.ts';
import type { Session } from './session.ts';

interface Pending {
  resolve: (body: Uint8Array) => void;
  reject: (e: FlareError) => void;
  timer: ReturnType<typeof setTimeout>;
}

/** Metadata keys of the RPC commands. */
const K = { ID: 'id', METHOD: 'method', TIMEOUT: 'timeout_ms', ERROR: 'error', ERROR_MESSAGE: 'error_message', EVENT: 'event' } as const;

export class RpcEndpoint {
  readonly #pending = new Map<string, Pending>();
  #nextId = 1;
  /** Counter handles: a labelled `inc` per answer showed in the round-trip profile. */
  readonly #answered: { inc(by?: number): void };

  constructor(
    private readonly session: Session,
    private readonly handlers: Handlers,
    private readonly log: Logger,
    private readonly metrics: Metrics,
  ) {
    this.#answered = metrics.series('flare_rpc_total', { result: 'ok' });
  }

  /** A `flare.rpc.req` from the client: runs the handler, answers with `flare.rpc.res`. */
  async handleRequest(cmd: CustomCommand): Promise<void> {
    const id = metaText(cmd.metadata, K.ID) ?? '';
    const method = metaText(cmd.metadata, K.METHOD) ?? '';
    if (!id) {
      this.session.sendError(ErrorCode.INVALID_ARGUMENT, 'RPC request without an id');
      return;
    }
    const handler = this.handlers.rpc.get(method);
    if (!handler) {
      this.#respondError(id, ErrorCode.UNKNOWN_METHOD, `unknown action: ${method}`);
      return;
    }
    try {
      // A handler that answers at once (echo, most lookups) is answered in the same task, with no await.
      const pending = handler({ session: this.session, method, body: new Body(cmd.data) });
      const result = typeof (pending as PromiseLike<unknown> | null)?.then === 'function' ? await pending : (pending as RpcResult);
      this.#answered.inc();
      this.#reply(customFrame(ExtCommand.RPC_RESPONSE, { data: resultBytes(result), metadata: { [K.ID]: id } }, { reliability: Reliability.AT_LEAST_ONCE }));
    } catch (e) {
      if (e instanceof FlareError) this.#respondError(id, e.code, e.message);
      else {
        this.log.error('rpc handler failed', { method, err: e, connection: this.session.id });
        this.#respondError(id, ErrorCode.INTERNAL, 'internal error');
      }
    }
  }

  #respondError(id: string, code: string, message: string): void {
    this.metrics.inc('flare_rpc_total', { result: 'error' });
    this.metrics.inc('flare_errors_total', { code });
    this.#reply(customFrame(ExtCommand.RPC_RESPONSE, { metadata: { [K.ID]: id, [K.ERROR]: code, [K.ERROR_MESSAGE]: message } }, { reliability: Reliability.AT_LEAST_ONCE }));
  }

  /** An answer to the client's request, through the middleware's `processResponse` hooks when there are any. */
  #reply(frame: Frame): void {
    const chain = this.handlers.chain;
    if (chain === null) this.session.sendFrame(frame);
    else chain.response(this.session, frame);
  }

  /** A `flare.rpc.res` from the client, answering one of our requests. */
  handleResponse(cmd: CustomCommand): void {
    const id = metaText(cmd.metadata, K.ID) ?? '';
    const p = this.#pending.get(id);
    if (!p) return; // late (timed out) or unknown: nothing waits for it
    this.#pending.delete(id);
    clearTimeout(p.timer);
    const code = metaText(cmd.metadata, K.ERROR);
    if (code) {
      p.reject(new FlareError(ErrorCode.REMOTE_ERROR, metaText(cmd.metadata, K.ERROR_MESSAGE) ?? 'remote error', { details: { code } }));
    } else p.resolve(cmd.data);
  }

  /** A `flare.event` from the client. Unknown events are ignored (events are one-way). */
  async handleEvent(cmd: CustomCommand): Promise<void> {
    const event = metaText(cmd.metadata, K.EVENT) ?? '';
    const handler = this.handlers.events.get(event);
    if (!handler) return;
    try {
      await handler({ session: this.session, event, body: new Body(cmd.data) });
    } catch (e) {
      this.log.warn('event handler failed', { event, err: e, connection: this.session.id });
    }
  }

  /** Calls a method on the client; rejects with REQUEST_TIMEOUT, REMOTE_ERROR or TRANSPORT_CLOSED. */
  request(method: string, body: Uint8Array, timeoutMs = 10_000): Promise<Uint8Array> {
    const id = `s${this.#nextId++}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new FlareError(ErrorCode.REQUEST_TIMEOUT, `no answer to ${method} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#pending.set(id, { resolve, reject, timer });
      this.session.sendFrame(
        customFrame(ExtCommand.RPC_REQUEST, { data: body, metadata: { [K.ID]: id, [K.METHOD]: method, [K.TIMEOUT]: String(timeoutMs) } }, { reliability: Reliability.AT_LEAST_ONCE }),
      );
    });
  }

  /** Sends a one-way event to the client. */
  emit(event: string, body: Uint8Array, reliability: number = Reliability.AT_LEAST_ONCE): void {
    this.session.sendFrame(customFrame(ExtCommand.EVENT, { data: body, metadata: { [K.EVENT]: event } }, { reliability }));
  }

  /** Fails every pending request (the connection closed). */
  close(): void {
    for (const p of this.#pending.values()) {
      clearTimeout(p.timer);
      p.reject(new FlareError(ErrorCode.TRANSPORT_CLOSED, 'the connection closed before the answer'));
    }
    this.#pending.clear();
  }
}

/** Whether a frame is one of the RPC / event commands. */
export function isRpcCommand(frame: Frame): boolean {
  const c = frame.command;
  return c?.case === 'custom' && (c.value.name === ExtCommand.RPC_REQUEST || c.value.name === ExtCommand.RPC_RESPONSE || c.value.name === ExtCommand.EVENT);
}
