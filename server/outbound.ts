/**
 * A connection's outbound path: the bounded send queue (send-queue.ts) in
 * front of the transport, flushed once per microtask while the transport
 * keeps up, paused while it is congested (its backlog over a high-water mark).
 * Several queued frames go out in one transport write: always on WebTransport
 * (length-prefixed stream), on WebSocket when batching was negotiated.
 */
import type { Link } from './link.ts';
import type { Metrics } from './metrics.ts';
import { SendQueue, type PushResult } from './send-queue.ts';

/** Bytes a link may hold before writing pauses. */
export const LINK_HIGH_WATER = 1024 * 1024;
/** Most bytes written to the link in one write (one WebSocket message when batching). */
const WRITE_CHUNK = 64 * 1024;

export class Outbound {
  readonly #queue: SendQueue;
  #flushScheduled = false;
  #waitingDrain = false;
  /** Writing is allowed (after NEGOTIATION_READY); until then frames wait in the queue. */
  #open = false;
  #closed = false;
  /** Several frames per WebSocket message (negotiated). */
  batch = false;
  readonly #framesOut: { inc(by?: number): void };
  readonly #bytesOut: { inc(by?: number): void };

  constructor(
    private readonly link: Link,
    private readonly metrics: Metrics,
    queueBytes: number,
  ) {
    this.#queue = new SendQueue(queueBytes);
    this.#framesOut = metrics.series('flare_frames_out_total', { transport: link.transport });
    this.#bytesOut = metrics.series('flare_bytes_out_total', { transport: link.transport });
  }

  /** Bytes waiting in the queue and in the transport. */
  get pendingBytes(): number {
    return this.#queue.bytes + this.link.backlog;
  }

  get queuedBytes(): number {
    return this.#queue.bytes;
  }

  /** Starts writing (NEGOTIATION_READY). */
  open(batch: boolean): void {
    this.batch = batch;
    this.#open = true;
    this.#schedule();
  }

  /** Queues an encoded frame; 'overflow' means the caller should close the connection. */
  push(bytes: Uint8Array, droppable: boolean): PushResult {
    if (this.#closed) return 'dropped';
    // One frame per WebSocket message and nothing waiting: no coalescing to gain, write at once.
    if (this.#open && !this.batch && this.link.transport === 'websocket' && this.#queue.length === 0 && this.link.backlog < LINK_HIGH_WATER) {
      this.#write([bytes]);
      return 'queued';
    }
    const r = this.#queue.push(bytes, droppable, (n) => this.metrics.inc('flare_send_queue_drops_total', { what: 'best_effort' }, n));
    if (r === 'dropped') this.metrics.inc('flare_send_queue_drops_total', { what: 'best_effort' });
    else if (r === 'queued') this.#schedule();
    return r;
  }

  /** Writes one frame at once, ahead of the queue (handshake replies, errors before negotiation). */
  writeNow(bytes: Uint8Array): void {
    if (!this.#closed) this.#write([bytes]);
  }

  /** Writes everything queued, ignoring the high-water mark (just before closing). */
  flushNow(): void {
    while (!this.#closed && this.#queue.length > 0) this.#write(this.#queue.take(WRITE_CHUNK));
  }

  /** Drops everything queued and stops writing. */
  close(): void {
    this.#closed = true;
    this.#queue.clear();
  }

  /** Resolves once less than `limit` bytes wait (producers pace themselves with it). */
  async whenWritable(limit = LINK_HIGH_WATER): Promise<void> {
    while (!this.#closed && this.pendingBytes > limit) await new Promise<void>((r) => setTimeout(r, 2));
  }

  #schedule(): void {
    if (this.#flushScheduled || this.#waitingDrain || !this.#open || this.#closed) return;
    this.#flushScheduled = true;
    queueMicrotask(() => this.#flush());
  }

  #flush(): void {
    this.#flushScheduled = false;
    while (!this.#closed && this.#queue.length > 0) {
      if (this.link.backlog >= LINK_HIGH_WATER) {
        this.#waitingDrain = true;
        this.link.whenBelow(LINK_HIGH_WATER / 2, () => {
          this.#waitingDrain = false;
          this.#schedule();
        });
        return;
      }
      this.#write(this.#queue.take(WRITE_CHUNK));
    }
  }

  #write(frames: Uint8Array[]): void {
    const n = this.link.write(frames, this.batch || this.link.transport === 'webtransport');
    this.#framesOut.inc(frames.length);
    this.#bytesOut.inc(n);
  }
}
