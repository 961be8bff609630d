/**
 * This process's handlers of broker channels, and the in-order delivery to
 * them: a handler that throws does not keep a message from the others.
 * Shared by the in-memory and the Redis broker.
 */
import type { BrokerMessage } from './broker.ts';

export type Handler = (message: BrokerMessage) => void;

export class Subscribers {
  readonly #subs = new Map<string, Set<Handler>>();

  constructor(private readonly onHandlerError?: (e: unknown) => void) {}

  has(channel: string): boolean {
    return this.#subs.has(channel);
  }

  /** Channels with at least one handler. */
  channels(): string[] {
    return [...this.#subs.keys()];
  }

  /**
   * Adds a handler. `first`: the channel had none. `remove()` takes it away
   * again and returns true when that left the channel without handlers.
   */
  add(channel: string, handler: Handler): { first: boolean; remove: () => boolean } {
    let subs = this.#subs.get(channel);
    const first = !subs;
    if (!subs) this.#subs.set(channel, (subs = new Set()));
    subs.add(handler);
    const set = subs;
    return {
      first,
      remove: () => {
        set.delete(handler);
        if (set.size !== 0 || this.#subs.get(channel) !== set) return false;
        this.#subs.delete(channel);
        return true;
      },
    };
  }

  /** Hands `message` to every handler of `channel`, in subscription order. */
  deliver(channel: string, message: BrokerMessage): void {
    const subs = this.#subs.get(channel);
    if (!subs) return;
    for (const handler of [...subs]) {
      try {
        handler(message);
      } catch (e) {
        this.onHandlerError?.(e);
      }
    }
  }

  clear(): void {
    this.#subs.clear();
  }
}
