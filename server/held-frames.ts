/**
 * Frames a session holds back, in arrival order, bounded by count and bytes:
 * those that arrive while its CONNECT is authenticated, and those after
 * NEGOTIATION_READY while the rooms named in CONNECT are joined.
 */
export class HeldFrames<T> {
  #items: T[] = [];
  #bytes = 0;

  constructor(
    readonly maxFrames: number,
    readonly maxBytes = Number.POSITIVE_INFINITY,
  ) {}

  /** Holds a frame of `size` bytes; false when that would exceed a bound (the frame is refused). */
  push(frame: T, size: number): boolean {
    if (this.#items.length >= this.maxFrames || this.#bytes + size > this.maxBytes) return false;
    this.#items.push(frame);
    this.#bytes += size;
    return true;
  }

  /** Everything held, oldest first; the hold is empty afterwards. */
  take(): T[] {
    const items = this.#items;
    this.#items = [];
    this.#bytes = 0;
    return items;
  }
}
