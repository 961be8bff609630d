/**
 * Receiving: every frame a link decoded goes through here. ACKs settle the
 * outbox, RPC answers go to their callers, token answers to the refresher,
 * system frames (PONG, KICKED, CLOSE, ERROR) to the session, and messages
 * through the inbox (de-duplicated, per stream in order) to the main thread.
 *
 * Frames from a link that is no longer current (the old link of a migration,
 * still draining) are received too: the inbox drops what arrives twice. Only
 * PONG and KICKED are about a link, and count only from the current one.
 */
import { ErrorCode, FlareError } from '../codec/errors.ts';
import { PayloadType, SystemType, type Frame } from '../codec/frame-types.ts';
import { metaText } from '../codec/metadata.ts';
import { RouteKey, SystemKey } from '../protocol/extensions.ts';
import type { WorkerEvent } from './api.ts';
import type { Clock } from './clock.ts';
import { readGoodbye, readServerError } from './handshake.ts';
import type { Inbox } from './inbox.ts';
import { toInbound, type Inbound } from './inbound.ts';
import type { Link } from './link.ts';
import type { Outbox } from './outbox.ts';
import type { Scorer } from './scorer.ts';
import type { Sender } from './sender.ts';
import type { ServerRpc } from './server-rpc.ts';
import type { TokenRefresher } from './token-refresher.ts';
import { serializeError } from './transfer-handlers.ts';

/** What the receiver hands frames to. */
export interface ReceiverDeps {
  clock: Clock;
  outbox: Outbox;
  inbox: Inbox<Inbound>;
  rpc: ServerRpc;
  tokens: TokenRefresher;
  sender: Sender;
  scorer: Scorer;
  emit(event: WorkerEvent, transfer?: Transferable[]): void;
  /** The link in use, or null. */
  current(): Link | null;
  /** A PONG arrived on the current link (`serverTime`: the frame's timestamp). */
  pong(pingId: string | null, serverTime: number): void;
  /** The server sent KICKED on the current link. */
  kicked(reason: string, message: string): void;
  /** The server announced a shutdown and suggested when to come back. */
  shutdown(reconnectDelayMs: number): void;
}

export class Receiver {
  readonly #d: ReceiverDeps;
  #received = 0;

  constructor(deps: ReceiverDeps) {
    this.#d = deps;
  }

  /** Messages delivered to the main thread so far. */
  get received(): number {
    return this.#received;
  }

  /** Takes the frames of one read of `link`, in order. */
  frames(frames: readonly Frame[], link: Link): void {
    const now = this.#d.clock.now();
    let queued = false;
    for (const f of frames) {
      try {
        queued = this.#route(f, link, now) || queued;
      } catch (e) {
        // A frame this code cannot handle (or a bug) costs that frame only, never the rest of the read.
        const error = FlareError.is(e) ? e : new FlareError(ErrorCode.INTERNAL, `a frame from the server could not be handled: ${String((e as Error)?.message ?? e)}`, { cause: e });
        this.#d.emit({ type: 'error', error: serializeError(error) });
      }
    }
    if (queued && this.#d.inbox.nextWakeAt() !== null) this.#d.sender.wake();
  }

  /** Delivers what waited behind inbox gaps that timed out. */
  expireGaps(): void {
    this.#deliver(this.#d.inbox.expireGaps(this.#d.clock.now()));
  }

  /** Routes one frame; true when it went through the inbox (which may now wait on a gap). */
  #route(frame: Frame, link: Link, now: number): boolean {
    const d = this.#d;
    const c = frame.command;
    if (c?.case === 'system') {
      this.#onSystem(frame, link);
      return false;
    }
    if (c?.case === 'payload' && c.value.type === PayloadType.ACK) {
      const meta = c.value.metadata;
      const failed = metaText(meta, RouteKey.ERROR) === 'true';
      const seq = metaText(meta, RouteKey.SEQ);
      const entry = d.outbox.ack(frame.messageId, failed ? (metaText(meta, RouteKey.ERROR_MESSAGE) ?? 'rejected by the server') : undefined);
      if (entry && !failed) d.emit({ type: 'acked', id: entry.id, seq: seq === undefined ? null : Number(seq) });
      if (entry) d.scorer.outcome(link.kind, !failed);
      d.sender.schedule();
      return false;
    }
    if (d.rpc.take(frame)) return false;
    const inbound = toInbound(frame, link.kind);
    if (!inbound) return false;
    const { message } = inbound;
    this.#deliver(d.inbox.push({ id: message.id, stream: inbound.stream, seq: message.seq, value: inbound, history: message.history }, now));
    return inbound.stream !== null;
  }

  #deliver(items: Inbound[]): void {
    for (const item of items) {
      this.#received++;
      this.#d.emit({ type: 'message', message: item.message }, item.transfer);
    }
  }

  #onSystem(frame: Frame, link: Link): void {
    const d = this.#d;
    if (d.tokens.take(frame)) return;
    const sys = frame.command!.value as { type: number; metadata: Frame['metadata'] };
    switch (sys.type) {
      case SystemType.PONG:
        if (link === d.current()) d.pong(metaText(sys.metadata, SystemKey.PING_ID) ?? null, frame.timestamp);
        return;
      case SystemType.KICKED: {
        if (link !== d.current()) return; // the old link of a migration
        const bye = readGoodbye(frame)!;
        return d.kicked(bye.reason ?? '', bye.message);
      }
      case SystemType.CLOSE: {
        const bye = readGoodbye(frame)!;
        if (link === d.current() && bye.reconnectDelayMs !== null) d.shutdown(bye.reconnectDelayMs);
        return;
      }
      case SystemType.ERROR: {
        const err = readServerError(frame)!;
        const error = new FlareError(ErrorCode.REMOTE_ERROR, err.message || err.code, { details: { serverCode: err.code, ref: err.ref, reason: err.reason } });
        d.emit({ type: 'error', error: serializeError(error) });
        return;
      }
      default:
        return;
    }
  }
}
