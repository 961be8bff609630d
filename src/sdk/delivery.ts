/**
 * Delivery state of sent messages: each send returns a {@link SendResult}
 * whose state signal moves queued -> sent -> acked for reliable messages
 * (`sent` once the worker wrote the frame to the connection, back to `queued`
 * when the connection is lost before the server's ACK, `sent` again at the
 * resend), straight to sent for best-effort messages, or to failed. The
 * tracker matches the worker's `delivery` / `acked` / `failed` events to the
 * results by message id and forgets a message once it is settled.
 */
import { computed, signal } from './signals.ts';
import type { FlareError } from '../codec/errors.ts';
import type { ReadonlySignal } from './state.ts';

/** Where a message is. `sent`: written to the connection (best-effort: final, no ACK expected). */
export type DeliveryState = 'queued' | 'sent' | 'acked' | 'failed';

/** What a send returns. */
export interface SendResult {
  readonly id: string;
  readonly state: ReadonlySignal<DeliveryState>;
  /** Sequence number the server assigned (room and direct messages), once ACKed. */
  readonly seq: ReadonlySignal<number | null>;
  readonly error: ReadonlySignal<FlareError | null>;
  /** Resolves once ACKed (best-effort: once sent); rejects with the FlareError when it fails. */
  readonly delivered: Promise<{ id: string; seq: number | null }>;
}

interface Entry {
  state: ReturnType<typeof signal<DeliveryState>>;
  seq: ReturnType<typeof signal<number | null>>;
  error: ReturnType<typeof signal<FlareError | null>>;
  resolve: (v: { id: string; seq: number | null }) => void;
  reject: (e: FlareError) => void;
  onSettled?: (ok: boolean, seq: number | null) => void;
}

/** Tracks unsettled sends by id. */
export class DeliveryTracker {
  readonly #open = new Map<string, Entry>();

  /** Messages not yet ACKed or failed. */
  get pending(): number {
    return this.#open.size;
  }

  /** Starts tracking `id` (before the worker sees it, so no event can be missed). */
  track(id: string, onSettled?: (ok: boolean, seq: number | null) => void): SendResult {
    let resolve!: Entry['resolve'];
    let reject!: Entry['reject'];
    const delivered = new Promise<{ id: string; seq: number | null }>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    delivered.catch(() => {}); // failures are also in `state` and the messageFailed event
    const e: Entry = { state: signal<DeliveryState>('queued'), seq: signal<number | null>(null), error: signal<FlareError | null>(null), resolve, reject, onSettled };
    this.#open.set(id, e);
    return { id, state: computed(() => e.state.get()), seq: computed(() => e.seq.get()), error: computed(() => e.error.get()), delivered };
  }

  /** Whether a send with this id is still waiting for its outcome. */
  isOpen(id: string): boolean {
    return this.#open.has(id);
  }

  /** The worker took it: `queued` (reliable, in the outbox) or `sent` (best-effort, settled at once). */
  accepted(id: string, state: 'queued' | 'sent'): void {
    const e = this.#open.get(id);
    if (!e) return;
    if (state === 'sent') this.#settle(id, e, 'sent', null);
  }

  /**
   * Reliable messages written to the connection (`sent`) or waiting again after
   * it was lost (`queued`); ids not tracked here (another tab's) are ignored.
   */
  progress(ids: readonly string[], state: 'sent' | 'queued'): void {
    for (const id of ids) this.#open.get(id)?.state.set(state);
  }

  /** The server's ACK. Returns false when the id was not tracked here (another tab's message). */
  acked(id: string, seq: number | null): boolean {
    const e = this.#open.get(id);
    if (!e) return false;
    this.#settle(id, e, 'acked', seq);
    return true;
  }

  /** The message failed. Returns false when the id was not tracked here. */
  failed(id: string, error: FlareError): boolean {
    const e = this.#open.get(id);
    if (!e) return false;
    e.error.set(error);
    this.#settle(id, e, 'failed', null, error);
    return true;
  }

  #settle(id: string, e: Entry, state: 'sent' | 'acked' | 'failed', seq: number | null, error?: FlareError): void {
    this.#open.delete(id);
    const ok = state !== 'failed';
    if (seq !== null) e.seq.set(seq);
    e.state.set(state);
    if (ok) e.resolve({ id, seq });
    else e.reject(error!);
    e.onSettled?.(ok, seq);
  }
}
