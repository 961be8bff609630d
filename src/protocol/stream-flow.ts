/**
 * The flow control of one `flare.stream` (docs/PROTOCOL.md section 7), shared by the client's
 * FlareStream (src/sdk/streams.ts) and the server's ServerStream (server/streams.ts): a side may
 * send one data frame per credit the other side granted, and grants credit back as its reader
 * consumes, so a slow reader slows the sender instead of growing a buffer. This class keeps the
 * state and the waiting; the two streams put the frames on the wire.
 */
import type { FlareError } from '../codec/errors.ts';

/** One received stream chunk. */
export interface StreamChunk {
  data: Uint8Array;
  /** Per-direction sequence number, from 1. */
  seq: number;
  /** Sender's wall time in microseconds. */
  ts: number;
}

/** What the flow needs from its stream. */
export interface StreamFlowHooks {
  /** Tell the peer it may send `n` more data frames. */
  grantCredit(n: number): void;
  /** Both directions are over (ended and read, or failed). */
  done(): void;
}

export class StreamFlow {
  /** The receive window: data frames the peer may have in flight. */
  readonly window: number;
  readonly #hooks: StreamFlowHooks;
  #credit = 0;
  #sendSeq = 0;
  #consumed = 0;
  /** Data frames the peer may still send: our window, plus every credit we granted since, minus what arrived. */
  #peerCredit: number;
  readonly #queue: StreamChunk[] = [];
  #wakeReader: (() => void) | null = null;
  #wakeWriter: (() => void) | null = null;
  #remoteEnded = false;
  #localEnded = false;
  #error: FlareError | null = null;

  constructor(window: number, hooks: StreamFlowHooks) {
    this.window = window;
    this.#peerCredit = window;
    this.#hooks = hooks;
  }

  /** Credit the peer granted and we have not used. */
  get credit(): number {
    return this.#credit;
  }

  /** Chunks received and not read yet. */
  get buffered(): number {
    return this.#queue.length;
  }

  /** Why the stream failed, or null. */
  get error(): FlareError | null {
    return this.#error;
  }

  /**
   * Waits for a credit and takes it; resolves with the next data frame's seq. Throws the stream's
   * error, or `ended()` once this direction was ended.
   */
  async takeCredit(ended: () => FlareError): Promise<number> {
    while (this.#credit <= 0 && !this.#error && !this.#localEnded) await new Promise<void>((r) => (this.#wakeWriter = r));
    if (this.#error) throw this.#error;
    if (this.#localEnded) throw ended();
    this.#credit--;
    return ++this.#sendSeq;
  }

  /** Marks this direction ended; false when it already was, or the stream failed (send no END then). */
  endLocal(): boolean {
    if (this.#localEnded || this.#error) return false;
    this.#localEnded = true;
    this.#wake();
    return true;
  }

  /** Checks whether both directions are over now (after END was sent). */
  settle(): void {
    if (this.#localEnded && this.#remoteEnded && this.#queue.length === 0) this.#hooks.done();
  }

  /** The next chunk, or null at the end of the peer's direction. Grants credit as chunks are read. */
  async read(): Promise<StreamChunk | null> {
    for (;;) {
      const chunk = this.#queue.shift();
      if (chunk) {
        if (++this.#consumed >= Math.max(1, this.window >> 1)) {
          const n = this.#consumed;
          this.#consumed = 0;
          this.#peerCredit += n;
          this.#hooks.grantCredit(n);
        }
        return chunk;
      }
      if (this.#error) throw this.#error;
      if (this.#remoteEnded) return null;
      await new Promise<void>((r) => (this.#wakeReader = r));
    }
  }

  /** The peer granted `n` credits. */
  grant(n: number): void {
    this.#credit += n;
    this.#wake();
  }

  /** A data frame from the peer; false when it exceeds the credit granted (a flow-control violation). */
  push(chunk: StreamChunk): boolean {
    if (this.#peerCredit <= 0) return false;
    this.#peerCredit--;
    this.#queue.push(chunk);
    this.#wake();
    return true;
  }

  /** The peer ended its direction. */
  remoteEnd(): void {
    this.#remoteEnded = true;
    this.#wake();
    this.settle();
  }

  /** Fails both directions; false when the stream had already failed. */
  fail(e: FlareError): boolean {
    if (this.#error) return false;
    this.#error = e;
    this.#wake();
    this.#hooks.done();
    return true;
  }

  #wake(): void {
    const r = this.#wakeReader;
    const w = this.#wakeWriter;
    this.#wakeReader = this.#wakeWriter = null;
    r?.();
    w?.();
  }
}
