/** A hand-driven clock implementing the call layer's `Timers`, for deterministic tests. */
import type { TimerHandle, Timers } from '../../../src/sdk/call/timers.ts';

interface Pending {
  id: number;
  at: number;
  callback: () => void;
}

/** Lets pending promise callbacks (microtasks and a real macrotask turn) run. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

export class FakeTimers implements Timers {
  #now = 0;
  #nextId = 1;
  #pending: Pending[] = [];

  now(): number {
    return this.#now;
  }

  setTimeout(callback: () => void, ms: number): TimerHandle {
    const id = this.#nextId++;
    this.#pending.push({ id, at: this.#now + Math.max(0, ms), callback });
    return id;
  }

  clearTimeout(handle: TimerHandle): void {
    this.#pending = this.#pending.filter((p) => p.id !== handle);
  }

  /** Number of timers waiting to fire. */
  get pendingCount(): number {
    return this.#pending.length;
  }

  /** Delays (from now) of the waiting timers, soonest first. */
  pendingDelays(): number[] {
    return this.#pending.map((p) => p.at - this.#now).sort((a, b) => a - b);
  }

  /**
   * Moves the clock forward by `ms`, firing due timers in order and letting promise chains settle
   * after each, so timers scheduled by those callbacks fire too when they fall inside the window.
   */
  async advance(ms: number): Promise<void> {
    const until = this.#now + ms;
    await settle();
    for (;;) {
      this.#pending.sort((a, b) => a.at - b.at || a.id - b.id);
      const next = this.#pending[0];
      if (!next || next.at > until) break;
      this.#pending.shift();
      this.#now = next.at;
      next.callback();
      await settle();
    }
    this.#now = until;
    await settle();
  }
}
