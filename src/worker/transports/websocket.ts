/**
 * WebSocket transport: one binary message per frame, as flare-core expects;
 * with the batch extension on, one message carries several frames, each
 * preceded by a 4-byte big-endian length (the stream framing of WebTransport),
 * which cuts the per-message cost that dominates chat-sized traffic.
 */
import { Limits } from '../../codec/codec.ts';
import { CodecError, ErrorCode, FlareError } from '../../codec/errors.ts';
import { packFrames, splitBatch } from '../../codec/js-stream-framing.ts';
import { guarded } from '../guarded.ts';
import { TransportCloseCode, type Transport, type TransportCloseInfo, type TransportHandlers } from '../transport.ts';

const encoder = new TextEncoder();

/** Options of the WebSocket transport. */
export interface WebSocketTransportOptions {
  /** The WebSocket constructor (default globalThis.WebSocket); injected by tests. */
  WebSocketImpl?: typeof WebSocket;
  /** Largest accepted frame (default the codec's 10 MiB). */
  maxFrameBytes?: number;
}

export class WebSocketTransport implements Transport {
  readonly kind = 'websocket' as const;
  readonly url: string;
  readonly maxDatagramSize = 0;
  readonly #options: WebSocketTransportOptions;
  #ws: WebSocket | null = null;
  #handlers: TransportHandlers | null = null;
  #batched = false;
  #open = false;
  #closedLocally = false;
  #ended = false;

  constructor(url: string, options: WebSocketTransportOptions = {}) {
    this.url = url;
    this.#options = options;
  }

  get isOpen(): boolean {
    return this.#open;
  }

  get bufferedAmount(): number {
    return this.#ws?.bufferedAmount ?? 0;
  }

  open(handlers: TransportHandlers, signal?: AbortSignal): Promise<void> {
    if (this.#ws) return Promise.reject(new FlareError(ErrorCode.INVALID_STATE, 'transport already opened'));
    const Impl = this.#options.WebSocketImpl ?? globalThis.WebSocket;
    if (typeof Impl !== 'function') {
      return Promise.reject(new FlareError(ErrorCode.TRANSPORT_UNAVAILABLE, 'WebSocket is not available here'));
    }
    if (signal?.aborted) return Promise.reject(aborted(signal));
    let ws: WebSocket;
    try {
      ws = new Impl(this.url);
    } catch (cause) {
      return Promise.reject(new FlareError(ErrorCode.TRANSPORT_UNAVAILABLE, `cannot open WebSocket ${this.url}`, { cause }));
    }
    ws.binaryType = 'arraybuffer';
    this.#ws = ws;
    this.#handlers = handlers;
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        ws.close();
        reject(aborted(signal!));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      ws.onopen = () => {
        signal?.removeEventListener('abort', onAbort);
        this.#open = true;
        resolve();
      };
      ws.onclose = (ev) => {
        signal?.removeEventListener('abort', onAbort);
        if (!this.#open) {
          reject(
            new FlareError(ErrorCode.TRANSPORT_UNAVAILABLE, `WebSocket ${this.url} closed before opening (code ${ev.code})`, {
              details: { code: ev.code, reason: ev.reason },
            }),
          );
          return;
        }
        this.#end({ code: ev.code || TransportCloseCode.ABNORMAL, reason: ev.reason, local: this.#closedLocally });
      };
      ws.onmessage = (ev) => this.#receive(ev.data);
    });
  }

  send(frames: readonly Uint8Array[]): void {
    const ws = this.#ws;
    if (!this.#open || !ws) throw new FlareError(ErrorCode.NOT_CONNECTED, 'WebSocket is not open');
    if (frames.length === 0) return;
    if (this.#batched) ws.send(packFrames(frames) as Uint8Array<ArrayBuffer>);
    else for (const f of frames) ws.send(f as Uint8Array<ArrayBuffer>);
  }

  setBatched(on: boolean): void {
    this.#batched = on;
  }

  sendDatagram(): boolean {
    return false;
  }

  close(code: number = TransportCloseCode.NORMAL, reason = ''): void {
    if (!this.#ws || this.#closedLocally) return;
    this.#closedLocally = true;
    try {
      this.#ws.close(code === TransportCloseCode.NORMAL || (code >= 3000 && code <= 4999) ? code : TransportCloseCode.NORMAL, reason);
    } catch {
      this.#ws.close();
    }
    // Report at once: the close handshake may take a while and the session has moved on.
    if (this.#open) this.#end({ code, reason, local: true });
  }

  /**
   * One message: a frame, or (batched) length-prefixed frames. A message over
   * the frame limit is dropped and reported; in a batch with broken framing the
   * frames before the fault are delivered and the rest is dropped and reported.
   * The next message stands on its own, so the connection stays.
   */
  #receive(data: unknown): void {
    const bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : typeof data === 'string' ? encoder.encode(data) : null;
    if (!bytes || this.#ended) return;
    const max = this.#options.maxFrameBytes ?? Limits.MAX_FRAME_BYTES;
    if (!this.#batched) {
      if (bytes.length > max) return guarded(() => this.#handlers!.dropped?.(CodecError.tooLarge(bytes.length, max)));
      return guarded(() => this.#handlers!.frames([bytes]));
    }
    const { frames, error } = splitBatch(bytes, max);
    if (frames.length > 0) guarded(() => this.#handlers!.frames(frames));
    if (error) guarded(() => this.#handlers!.dropped?.(error));
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
