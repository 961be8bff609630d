/**
 * Ordered, duplicate-free delivery of one log (a room or a user's inbox) to one
 * connection. While a replay from history is in progress, live entries are
 * held back; after it, only entries past the last delivered sequence number
 * go out. This is what makes resume lossless and duplicate-free.
 */
import type { LogEntry } from './broker/broker.ts';

export class Membership {
  /** Highest sequence number delivered (or skipped as already seen). */
  lastSeq: number;
  #held: LogEntry[] | null = [];

  constructor(
    readonly log: string,
    /** Sends one entry to the connection (live = not from a replay). */
    private readonly send: (entry: LogEntry, live: boolean) => void,
    /** Entries published by this connection are not echoed back to it live. */
    private readonly selfId: string,
    lastSeq = 0,
  ) {
    this.lastSeq = lastSeq;
  }

  get replaying(): boolean {
    return this.#held !== null;
  }

  /** A live entry from the broker. */
  deliver(entry: LogEntry): void {
    if (this.#held) {
      this.#held.push(entry);
      return;
    }
    if (entry.seq <= this.lastSeq) return;
    this.lastSeq = entry.seq;
    if (entry.fromConnection !== this.selfId) this.send(entry, true);
  }

  /** Sends replayed entries (ascending); those already delivered are skipped. */
  replay(entries: readonly LogEntry[]): void {
    for (const e of entries) {
      if (e.seq <= this.lastSeq) continue;
      this.lastSeq = e.seq;
      this.send(e, false);
    }
  }

  /** Ends the replay: held live entries past lastSeq go out in order. */
  goLive(): void {
    const held = this.#held;
    this.#held = null;
    if (!held) return;
    held.sort((a, b) => a.seq - b.seq);
    for (const e of held) this.deliver(e);
  }
}
