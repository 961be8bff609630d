/**
 * The inbox: what the server sends is delivered to the app exactly once and,
 * per stream (a room, or the user's direct-message inbox), in sequence order.
 *
 * - De-duplication by message id in a bounded LRU set: a frame the server
 *   sends again (a replay after reconnect overlapping what arrived, a resend
 *   after a transport switch) is dropped.
 * - Ordering: a frame with `seq` n of a stream is delivered only after n - 1.
 *   A frame ahead of its turn waits in a bounded buffer and a `gap` is
 *   reported; the gap normally fills (the server replays after a resume). If
 *   it does not fill within `gapTimeoutMs`, or the buffer overflows, the
 *   waiting frames are delivered anyway and the gap is reported as skipped,
 *   so one lost frame never blocks a room.
 * - Resume positions: the last delivered seq of each stream, which the
 *   session sends in CONNECT (`rooms`, `inbox_seq`) so the server replays
 *   what was missed.
 * Frames without a seq (0, as plain flare-core sends) are only de-duplicated.
 * A known id arriving under a new seq (a resend the server stored twice)
 * consumes its seq without being delivered, so it opens no gap.
 */

/** What the inbox needs to know of a frame. */
export interface InboxItem<T> {
  /** Message id (de-duplication key). */
  readonly id: string;
  /** Stream key: a room name, or '' for direct messages; null for unordered frames. */
  readonly stream: string | null;
  /** Sequence number within the stream (> 0), or 0 for none. */
  readonly seq: number;
  readonly value: T;
  /**
   * Replayed from history (`history=1`). A history frame older than the
   * stream's position (a page of `room.history`) is delivered once, by id,
   * without moving the position; newer ones (a resume replay) are ordered.
   */
  readonly history?: boolean;
}

/** A hole in a stream's sequence. */
export interface InboxGap {
  readonly stream: string;
  /** First missing seq. */
  readonly from: number;
  /** Last missing seq. */
  readonly to: number;
  /** 'open' when first seen, 'skipped' when given up on. */
  readonly state: 'open' | 'skipped';
}

/** Options; every field has a default. */
export interface InboxOptions {
  /** Message ids remembered for de-duplication (default 10000). */
  dedupeCapacity?: number;
  /** Frames held per stream waiting for a gap to fill (default 1000). */
  maxBuffered?: number;
  /** How long a gap may stay open (default 10000 ms). */
  gapTimeoutMs?: number;
  onGap?: (gap: InboxGap) => void;
}

/** A frame in a stream; `dup` frames hold their seq but deliver nothing. */
type Slot<T> = InboxItem<T> & { dup?: boolean };

interface StreamState<T> {
  last: number;
  /** seq -> item, waiting for its turn. */
  waiting: Map<number, Slot<T>>;
  /** Monotonic time the current gap opened, or null. */
  gapSince: number | null;
}

/** De-duplicates and orders incoming frames. */
export class Inbox<T> {
  /** Remembered ids, and the same ids in arrival order (a ring: the oldest is overwritten). */
  readonly #seen = new Set<string>();
  readonly #ring: string[] = [];
  #ringAt = 0;
  readonly #streams = new Map<string, StreamState<T>>();
  readonly #capacity: number;
  readonly #maxBuffered: number;
  readonly gapTimeoutMs: number;
  readonly #onGap: (gap: InboxGap) => void;
  #duplicates = 0;

  constructor(options: InboxOptions = {}) {
    this.#capacity = options.dedupeCapacity ?? 10_000;
    this.#maxBuffered = options.maxBuffered ?? 1000;
    this.gapTimeoutMs = options.gapTimeoutMs ?? 10_000;
    this.#onGap = options.onGap ?? (() => {});
  }

  /** Frames dropped as duplicates so far. */
  get duplicates(): number {
    return this.#duplicates;
  }

  /**
   * Takes one frame; returns the frames now deliverable, in order (possibly
   * none, possibly several when it filled a gap). `now` is monotonic ms.
   */
  push(item: InboxItem<T>, now: number): T[] {
    const seen = item.id !== '' && this.#seen.has(item.id);
    if (item.stream === null || !(item.seq > 0)) {
      if (seen) {
        this.#duplicates++;
        return [];
      }
      this.#remember(item.id);
      return [item.value];
    }
    const known = this.#streams.get(item.stream);
    if (item.history && known && item.seq <= known.last) {
      if (seen) {
        this.#duplicates++;
        return [];
      }
      this.#remember(item.id);
      return [item.value];
    }
    if (seen) {
      // A resend the server stored twice under a new seq: consume the seq (no gap), deliver nothing.
      this.#duplicates++;
      return this.#place({ ...item, stream: item.stream, dup: true }, now);
    }
    this.#remember(item.id);
    return this.#place(item as Slot<T> & { stream: string }, now);
  }

  #place(item: Slot<T> & { stream: string }, now: number): T[] {
    let s = this.#streams.get(item.stream);
    if (!s) {
      // No position for this stream: this frame sets the baseline.
      s = { last: item.seq - 1, waiting: new Map(), gapSince: null };
      this.#streams.set(item.stream, s);
    }
    if (item.seq <= s.last || s.waiting.has(item.seq)) {
      if (!item.dup) this.#duplicates++;
      return [];
    }
    if (item.seq === s.last + 1) {
      s.last = item.seq;
      const out = item.dup ? [] : [item.value];
      this.#drain(s, out);
      if (s.waiting.size === 0) s.gapSince = null;
      else this.#openGap(item.stream, s, now);
      return out;
    }
    s.waiting.set(item.seq, item);
    if (s.gapSince === null) this.#openGap(item.stream, s, now);
    if (s.waiting.size > this.#maxBuffered) return this.#skip(item.stream, s);
    return [];
  }

  /** Gives up on gaps open longer than `gapTimeoutMs`; returns the frames released, in order. */
  expireGaps(now: number): T[] {
    const out: T[] = [];
    for (const [stream, s] of this.#streams) {
      if (s.gapSince !== null && now - s.gapSince >= this.gapTimeoutMs) out.push(...this.#skip(stream, s));
    }
    return out;
  }

  /** When the oldest open gap times out (monotonic ms), or null. */
  nextWakeAt(): number | null {
    let at: number | null = null;
    for (const s of this.#streams.values()) {
      if (s.gapSince !== null && (at === null || s.gapSince + this.gapTimeoutMs < at)) at = s.gapSince + this.gapTimeoutMs;
    }
    return at;
  }

  /** Last delivered seq of one stream, or undefined for a stream not seen. */
  position(stream: string): number | undefined {
    return this.#streams.get(stream)?.last;
  }

  /** Last delivered seq per stream: the resume positions for CONNECT. */
  positions(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [stream, s] of this.#streams) out[stream] = s.last;
    return out;
  }

  /** Sets a stream's position (joining a room at a known point, or restoring saved positions). */
  setPosition(stream: string, lastSeq: number): void {
    const s = this.#streams.get(stream);
    if (!s) this.#streams.set(stream, { last: lastSeq, waiting: new Map(), gapSince: null });
    else if (lastSeq > s.last) {
      s.last = lastSeq;
      for (const seq of s.waiting.keys()) if (seq <= lastSeq) s.waiting.delete(seq);
    }
  }

  /** Forgets a stream (the app left the room). */
  forget(stream: string): void {
    this.#streams.delete(stream);
  }

  #remember(id: string): void {
    if (id === '' || this.#capacity <= 0) return;
    // A ring, not the Set's own order: deleting a Set's oldest entry through keys() walks over every
    // deleted slot before it, which made this O(capacity) per message under a flood.
    if (this.#ring.length < this.#capacity) this.#ring.push(id);
    else {
      this.#seen.delete(this.#ring[this.#ringAt]!);
      this.#ring[this.#ringAt] = id;
      this.#ringAt = (this.#ringAt + 1) % this.#capacity;
    }
    this.#seen.add(id);
  }

  #drain(s: StreamState<T>, out: T[]): void {
    for (let next = s.waiting.get(s.last + 1); next; next = s.waiting.get(s.last + 1)) {
      s.waiting.delete(next.seq);
      s.last = next.seq;
      if (!next.dup) out.push(next.value);
    }
  }

  #openGap(stream: string, s: StreamState<T>, now: number): void {
    s.gapSince = now;
    this.#onGap({ stream, from: s.last + 1, to: Math.min(...s.waiting.keys()) - 1, state: 'open' });
  }

  /** Jumps over the first hole and delivers what follows, repeatedly, until nothing waits. */
  #skip(stream: string, s: StreamState<T>): T[] {
    const out: T[] = [];
    while (s.waiting.size > 0) {
      const first = Math.min(...s.waiting.keys());
      this.#onGap({ stream, from: s.last + 1, to: first - 1, state: 'skipped' });
      s.last = first - 1;
      this.#drain(s, out);
    }
    s.gapSince = null;
    return out;
  }
}
