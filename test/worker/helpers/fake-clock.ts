/**
 * A manual clock for worker tests: time moves only when the test says so,
 * and timers fire in order of due time while it moves. `stall()` moves time
 * without firing timers, as a throttled background tab or a sleeping laptop
 * does; the next `advance()` then fires the overdue timers late.
 */
import type { Clock, TimerHandle } from '../../../src/worker/clock.ts';

interface Timer {
  id: number;
  due: number;
  fn: () => void;
}

export class FakeClock implements Clock {
  #now: number;
  #wallBase: number;
  #nextId = 1;
  #timers: Timer[] = [];

  constructor(start = 1000, wallStart = 1_700_000_000_000) {
    this.#now = start;
    this.#wallBase = wallStart - start;
  }

  now(): number {
    return this.#now;
  }

  wallNow(): number {
    return this.#wallBase + this.#now;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const timer = { id: this.#nextId++, due: this.#now + Math.max(0, ms), fn };
    this.#timers.push(timer);
    return timer.id;
  }

  clearTimeout(handle: TimerHandle): void {
    this.#timers = this.#timers.filter((t) => t.id !== handle);
  }

  /** Timers waiting to fire. */
  get pending(): number {
    return this.#timers.length;
  }

  /** Moves time forward by `ms`, firing each timer at its due time (timers may add timers). */
  advance(ms: number): void {
    const end = this.#now + ms;
    for (;;) {
      let next: Timer | undefined;
      for (const t of this.#timers) if (t.due <= end && (!next || t.due < next.due || (t.due === next.due && t.id < next.id))) next = t;
      if (!next) break;
      this.#timers = this.#timers.filter((t) => t !== next);
      this.#now = Math.max(this.#now, next.due);
      next.fn();
    }
    this.#now = end;
  }

  /** Due time of the next timer, or null. */
  nextDue(): number | null {
    let due: number | null = null;
    for (const t of this.#timers) if (due === null || t.due < due) due = t.due;
    return due;
  }

  /** Moves time forward by `ms` without firing anything (throttled or suspended timers). */
  stall(ms: number): void {
    this.#now += ms;
  }

  /** Fires every overdue timer now, late, as a throttled tab does when it wakes. */
  fireOverdue(): void {
    this.advance(0);
  }

  /** Shifts the wall clock only (the user changed the system time). */
  jumpWall(ms: number): void {
    this.#wallBase += ms;
  }
}

/** Lets pending promise reactions run (one unclamped macrotask turn). */
export function settle(): Promise<void> {
  return new Promise((r) => {
    const ch = new MessageChannel();
    ch.port1.onmessage = () => {
      ch.port1.close();
      r();
    };
    ch.port2.postMessage(null);
  });
}

/**
 * Advances `clock` by `ms`, timer by timer, letting promise reactions run
 * after each one, for code that mixes injected timers with async/await.
 */
export async function advanceAsync(clock: FakeClock, ms: number): Promise<void> {
  const end = clock.now() + ms;
  await settle();
  for (;;) {
    const due = clock.nextDue();
    if (due === null || due > end) break;
    clock.advance(Math.max(0, due - clock.now()));
    await settle();
  }
  clock.advance(Math.max(0, end - clock.now()));
  await settle();
}
