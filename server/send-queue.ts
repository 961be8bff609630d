/**
 * A connection's bounded send queue. Frames wait here while the transport is
 * congested; the bound is in bytes. When a frame does not fit:
 * - a best-effort frame (reliability BEST_EFFORT) is dropped;
 * - a reliable frame first evicts queued best-effort frames; if it still does
 *   not fit the queue reports overflow and the session closes the connection
 *   (the client reconnects and resumes from its sequence numbers).
 */

export interface Queued {
  bytes: Uint8Array;
  droppable: boolean;
}

export type PushResult = 'queued' | 'dropped' | 'overflow';

export class SendQueue {
  #items: Queued[] = [];
  #head = 0;
  #bytes = 0;

  constructor(readonly limitBytes: number) {}

  get bytes(): number {
    return this.#bytes;
  }

  get length(): number {
    return this.#items.length - this.#head;
  }

  /** Queues a frame, applying the policy above. `evicted` counts best-effort frames dropped to make room. */
  push(bytes: Uint8Array, droppable: boolean, onEvict?: (n: number) => void): PushResult {
    if (this.#bytes + bytes.length > this.limitBytes && this.length > 0) {
      if (droppable) return 'dropped';
      const evicted = this.#evictDroppable(this.#bytes + bytes.length - this.limitBytes);
      if (evicted > 0) onEvict?.(evicted);
      if (this.#bytes + bytes.length > this.limitBytes) return 'overflow';
    }
    this.#items.push({ bytes, droppable });
    this.#bytes += bytes.length;
    return 'queued';
  }

  /** Takes frames from the front, up to `maxBytes` in total (always at least one when not empty). */
  take(maxBytes: number): Uint8Array[] {
    const out: Uint8Array[] = [];
    let n = 0;
    while (this.#head < this.#items.length) {
      const item = this.#items[this.#head]!;
      if (out.length > 0 && n + item.bytes.length > maxBytes) break;
      out.push(item.bytes);
      n += item.bytes.length;
      this.#items[this.#head++] = undefined as unknown as Queued;
    }
    this.#bytes -= n;
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    } else if (this.#head === this.#items.length) {
      this.#items = [];
      this.#head = 0;
    }
    return out;
  }

  clear(): void {
    this.#items = [];
    this.#head = 0;
    this.#bytes = 0;
  }

  #evictDroppable(needed: number): number {
    let freed = 0;
    let count = 0;
    const kept: Queued[] = [];
    for (let i = this.#head; i < this.#items.length; i++) {
      const item = this.#items[i]!;
      if (freed < needed && item.droppable) {
        freed += item.bytes.length;
        count++;
      } else kept.push(item);
    }
    if (count > 0) {
      this.#items = kept;
      this.#head = 0;
      this.#bytes -= freed;
    }
    return count;
  }
}
