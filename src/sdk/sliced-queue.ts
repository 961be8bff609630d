/**
 * Runs work on the main thread in slices so that a flood never makes a long
 * task: items are handled in order, in the task they arrive in while the
 * time budget lasts, and the rest continues in a fresh task (a MessageChannel
 * message: no timer clamping). A quiet stream of events is handled at once;
 * only a backlog waits, and it keeps its order.
 */
import { channelYield } from '../worker/yield-task.ts';

/** Options; every field has a default. */
export interface SlicedQueueOptions {
  /** Main-thread time one task may spend (default 8 ms, well under the 50 ms of a long task). */
  budgetMs?: number;
  /** Items handled between clock reads (default 32). */
  slice?: number;
  now?: () => number;
  /** Schedules the continuation in a new task (default: a MessageChannel message). */
  yieldTask?: (fn: () => void) => void;
}

export class SlicedQueue<T> {
  readonly #handle: (item: T) => void;
  readonly #budget: number;
  readonly #slice: number;
  readonly #now: () => number;
  readonly #yield: (fn: () => void) => void;
  #batches: T[][] = [];
  #index = 0;
  #running = false;
  #scheduled = false;

  constructor(handle: (item: T) => void, options: SlicedQueueOptions = {}) {
    this.#handle = handle;
    this.#budget = options.budgetMs ?? 8;
    this.#slice = options.slice ?? 32;
    this.#now = options.now ?? (() => performance.now());
    this.#yield = options.yieldTask ?? channelYield();
  }

  /** Items waiting. */
  get backlog(): number {
    return this.#batches.reduce((n, b) => n + b.length, 0) - this.#index;
  }

  /** Queues a batch; handles what the budget allows now. */
  push(batch: readonly T[]): void {
    if (batch.length === 0) return;
    this.#batches.push(batch as T[]);
    if (!this.#running && !this.#scheduled) this.#run();
  }

  /** Drops what waits. */
  clear(): void {
    this.#batches = [];
    this.#index = 0;
  }

  #run(): void {
    this.#scheduled = false;
    this.#running = true;
    const start = this.#now();
    try {
      while (this.#batches.length) {
        const batch = this.#batches[0]!;
        const end = Math.min(batch.length, this.#index + this.#slice);
        while (this.#index < end) {
          try {
            this.#handle(batch[this.#index++]!);
          } catch (e) {
            report(e);
          }
        }
        if (this.#index >= batch.length) {
          this.#batches.shift();
          this.#index = 0;
        }
        if (this.#batches.length && this.#now() - start >= this.#budget) {
          this.#scheduled = true;
          this.#yield(() => this.#run());
          return;
        }
      }
    } finally {
      this.#running = false;
    }
  }
}

function report(e: unknown): void {
  const r = (globalThis as { reportError?: (e: unknown) => void }).reportError;
  if (r) r(e);
  else setTimeout(() => {
    throw e;
  });
}
