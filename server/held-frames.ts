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

/** Frames held after NEGOTIATION_READY while the rooms named in CONNECT are joined. */
const MAX_HELD_FRAMES = 1024;
const MAX_HELD_BYTES = 8 << 20;

/**
 * The gate in front of an open session's dispatch: frames may use the rooms
 * named in CONNECT at once (publish to them), so until those are joined they
 * wait here, then go on in arrival order. Without such rooms it is never shut.
 */
export class RoomGate<F> {
  #held: HeldFrames<F> | null = null;

  constructor(
    private readonly pass: (frame: F) => void,
    private readonly refuse: (frame: F) => void,
    private readonly gone: () => boolean,
  ) {}

  /** Holds frames until `joined` resolves. */
  shut(joined: Promise<unknown>): void {
    this.#held = new HeldFrames(MAX_HELD_FRAMES, MAX_HELD_BYTES);
    void joined.then(() => this.#release());
  }

  /** One frame: passed on at once, held, or refused when the hold is full. */
  frame(frame: F, size: number): void {
    if (!this.#held) return this.pass(frame);
    if (!this.#held.push(frame, size)) this.refuse(frame);
  }

  #release(): void {
    const held = this.#held?.take() ?? [];
    this.#held = null;
    for (const f of held) {
      if (this.gone()) return;
      this.pass(f);
    }
  }
}
