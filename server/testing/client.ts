/**
 * A small protocol client for the server's own tests (Deno): WebSocket or
 * WebTransport, the flare-core handshake, and helpers to wait for frames.
 * It is deliberately independent of src/worker so that the server is tested
 * against the protocol, not against our client.
 */
import type { FrameCodec } from '../../src/codec/codec.ts';
import { createFrameCodec } from '../../src/codec/index.ts';
import { Reliability, SystemType, type Frame } from '../../src/codec/frame-types.ts';
import { customFrame, payloadFrame, systemFrame, type MetadataInit } from '../../src/codec/frames.ts';
import { metaText } from '../../src/codec/metadata.ts';
import { ExtCommand } from '../../src/protocol/extensions.ts';
import { createCompressor, type Compressor } from '../../src/codec/compression.ts';
import { splitBatch } from '../../src/codec/js-stream-framing.ts';
import { joinFrames, streamDeframer } from '../framing.ts';
import { COMPRESS_MIN_KEY, parseCompressMin, skipSmallFrames } from '../../src/protocol/small-frames.ts';

export interface ClientOptions {
  transport?: 'websocket' | 'webtransport';
  format?: 'protobuf' | 'json';
  /** Compression asked in CONNECT (`gzip`, `lz4`, a preference list, or `none`). */
  compression?: string;
  /** Extra CONNECT metadata (user_id, token, device_id, platform, batch, rooms, ...). */
  meta?: Record<string, string>;
  /** Hex SHA-256 of the server certificate (WebTransport). */
  certHash?: string;
  /** Skip sending NEGOTIATION_READY (tests of leniency). */
  skipReady?: boolean;
}

export interface Closed {
  code: number;
  reason: string;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const hexBytes = (hex: string) => new Uint8Array(hex.match(/../g)!.map((h) => parseInt(h, 16)));

/** A connected test client. Frames received are kept in `frames` until taken. */
export class TestClient {
  readonly frames: Frame[] = [];
  /** Raw messages that did not decode (with the negotiated codec). */
  readonly undecodable: Uint8Array[] = [];
  codec: FrameCodec;
  /** The negotiated compression (null: none). */
  compressor: Compressor | null = null;
  ack: Frame | null = null;
  closed: Closed | null = null;
  batch = false;
  #waiters: Array<() => void> = [];
  #send: (bytes: Uint8Array) => void = () => {};
  #closeFn: () => void = () => {};
  #rpcId = 0;

  private constructor(codec: FrameCodec) {
    this.codec = codec;
  }

  /** Opens the transport only (no handshake). */
  static async open(baseUrl: string, opts: ClientOptions = {}): Promise<TestClient> {
    const c = new TestClient(createFrameCodec({ format: 'json' }));
    if (opts.transport === 'webtransport') await c.#openWt(baseUrl, opts.certHash!);
    else await c.#openWs(baseUrl);
    return c;
  }

  /** Opens and completes the handshake (CONNECT, CONNECT_ACK, NEGOTIATION_READY). */
  static async connect(baseUrl: string, opts: ClientOptions = {}): Promise<TestClient> {
    const c = await TestClient.open(baseUrl, opts);
    await c.handshake(opts);
    return c;
  }

  async #openWs(baseUrl: string): Promise<void> {
    const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/ws`);
    ws.binaryType = 'arraybuffer';
    await new Promise<void>((resolve, reject) => {
      ws.onopen = () => resolve();
      ws.onerror = () => reject(new Error('websocket failed to open'));
    });
    ws.onmessage = (ev) => {
      const bytes = typeof ev.data === 'string' ? encoder.encode(ev.data) : new Uint8Array(ev.data as ArrayBuffer);
      if (this.batch) for (const f of splitBatch(bytes, 1 << 30).frames) this.#onBytes(f);
      else this.#onBytes(bytes);
    };
    ws.onclose = (ev) => this.#onClose(ev.code, ev.reason);
    this.#send = (b) => ws.readyState === WebSocket.OPEN && ws.send(b as Uint8Array<ArrayBuffer>);
    this.#closeFn = () => ws.close();
  }

  async #openWt(baseUrl: string, certHash: string): Promise<void> {
    const port = new URL(baseUrl).port;
    const wt = new WebTransport(`https://localhost:${port}/wt`, { serverCertificateHashes: [{ algorithm: 'sha-256', value: hexBytes(certHash) }] });
    await wt.ready;
    const stream = await wt.createBidirectionalStream();
    const writer = stream.writable.getWriter();
    this.#send = (b) => void writer.write(joinFrames([b])).catch(() => {});
    this.#closeFn = () => wt.close();
    const reading = (async () => {
      const d = streamDeframer(1 << 30);
      try {
        for await (const chunk of stream.readable) for (const f of d.push(chunk).frames) this.#onBytes(f);
      } catch {
        // closed
      }
    })();
    // Report the close only after what was sent before it has been read.
    const drained = () => Promise.race([reading, new Promise((r) => setTimeout(r, 200))]);
    wt.closed.then(
      (i) => drained().then(() => this.#onClose(i.closeCode ?? 0, i.reason ?? '')),
      () => drained().then(() => this.#onClose(0, 'lost')),
    );
    this.sendRawStream = (b) => void writer.write(b as Uint8Array<ArrayBuffer>).catch(() => {});
  }

  /** Writes bytes on the WebTransport stream without framing (tests of bad framing). */
  sendRawStream: (bytes: Uint8Array) => void = () => {};

  #onBytes(bytes: Uint8Array): void {
    try {
      const plain = this.ack && this.compressor ? this.compressor.decompress(bytes) : bytes;
      this.frames.push(this.ack ? this.codec.decode(plain) : createFrameCodec({ format: 'json' }).decode(plain));
    } catch {
      this.undecodable.push(bytes);
    }
    this.#wake();
  }

  #onClose(code: number, reason: string): void {
    this.closed ??= { code, reason };
    this.#wake();
  }

  #wake(): void {
    const w = this.#waiters;
    this.#waiters = [];
    for (const f of w) f();
  }

  async handshake(opts: ClientOptions = {}): Promise<Frame> {
    const format = opts.format ?? 'json';
    const meta: Record<string, string> = { format, device_id: 'dev-1', platform: 'web', ...(opts.compression ? { compression: opts.compression } : {}), ...opts.meta };
    this.sendRaw(createFrameCodec({ format: 'json' }).encode(systemFrame(SystemType.CONNECT, { format: 1, metadata: meta })));
    const ack = await this.next((f) => f.command?.case === 'system' && (f.command.value.type === SystemType.CONNECT_ACK || f.command.value.type === SystemType.ERROR));
    if ((ack.command!.value as { type: number }).type !== SystemType.CONNECT_ACK) return ack;
    const fmt = (ack.command!.value as { format: number }).format;
    this.codec = createFrameCodec({ format: fmt === 1 ? 'json' : 'protobuf' });
    const compression = (ack.command!.value as { compression: string }).compression;
    this.compressor = compression && compression !== 'none' ? createCompressor(compression) : null;
    const compressMin = parseCompressMin(metaText((ack.command!.value as { metadata: Record<string, Uint8Array> }).metadata, COMPRESS_MIN_KEY));
    if (this.compressor && compressMin > 0) this.compressor = skipSmallFrames(this.compressor, compressMin);
    this.ack = ack;
    if (!opts.skipReady) this.sendRaw(createFrameCodec({ format: 'json' }).encode(systemFrame(SystemType.NEGOTIATION_READY)));
    this.batch = metaText((ack.command!.value as { metadata: Record<string, Uint8Array> }).metadata, 'batch') === '1';
    return ack;
  }

  get connectionId(): string {
    return this.ack ? metaText((this.ack.command!.value as { metadata: Record<string, Uint8Array> }).metadata, 'connection_id') ?? '' : '';
  }

  sendRaw(bytes: Uint8Array): void {
    this.#send(bytes);
  }

  /** Sends frames in the negotiated format (one batch message when batching). */
  send(...frames: Frame[]): void {
    const encoded = frames.map((f) => (this.compressor ? this.compressor.compress(this.codec.encode(f)) : this.codec.encode(f)));
    if (this.batch) this.#send(joinFrames(encoded));
    else for (const b of encoded) this.#send(b);
  }

  /** Waits for the first received frame matching `pred` and removes it from `frames`. */
  async next(pred: (f: Frame) => boolean = () => true, timeoutMs = 5000): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.frames.findIndex(pred);
      if (i >= 0) return this.frames.splice(i, 1)[0]!;
      if (this.closed) throw new Error(`closed (${this.closed.code} ${this.closed.reason}) while waiting for a frame`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('timed out waiting for a frame');
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Waits until `n` frames match `pred`; returns them in arrival order and removes them. */
  async collect(pred: (f: Frame) => boolean, n: number, timeoutMs = 5000): Promise<Frame[]> {
    const out: Frame[] = [];
    while (out.length < n) out.push(await this.next(pred, timeoutMs));
    return out;
  }

  /** Waits for the transport to close. */
  async waitClosed(timeoutMs = 5000): Promise<Closed> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed) {
      if (Date.now() > deadline) throw new Error('timed out waiting for close');
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 50);
        this.#waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    return this.closed;
  }

  /** Calls an RPC method with a JSON body; resolves to the parsed JSON result, rejects with `{code, message}`. */
  async call<T = Record<string, unknown>>(method: string, body: unknown = {}, reliability: number = Reliability.BEST_EFFORT): Promise<T> {
    const id = `c${++this.#rpcId}`;
    this.send(customFrame(ExtCommand.RPC_REQUEST, { data: encoder.encode(JSON.stringify(body)), metadata: { id, method } }, { reliability }));
    const res = await this.next((f) => isCustom(f, ExtCommand.RPC_RESPONSE) && meta(f, 'id') === id, 10_000);
    const err = meta(res, 'error');
    if (err) throw Object.assign(new Error(meta(res, 'error_message') ?? err), { code: err });
    const data = (res.command!.value as { data: Uint8Array }).data;
    return (data.length ? JSON.parse(decoder.decode(data)) : undefined) as T;
  }

  /** Publishes a payload to a room (or to a user with `to`); returns the message id. */
  publish(route: { room?: string; to?: string }, text: string, extra: { reliability?: number; meta?: MetadataInit } = {}): string {
    const metadata: Record<string, string | Uint8Array> = { ...extra.meta };
    if (route.room !== undefined) metadata.room = route.room;
    if (route.to !== undefined) metadata.to = route.to;
    const f = payloadFrame(1, { payload: encoder.encode(text), metadata }, { reliability: extra.reliability ?? Reliability.AT_LEAST_ONCE });
    this.send(f);
    return f.messageId;
  }

  close(): void {
    this.#closeFn();
  }
}

/** Frame predicates and readers for tests. */
export function isSystem(f: Frame, type: number): boolean {
  return f.command?.case === 'system' && f.command.value.type === type;
}
export function isPayload(f: Frame, type?: number): boolean {
  return f.command?.case === 'payload' && (type === undefined || f.command.value.type === type);
}
export function isCustom(f: Frame, name: string): boolean {
  return f.command?.case === 'custom' && f.command.value.name === name;
}
/** A metadata value of the frame's command, as text. */
export function meta(f: Frame, key: string): string | undefined {
  const v = f.command?.value as { metadata?: Record<string, Uint8Array> } | undefined;
  return v?.metadata ? metaText(v.metadata, key) : undefined;
}
export function payloadText(f: Frame): string {
  return decoder.decode((f.command!.value as { payload: Uint8Array }).payload);
}
export function seqOf(f: Frame): number {
  return (f.command!.value as { seq: number }).seq;
}
