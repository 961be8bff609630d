/**
 * Many timeouts on one timer. A request arms a deadline and almost always
 * completes long before it; a `setTimeout` + `clearTimeout` pair per request
 * showed as 3% of an in-page round trip's CPU profile (Chromium's timers
 * are not cheap). Here the timer is armed only when a deadline is earlier
 * than the armed one, and a completed entry is only forgotten: with requests
 * of equal timeout, one timer serves all of them and fires about once per
 * timeout period, re-arming for the earliest entry still waiting.
 */
export class Deadlines<K> {
  readonly #entries = new Map<K, { at: number; fire: () => void }>();
  readonly #now: () => number;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #armedAt = Infinity;

  constructor(now: () => number = () => performance.now()) {
    this.#now = now;
  }

  /** Entries waiting. */
  get size(): number {
    return this.#entries.size;
  }

  /** Calls `fire` after `ms` unless `delete(key)` comes first (a key added again replaces its entry). */
  add(key: K, ms: number, fire: () => void): void {
    const at = this.#now() + ms;
    this.#entries.set(key, { at, fire });
    if (at < this.#armedAt) this.#arm(at);
  }

  /** Forgets `key`; its `fire` is not called. */
  delete(key: K): void {
    this.#entries.delete(key);
  }

  /** Forgets everything and stops the timer. */
  clear(): void {
    this.#entries.clear();
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    this.#armedAt = Infinity;
  }

  #arm(at: number): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#armedAt = at;
    this.#timer = setTimeout(() => this.#run(), Math.max(0, at - this.#now()));
  }

  #run(): void {
    this.#timer = null;
    this.#armedAt = Infinity;
    const now = this.#now();
    const due: Array<() => void> = [];
    let next = Infinity;
    for (const [key, e] of this.#entries) {
      if (e.at <= now) {
        this.#entries.delete(key);
        due.push(e.fire);
      } else if (e.at < next) next = e.at;
    }
    if (next < Infinity) this.#arm(next);
    for (const fire of due) fire();
  }
}
