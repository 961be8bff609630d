/**
 * In-page stand-ins for WebSocket and WebTransport, injected into the
 * transports by tests that need to script the server side (split chunks,
 * abrupt drops, refused dials). Integration tests use the real server.
 */

/** A scripted WebSocket: the test opens, feeds and closes it. */
export class FakeWebSocket {
  static instances: FakeWebSocket[] = [];
  readonly url: string;
  binaryType = 'blob';
  bufferedAmount = 0;
  readyState = 0;
  sent: Uint8Array[] = [];
  closeCalls: Array<{ code?: number; reason?: string }> = [];
  onopen: ((ev: Event) => void) | null = null;
  onclose: ((ev: CloseEvent) => void) | null = null;
  onmessage: ((ev: MessageEvent) => void) | null = null;
  onerror: ((ev: Event) => void) | null = null;

  constructor(url: string) {
    this.url = url;
    FakeWebSocket.instances.push(this);
  }

  send(data: Uint8Array): void {
    this.sent.push(new Uint8Array(data));
  }
  close(code?: number, reason?: string): void {
    this.closeCalls.push({ code, reason });
    this.readyState = 3;
  }

  // Server side.
  serverOpen(): void {
    this.readyState = 1;
    this.onopen?.(new Event('open'));
  }
  serverSend(data: Uint8Array | string): void {
    const payload = typeof data === 'string' ? data : data.slice().buffer;
    this.onmessage?.(new MessageEvent('message', { data: payload }));
  }
  serverClose(code: number, reason = ''): void {
    this.readyState = 3;
    this.onclose?.(new CloseEvent('close', { code, reason, wasClean: code !== 1006 }));
  }
}

/** A scripted WebTransport session with one bidirectional stream and datagrams. */
export class FakeWebTransport {
  static instances: FakeWebTransport[] = [];
  /** Set by a test to make the next dials fail. */
  static refuse = false;
  readonly url: string;
  readonly options: WebTransportOptions | undefined;
  readonly ready: Promise<void>;
  readonly closed: Promise<WebTransportCloseInfo>;
  readonly datagrams: { readable: ReadableStream<Uint8Array>; writable: WritableStream<Uint8Array>; maxDatagramSize: number };
  /** Bytes the client wrote on the stream, one entry per write. */
  written: Uint8Array[] = [];
  datagramsSent: Uint8Array[] = [];
  closeCalls: WebTransportCloseInfo[] = [];
  #toClient!: ReadableStreamDefaultController<Uint8Array>;
  #dgToClient!: ReadableStreamDefaultController<Uint8Array>;
  #resolveClosed!: (info: WebTransportCloseInfo) => void;
  #rejectClosed!: (e: unknown) => void;

  constructor(url: string, options?: WebTransportOptions) {
    this.url = url;
    this.options = options;
    FakeWebTransport.instances.push(this);
    this.ready = FakeWebTransport.refuse ? Promise.reject(new Error('WebTransportError: connection refused')) : Promise.resolve();
    this.closed = new Promise((res, rej) => {
      this.#resolveClosed = res;
      this.#rejectClosed = rej;
    });
    this.datagrams = {
      readable: new ReadableStream({ start: (c) => void (this.#dgToClient = c) }),
      writable: new WritableStream({ write: (chunk) => void this.datagramsSent.push(chunk.slice()) }),
      maxDatagramSize: 1200,
    };
  }

  async createBidirectionalStream(): Promise<{ readable: ReadableStream<Uint8Array>; writable: WritableStream<Uint8Array> }> {
    return {
      readable: new ReadableStream({ start: (c) => void (this.#toClient = c) }),
      writable: new WritableStream({ write: (chunk) => void this.written.push(chunk.slice()) }),
    };
  }

  close(info: WebTransportCloseInfo = {}): void {
    this.closeCalls.push(info);
    this.#resolveClosed({ closeCode: info.closeCode ?? 0, reason: info.reason ?? '' });
  }

  // Server side.
  serverWrite(bytes: Uint8Array): void {
    this.#toClient.enqueue(bytes);
  }
  serverDatagram(bytes: Uint8Array): void {
    this.#dgToClient.enqueue(bytes);
  }
  serverClose(closeCode: number, reason = ''): void {
    this.#resolveClosed({ closeCode, reason });
  }
  serverDrop(): void {
    this.#rejectClosed(new Error('connection lost'));
  }
}
