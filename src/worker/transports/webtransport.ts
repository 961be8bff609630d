/**
 * WebTransport transport: one bidirectional stream carrying length-prefixed
 * frames (4-byte big-endian length, flare-core's QUIC / TCP framing), plus
 * unreliable datagrams for probes. Development servers with a self-signed
 * certificate are reached through `serverCertificateHashes`.
 *
 * Writes are not awaited one by one: frames are packed into one write per
 * `send` call, and `bufferedAmount` counts bytes whose write has not resolved.
 */
import type { StreamDeframer } from '../../codec/codec.ts';
import { ErrorCode, FlareError } from '../../codec/errors.ts';
import { JsStreamDeframer, packFrames } from '../../codec/js-stream-framing.ts';
import type { CertHashSource } from '../cert-hash.ts';
import { guarded } from '../guarded.ts';
import { TransportCloseCode, hexToBytes, type Transport, type TransportCloseInfo, type TransportHandlers } from '../transport.ts';
import { channelYield, type YieldTask } from '../yield-task.ts';

/** Longest stretch of stream reading in one task (the main thread's budget, well under a 50 ms long task). */
const SLICE_MS = 8;
let nextTask: YieldTask | null = null;

/** Options of the WebTransport transport. */
export interface WebTransportTransportOptions {
  /** SHA-256 of the server certificate, hex (for self-signed development certificates). */
  certHash?: string | null;
  /**
   * Where the hash comes from instead, kept current (cert-hash.ts): asked
   * before the dial, told when the dial failed, so that a development server
   * restarted with a new certificate is reached again.
   */
  certHashSource?: CertHashSource | null;
  /** Makes the stream deframer (default the JavaScript one; the WASM one plugs in here). */
  createDeframer?: () => StreamDeframer;
  /** The WebTransport constructor (default globalThis.WebTransport); injected by tests. */
  WebTransportImpl?: typeof WebTransport;
}

export class WebTransportTransport implements Transport {
  readonly kind = 'webtransport' as const;
  readonly url: string;
  readonly #options: WebTransportTransportOptions;
  #wt: WebTransport | null = null;
  #opened = false;
  #writer: WritableStreamDefaultWriter<Uint8Array> | null = null;
  #dgWriter: WritableStreamDefaultWriter<Uint8Array> | null = null;
  #handlers: TransportHandlers | null = null;
  #buffered = 0;
  #open = false;
  #ended = false;
  #closedLocally = false;

  constructor(url: string, options: WebTransportTransportOptions = {}) {
    this.url = url;
    this.#options = options;
  }

  /** Whether this browser has WebTransport at all. */
  static get supported(): boolean {
    return typeof globalThis.WebTransport === 'function';
  }

  get isOpen(): boolean {
    return this.#open;
  }

  get bufferedAmount(): number {
    return this.#buffered;
  }

  get maxDatagramSize(): number {
    return this.#open ? (this.#wt?.datagrams.maxDatagramSize ?? 0) : 0;
  }

  async open(handlers: TransportHandlers, signal?: AbortSignal): Promise<void> {
    if (this.#opened) throw new FlareError(ErrorCode.INVALID_STATE, 'transport already opened');
    this.#opened = true;
    const Impl = this.#options.WebTransportImpl ?? globalThis.WebTransport;
    if (typeof Impl !== 'function') throw new FlareError(ErrorCode.TRANSPORT_UNAVAILABLE, 'WebTransport is not available in this browser');
    if (signal?.aborted) throw aborted(signal);
    const source = this.#options.certHashSource ?? null;
    const hash = source ? await source.forDial(signal) : (this.#options.certHash ?? null);
    if (signal?.aborted) throw aborted(signal);
    const init: WebTransportOptions = {};
    if (hash) init.serverCertificateHashes = [{ algorithm: 'sha-256', value: hexToBytes(hash) }];
    let wt: WebTransport;
    try {
      wt = new Impl(this.url, init);
    } catch (cause) {
      source?.dialFailed(hash);
      throw new FlareError(ErrorCode.TRANSPORT_UNAVAILABLE, `cannot open WebTransport ${this.url}`, { cause });
    }
    this.#wt = wt;
    this.#handlers = handlers;
    wt.closed.catch(() => {}); // observed below; avoid an unhandled rejection when dialing fails
    const onAbort = () => wt.close({ closeCode: 0, reason: 'aborted' });
    signal?.addEventListener('abort', onAbort, { once: true });
    let stream: WebTransportBidirectionalStream;
    try {
      await wt.ready;
      stream = await wt.createBidirectionalStream();
    } catch (cause) {
      try {
        wt.close();
      } catch {
        // already closed
      }
      // Any failure may be a certificate the server replaced (browsers do not say which); an abandoned dial is none.
      if (!signal?.aborted || FlareError.is(signal.reason, ErrorCode.CONNECT_TIMEOUT)) source?.dialFailed(hash);
      if (signal?.aborted) throw aborted(signal);
      throw new FlareError(ErrorCode.TRANSPORT_UNAVAILABLE, `WebTransport ${this.url} did not connect`, { cause });
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
    if (signal?.aborted) {
      wt.close();
      throw aborted(signal);
    }
    this.#writer = stream.writable.getWriter() as WritableStreamDefaultWriter<Uint8Array>;
    this.#dgWriter = wt.datagrams.writable.getWriter() as WritableStreamDefaultWriter<Uint8Array>;
    this.#open = true;
    void this.#readStream(stream.readable);
    void this.#readDatagrams(wt.datagrams.readable);
    wt.closed.then(
      (info) => this.#end({ code: info.closeCode ?? TransportCloseCode.NORMAL, reason: info.reason ?? '', local: this.#closedLocally }),
      (cause) =>
        this.#end({
          code: TransportCloseCode.ABNORMAL,
          reason: String((cause as Error)?.message ?? cause),
          local: this.#closedLocally,
          error: new FlareError(ErrorCode.TRANSPORT_CLOSED, 'WebTransport session failed', { cause }),
        }),
    );
  }

  send(frames: readonly Uint8Array[]): void {
    const writer = this.#writer;
    if (!this.#open || !writer) throw new FlareError(ErrorCode.NOT_CONNECTED, 'WebTransport is not open');
    if (frames.length === 0) return;
    const chunk = packFrames(frames);
    const n = chunk.length;
    this.#buffered += n;
    writer.write(chunk).then(
      () => (this.#buffered -= n),
      (cause) => {
        this.#buffered -= n;
        this.#fail(new FlareError(ErrorCode.TRANSPORT_CLOSED, 'WebTransport stream write failed', { cause }));
      },
    );
  }

  setBatched(): void {
    // Always length-prefixed on the stream.
  }

  sendDatagram(bytes: Uint8Array): boolean {
    if (!this.#open || !this.#dgWriter || bytes.length > this.maxDatagramSize) return false;
    this.#dgWriter.write(bytes).catch(() => {});
    return true;
  }

  close(code: number = TransportCloseCode.NORMAL, reason = ''): void {
    if (!this.#wt || this.#closedLocally) return;
    this.#closedLocally = true;
    try {
      this.#wt.close({ closeCode: code, reason });
    } catch {
      // already closed
    }
    if (this.#open) this.#end({ code, reason, local: true });
  }

  async #readStream(readable: ReadableStream<Uint8Array>): Promise<void> {
    const deframer = this.#options.createDeframer?.() ?? new JsStreamDeframer();
    const reader = readable.getReader();
    // Reads of data already buffered resolve as microtasks, so a backlog would be read and decoded in one
    // task. In a worker that only delays its timers; in the page (inPage) it is a long task. So after
    // SLICE_MS of reading, the loop waits one task before the next read.
    let sliceStart = performance.now();
    try {
      for (;;) {
        if (performance.now() - sliceStart > SLICE_MS) {
          await new Promise<void>((resolve) => (nextTask ??= channelYield())(resolve));
          sliceStart = performance.now();
        }
        const { value, done } = await reader.read();
        if (done || this.#ended) break;
        const { frames, error, ended } = deframer.push(value);
        // The good frames first, also those before a bad length prefix in the same chunk.
        if (frames.length > 0) guarded(() => this.#handlers!.frames(frames));
        if (error) {
          // A declared length over the limit: the stream cannot be resynchronised (closes with FRAME_TOO_LARGE).
          this.#fail(error);
          return;
        }
        if (ended) break;
      }
      if (!this.#ended) this.close(TransportCloseCode.NORMAL, 'stream ended');
    } catch (e) {
      if (this.#ended) return;
      this.#fail(FlareError.is(e) ? e : new FlareError(ErrorCode.TRANSPORT_CLOSED, 'WebTransport stream read failed', { cause: e }));
    }
  }

  async #readDatagrams(readable: ReadableStream<Uint8Array>): Promise<void> {
    const reader = readable.getReader();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done || this.#ended) break;
        guarded(() => this.#handlers!.datagram?.(value));
      }
    } catch {
      // The session's end is reported through `closed`.
    }
  }

  #fail(error: FlareError): void {
    if (this.#ended) return;
    const code = error.code === ErrorCode.FRAME_TOO_LARGE ? TransportCloseCode.FRAME_TOO_LARGE : TransportCloseCode.ABNORMAL;
    try {
      this.#closedLocally = true;
      this.#wt?.close({ closeCode: code, reason: error.message.slice(0, 100) });
    } catch {
      // already closed
    }
    this.#end({ code, reason: error.message, local: true, error });
  }

  #end(info: TransportCloseInfo): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#open = false;
    this.#handlers?.closed(info);
  }
}

function aborted(signal: AbortSignal): FlareError {
  return new FlareError(ErrorCode.ABORTED, 'dial aborted', { cause: signal.reason });
}
