/**
 * The worker's own requests to the server's built-in methods (docs/PROTOCOL.md
 * section 7), such as `room.join` after a reconnect. Their answers are taken
 * out of the incoming stream here and never reach the app, whose RPC lives
 * in the SDK. Ids start with `w` so they cannot meet the app's.
 */
import { Reliability, type Frame } from '../codec/frame-types.ts';
import { customFrame } from '../codec/frames.ts';
import { metaText } from '../codec/metadata.ts';
import { ExtCommand } from '../protocol/extensions.ts';
import type { Clock } from './clock.ts';

const encoder = new TextEncoder();

/** Where requests go (a Link). */
export interface RpcTarget {
  send(frames: readonly Frame[]): void;
}

export class ServerRpc {
  readonly #clock: Clock;
  readonly #newId: (now: number) => string;
  readonly #timeoutMs: number;
  readonly #pending = new Map<string, (ok: boolean) => void>();
  #counter = 0;

  constructor(clock: Clock, newId: (now: number) => string, timeoutMs: number) {
    this.#clock = clock;
    this.#newId = newId;
    this.#timeoutMs = timeoutMs;
  }

  /** Calls `method`; resolves true on success, false on an error answer, a send failure, `cancelAll` or timeout. */
  call(target: RpcTarget, method: string, body: unknown): Promise<boolean> {
    const id = `w${++this.#counter}`;
    return new Promise<boolean>((resolve) => {
      const timer = this.#clock.setTimeout(() => finish(false), this.#timeoutMs);
      const finish = (ok: boolean) => {
        this.#clock.clearTimeout(timer);
        this.#pending.delete(id);
        resolve(ok);
      };
      this.#pending.set(id, finish);
      try {
        const data = encoder.encode(JSON.stringify(body));
        const messageId = this.#newId(this.#clock.wallNow());
        target.send([customFrame(ExtCommand.RPC_REQUEST, { data, metadata: { id, method } }, { messageId, reliability: Reliability.BEST_EFFORT })]);
      } catch {
        finish(false);
      }
    });
  }

  /** Consumes `frame` when it answers one of our requests; returns whether it did. */
  take(frame: Frame): boolean {
    const c = frame.command;
    if (c?.case !== 'custom' || c.value.name !== ExtCommand.RPC_RESPONSE) return false;
    const done = this.#pending.get(metaText(c.value.metadata, 'id') ?? '');
    if (!done) return false;
    done(metaText(c.value.metadata, 'error') === undefined);
    return true;
  }

  /** Settles every pending request as failed (the link is gone). */
  cancelAll(): void {
    for (const done of [...this.#pending.values()]) done(false);
  }
}
