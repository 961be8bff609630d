/**
 * The Redis broker's channels: Redis pub/sub on a dedicated subscriber
 * connection, one Redis subscription per channel per process however many
 * local handlers (subscribers.ts). Messages that arrive while the broker
 * recovers are held and delivered once it is done; log entries pass the log
 * bookkeeping first (a redelivery is dropped, redis-logs.ts). While Redis is
 * unreachable a publish reaches this process's handlers only.
 */
import type { Redis } from 'ioredis';
import type { BrokerMessage, Unsubscribe } from './broker.ts';
import { decodeMessage, encodeMessage } from './redis-codec.ts';
import { buf, isConnectionError, type RedisCore } from './redis-core.ts';
import type { RedisLogs } from './redis-logs.ts';
import { RedisState, type RedisStatus } from './redis-status.ts';
import { Subscribers } from './subscribers.ts';

const decoder = new TextDecoder();

export class RedisChannels {
  readonly #handlers: Subscribers;
  /** Messages that arrive while recovering, delivered once it is done. */
  #held: Array<[string, Uint8Array]> = [];

  constructor(
    private readonly core: RedisCore,
    private readonly sub: Redis,
    private readonly logs: RedisLogs,
    private readonly status: RedisStatus,
    private readonly channelFor: (log: string) => string,
    onHandlerError?: (e: unknown) => void,
  ) {
    this.#handlers = new Subscribers(onHandlerError);
    sub.on('messageBuffer', (channel: Uint8Array, message: Uint8Array) => this.#onRedisMessage(channel, message));
  }

  /** Whether this process has handlers of the channel a log's entries go out on. */
  subscribed(log: string): boolean {
    return this.#handlers.has(this.channelFor(log));
  }

  /** Redis went away, or a recovery starts: what was held is stale (recovery reads the logs again). */
  dropHeld(): void {
    this.#held = [];
  }

  /** Recovery: subscribes every channel with local handlers again; returns how many. */
  async resubscribe(): Promise<number> {
    const channels = this.#handlers.channels().map((c) => this.core.keys.channel(c));
    for (let i = 0; i < channels.length; i += 500) await this.sub.subscribe(...channels.slice(i, i + 500));
    return channels.length;
  }

  /** Recovery is done: delivers what arrived meanwhile. */
  releaseHeld(): void {
    const held = this.#held;
    this.#held = [];
    for (const [channel, bytes] of held) this.#deliverRaw(channel, bytes);
  }

  #onRedisMessage(channelBytes: Uint8Array, message: Uint8Array): void {
    const channel = this.core.keys.channelOf(decoder.decode(channelBytes));
    if (this.status.state === RedisState.RECOVERING) {
      this.#held.push([channel, message]);
      return;
    }
    this.#deliverRaw(channel, message);
  }

  #deliverRaw(channel: string, bytes: Uint8Array): void {
    if (!this.#handlers.has(channel)) return;
    let m: BrokerMessage;
    try {
      m = decodeMessage(bytes);
    } catch (e) {
      this.status.noteError(`undecodable message on ${channel}: ${(e as Error).message}`);
      return;
    }
    this.dispatch(channel, m);
  }

  /** Delivers to this process's handlers, in order. */
  dispatch(channel: string, m: BrokerMessage): void {
    // Redelivery (catch-up next to held live messages, a degraded fallback): drop it.
    if (m.kind === 'entry' && !this.logs.admit(m.log, m.entry, this.core.up())) return;
    this.#handlers.deliver(channel, m);
  }

  async publish(channel: string, message: BrokerMessage): Promise<void> {
    if (message.kind === 'entry') {
      const e = message.entry;
      if (this.logs.local.isProvisional(e)) return this.dispatch(channel, message);
      if (this.logs.publishedByScript(channel, message.log, e)) {
        // The append script published it already. While degraded the subscriber
        // may have missed it: deliver here too (receivers drop seqs they have).
        if (!this.core.up()) this.dispatch(channel, message);
        return;
      }
    }
    if (this.core.up()) {
      try {
        await this.core.cmd.publish(this.core.keys.channel(channel), buf(encodeMessage(message)));
        return;
      } catch (e) {
        if (!isConnectionError(e)) throw e;
        this.core.commandFailed('publish', e);
      }
    }
    this.dispatch(channel, message);
  }

  async subscribe(channel: string, handler: (message: BrokerMessage) => void): Promise<Unsubscribe> {
    const { first, remove } = this.#handlers.add(channel, handler);
    if (first && this.core.up()) {
      // Failures are fine: recovery resubscribes every channel.
      await this.sub.subscribe(this.core.keys.channel(channel)).catch((e: Error) => this.status.noteError(`subscribe: ${e.message}`));
    }
    return async () => {
      if (remove() && this.core.up()) await this.sub.unsubscribe(this.core.keys.channel(channel)).catch(() => {});
    };
  }

  clear(): void {
    this.#handlers.clear();
  }
}
