/**
 * A wrapper around a real transport that a test can cut (the client sees an
 * abrupt close, 1006, as when the network drops; the server is not told) or
 * feed with bytes of its choosing (bad frames "from the server").
 */
import type { Transport, TransportHandlers } from '../../../src/worker/transport.ts';

export class CuttableTransport implements Transport {
  static live: CuttableTransport[] = [];
  readonly inner: Transport;
  #handlers: TransportHandlers | null = null;
  #cut = false;

  constructor(inner: Transport) {
    this.inner = inner;
  }

  get kind() {
    return this.inner.kind;
  }
  get url() {
    return this.inner.url;
  }
  get isOpen() {
    return !this.#cut && this.inner.isOpen;
  }
  get bufferedAmount() {
    return this.inner.bufferedAmount;
  }
  get maxDatagramSize() {
    return this.inner.maxDatagramSize;
  }

  async open(handlers: TransportHandlers, signal?: AbortSignal): Promise<void> {
    this.#handlers = handlers;
    await this.inner.open(
      {
        frames: (f) => !this.#cut && handlers.frames(f),
        datagram: (d) => !this.#cut && handlers.datagram?.(d),
        dropped: (e) => !this.#cut && handlers.dropped?.(e),
        closed: (info) => {
          CuttableTransport.live = CuttableTransport.live.filter((t) => t !== this);
          if (!this.#cut) handlers.closed(info);
        },
      },
      signal,
    );
    CuttableTransport.live.push(this);
  }

  send(frames: readonly Uint8Array[]): void {
    if (!this.#cut) this.inner.send(frames);
  }
  setBatched(on: boolean): void {
    this.inner.setBatched(on);
  }
  sendDatagram(bytes: Uint8Array): boolean {
    return !this.#cut && this.inner.sendDatagram(bytes);
  }
  close(code?: number, reason?: string): void {
    this.inner.close(code, reason);
  }

  /**
   * The network drops: the client sees 1006 now and ignores everything after;
   * the server keeps writing into the void for `serverNoticesAfterMs`, then
   * the socket is closed (what a dead peer looks like to it eventually).
   */
  cut(serverNoticesAfterMs = 2000): void {
    if (this.#cut) return;
    this.#cut = true;
    CuttableTransport.live = CuttableTransport.live.filter((t) => t !== this);
    this.#handlers?.closed({ code: 1006, reason: 'network cut (test)', local: false });
    setTimeout(() => this.inner.close(1000, 'cut'), serverNoticesAfterMs);
  }

  /** Delivers raw bytes as if the server had sent them. */
  inject(...frames: Uint8Array[]): void {
    this.#handlers?.frames(frames);
  }
}
