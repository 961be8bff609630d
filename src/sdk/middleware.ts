/**
 * Middleware: hooks on every frame the client sends and receives (the
 * EchoStream seed's `process_request` / `process_response`), for tracing,
 * metadata stamping, filtering or payload transforms. Hooks run in the order
 * they were added; returning null drops the frame (an outgoing send then fails
 * with ABORTED).
 *
 * Incoming hooks are synchronous on purpose: they run in delivery order and
 * cannot reorder a room's messages. Outgoing hooks may be async.
 */
import { ErrorCode, FlareError } from '../codec/errors.ts';
import type { InboundMessage, OutboundMessage } from '../worker/api.ts';

/** A frame on its way out (message, RPC, event or stream op), as the worker will send it. */
export type OutgoingFrame = OutboundMessage;

/** A frame that arrived (before rooms, RPC, streams and handlers see it). */
export type IncomingFrame = InboundMessage;

/** One middleware; either hook is optional. */
export interface Middleware {
  /** For error messages. */
  readonly name?: string;
  outgoing?(frame: OutgoingFrame): OutgoingFrame | null | Promise<OutgoingFrame | null>;
  incoming?(frame: IncomingFrame): IncomingFrame | null;
}

/** The ordered list of middleware. */
export class MiddlewareChain {
  #list: Middleware[] = [];

  constructor(initial: readonly Middleware[] = []) {
    this.#list = [...initial];
  }

  /** Adds `m` at the end; returns the function that removes it. */
  use(m: Middleware): () => void {
    if (!m || (typeof m.outgoing !== 'function' && typeof m.incoming !== 'function')) {
      throw new FlareError(ErrorCode.INVALID_ARGUMENT, 'middleware needs an outgoing or incoming hook');
    }
    this.#list = [...this.#list, m];
    return () => {
      this.#list = this.#list.filter((x) => x !== m);
    };
  }

  /** Runs the outgoing hooks; rejects with ABORTED when one drops the frame. */
  async outgoing(frame: OutgoingFrame): Promise<OutgoingFrame> {
    let f: OutgoingFrame | null = frame;
    for (const m of this.#list) {
      if (!m.outgoing) continue;
      try {
        f = await m.outgoing(f);
      } catch (cause) {
        throw FlareError.is(cause) ? cause : new FlareError(ErrorCode.ABORTED, `middleware ${m.name ?? ''} failed`.replace('  ', ' '), { cause });
      }
      if (f === null) throw new FlareError(ErrorCode.ABORTED, `dropped by middleware ${m.name ?? ''}`.trim(), { details: { middleware: m.name ?? null } });
    }
    return f;
  }

  /** Whether any hook looks at outgoing frames (sends skip the await otherwise). */
  get hasOutgoing(): boolean {
    return this.#list.some((m) => m.outgoing);
  }

  /** Runs the incoming hooks; null when one dropped the frame. A hook that throws drops it and reports through `onError`. */
  incoming(frame: IncomingFrame, onError: (e: FlareError) => void): IncomingFrame | null {
    let f: IncomingFrame | null = frame;
    for (const m of this.#list) {
      if (!m.incoming || f === null) continue;
      try {
        f = m.incoming(f);
      } catch (cause) {
        onError(FlareError.is(cause) ? cause : new FlareError(ErrorCode.INTERNAL, `incoming middleware ${m.name ?? ''} threw`.replace('  ', ' '), { cause }));
        return null;
      }
    }
    return f;
  }
}
