/**
 * Events to the main thread in batches: one postMessage per burst instead of
 * one per frame, with the bytes transferred rather than copied, so a flood of
 * messages arrives as a few large deliveries and never as thousands of tasks
 * on the main thread.
 *
 * Scheduling: the first event after a quiet period is delivered at the end of
 * the current task (a microtask), so a lone message has no added latency.
 * While events keep coming, deliveries are spaced at least `minIntervalMs`
 * apart and everything that arrived in between goes in one batch. A batch
 * never exceeds `maxBatch` events (the main thread's work per delivery stays
 * short); a full batch is delivered at once. Urgent events (see `urgent`)
 * skip the spacing.
 */
import type { Clock, TimerHandle } from './clock.ts';

/** Receives one batch; typically `port.postMessage(batch, transfer)` or a comlink proxy call wrapped in `Comlink.transfer`. */
export type BatchSink<E> = (batch: E[], transfer: Transferable[]) => void;

/** Options; every field but `deliver` and `clock` has a default. */
export interface EventBatcherOptions<E> {
  deliver: BatchSink<E>;
  clock: Clock;
  /** Least time between two deliveries while busy (default 8 ms). */
  minIntervalMs?: number;
  /** Most events per delivery (default 1000). */
  maxBatch?: number;
  /** Schedules end-of-task work (default queueMicrotask). */
  microtask?: (fn: () => void) => void;
  /**
   * Events someone is waiting on (an RPC answer, an ACK, a state change):
   * they go at the end of the task even while busy, with whatever is queued,
   * so request/response latency never pays the spacing. Default: none.
   */
  urgent?: (event: E) => boolean;
}

export class EventBatcher<E> {
  readonly minIntervalMs: number;
  readonly maxBatch: number;
  readonly #deliver: BatchSink<E>;
  readonly #clock: Clock;
  readonly #microtask: (fn: () => void) => void;
  readonly #urgent: ((event: E) => boolean) | null;
  #events: E[] = [];
  #transfer = new Set<Transferable>();
  #scheduled: 'microtask' | 'timer' | null = null;
  #timer: TimerHandle | null = null;
  #lastFlush = -Infinity;
  #batches = 0;

  constructor(options: EventBatcherOptions<E>) {
    this.#deliver = options.deliver;
    this.#clock = options.clock;
    this.minIntervalMs = options.minIntervalMs ?? 8;
    this.maxBatch = options.maxBatch ?? 1000;
    this.#microtask = options.microtask ?? ((fn) => queueMicrotask(fn));
    this.#urgent = options.urgent ?? null;
  }

  /** Events waiting for the next delivery. */
  get pending(): number {
    return this.#events.length;
  }

  /** Deliveries made so far. */
  get batches(): number {
    return this.#batches;
  }

  /**
   * Queues one event; `transfer` lists buffers to move with it (each is
   * transferred once per batch even if several events name it). The caller
   * must not touch a transferred buffer afterwards.
   */
  push(event: E, transfer?: readonly Transferable[]): void {
    this.#events.push(event);
    if (transfer) for (const t of transfer) this.#transfer.add(t);
    if (this.#events.length >= this.maxBatch) {
      this.flush();
      return;
    }
    this.#schedule(this.#urgent !== null && this.#urgent(event));
  }

  /** Delivers whatever is queued now. */
  flush(): void {
    if (this.#timer !== null) this.#clock.clearTimeout(this.#timer);
    this.#timer = null;
    this.#scheduled = null;
    if (this.#events.length === 0) return;
    const batch = this.#events;
    const transfer = [...this.#transfer];
    this.#events = [];
    this.#transfer = new Set();
    this.#lastFlush = this.#clock.now();
    this.#batches++;
    this.#deliver(batch, transfer);
  }

  /** Drops queued events and cancels the pending delivery. */
  clear(): void {
    if (this.#timer !== null) this.#clock.clearTimeout(this.#timer);
    this.#timer = null;
    this.#scheduled = null;
    this.#events = [];
    this.#transfer = new Set();
  }

  #schedule(urgent = false): void {
    if (this.#scheduled === 'microtask' || (this.#scheduled === 'timer' && !urgent)) return;
    const wait = urgent ? 0 : this.#lastFlush + this.minIntervalMs - this.#clock.now();
    if (wait <= 0) {
      if (this.#timer !== null) this.#clock.clearTimeout(this.#timer);
      this.#timer = null;
      this.#scheduled = 'microtask';
      this.#microtask(() => {
        if (this.#scheduled === 'microtask') this.flush();
      });
    } else {
      this.#scheduled = 'timer';
      this.#timer = this.#clock.setTimeout(() => {
        this.#timer = null;
        this.flush();
      }, wait);
    }
  }
}

/**
 * Bytes that may be transferred: the view itself when it spans its whole,
 * ordinary ArrayBuffer, else a copy in a fresh one. (A view into a larger
 * buffer, such as a decoded WebSocket message or WASM memory, must never be
 * transferred: that would detach everything else in it.)
 */
export function ownedBytes(view: Uint8Array): Uint8Array<ArrayBuffer> {
  const buf = view.buffer;
  if (buf instanceof ArrayBuffer && view.byteOffset === 0 && view.byteLength === buf.byteLength) return view as Uint8Array<ArrayBuffer>;
  return view.slice() as Uint8Array<ArrayBuffer>;
}
