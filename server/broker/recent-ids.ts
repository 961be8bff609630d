/**
 * Idempotent publish: the message ids a log saw recently, so that a client
 * resending a message (after a reconnect, its ACK lost) gets the original's
 * seq instead of a second copy. The key is the publisher's user id with the
 * message id (ids are only unique per client); the window is the log's last
 * `window` sequence numbers. The Redis broker keeps the same window in a
 * sorted set (redis-scripts.ts, APPEND).
 */

/** Sequence numbers a log remembers message ids for (docs/PROTOCOL.md, section 6). */
export const DEDUPE_WINDOW = 1000;

/** The de-duplication key of an entry; null when it has no message id (never de-duplicated). */
export function dedupeKey(from: string, messageId: string): string | null {
  return messageId ? `${from.length}:${from}${messageId}` : null;
}

/** Keys of the entries with the last `window` seqs of one log, with their seqs. */
export class RecentIds {
  readonly #seqs = new Map<string, number>();
  #queue: Array<{ key: string; seq: number }> = [];
  #head = 0;

  constructor(readonly window: number = DEDUPE_WINDOW) {}

  /** The seq of the entry with this key, when it is in the window. */
  get(key: string): number | undefined {
    return this.#seqs.get(key);
  }

  /** Remembers `key` at `seq` (the log's newest) and forgets what fell out of the window. */
  add(key: string, seq: number): void {
    this.#seqs.set(key, seq);
    this.#queue.push({ key, seq });
    const floor = seq - this.window;
    while (this.#head < this.#queue.length && this.#queue[this.#head]!.seq <= floor) {
      const old = this.#queue[this.#head++]!;
      if (this.#seqs.get(old.key) === old.seq) this.#seqs.delete(old.key);
    }
    // Compact now and then instead of shifting on every add.
    if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
  }

  get size(): number {
    return this.#seqs.size;
  }
}
