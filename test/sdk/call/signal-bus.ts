/**
 * An in-page stand-in for the Flare connection's user-to-user messages: each user gets a
 * `CallSignaller`; signals are JSON round-tripped (as on the wire) and delivered asynchronously in
 * send order. `hold()` / `release()` delay delivery to one user, to test early-arriving signals.
 */
import type { CallSignal, CallSignaller, IncomingCallSignal } from '../../../src/sdk/call/call-signals.ts';

export class SignalBus {
  readonly #handlers = new Map<string, Set<(event: IncomingCallSignal) => void>>();
  readonly #held = new Map<string, IncomingCallSignal[]>();
  /** Every signal sent, in order, for assertions. */
  readonly log: Array<{ from: string; to: string; signal: CallSignal }> = [];
  #chain: Promise<void> = Promise.resolve();

  signaller(userId: string): CallSignaller {
    return {
      send: (to, signal) => {
        this.log.push({ from: userId, to, signal });
        const event: IncomingCallSignal = { from: userId, signal: JSON.parse(JSON.stringify(signal)) };
        this.#chain = this.#chain.then(() => new Promise((r) => setTimeout(r, 0))).then(() => this.#deliver(to, event));
      },
      onSignal: (handler) => {
        let set = this.#handlers.get(userId);
        if (!set) this.#handlers.set(userId, (set = new Set()));
        set.add(handler);
        return () => set.delete(handler);
      },
    };
  }

  /** Queues deliveries to `userId` until `release`. */
  hold(userId: string): void {
    if (!this.#held.has(userId)) this.#held.set(userId, []);
  }

  release(userId: string): void {
    const queued = this.#held.get(userId) ?? [];
    this.#held.delete(userId);
    for (const event of queued) this.#deliver(userId, event);
  }

  /** Resolves once everything sent so far, and everything sent in reaction to it, has been delivered. */
  async flushed(): Promise<void> {
    for (;;) {
      await new Promise((r) => setTimeout(r, 0));
      const chain = this.#chain;
      await chain;
      await new Promise((r) => setTimeout(r, 0));
      if (chain === this.#chain) return;
    }
  }

  sent(type: CallSignal['type']): Array<{ from: string; to: string; signal: CallSignal }> {
    return this.log.filter((entry) => entry.signal.type === type);
  }

  #deliver(to: string, event: IncomingCallSignal): void {
    const held = this.#held.get(to);
    if (held) {
      held.push(event);
      return;
    }
    for (const handler of this.#handlers.get(to) ?? []) handler(event);
  }
}
