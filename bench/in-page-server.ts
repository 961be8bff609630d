/**
 * A server played inside the page, at the level of the browser's WebSocket
 * and WebTransport objects: it answers the handshake and then delivers bytes
 * built in advance, as fast as the client takes them. Benches use it to time
 * the client's receive path alone (transport framing, decompression,
 * decoding, inbox, event batches), without a loaded machine's server and
 * network stack in the measurement.
 */
import { createCompressor } from '../src/codec/compression.ts';
import type { FrameCodec } from '../src/codec/codec.ts';
import { Format, PayloadType, SystemType, type Frame } from '../src/codec/frame-types.ts';
import { payloadFrame, systemFrame } from '../src/codec/frames.ts';
import { JsStreamDeframer, packFrames } from '../src/codec/js-stream-framing.ts';
import type { WasmCore } from '../src/codec/wasm-core.ts';
import { AckKey } from '../src/protocol/extensions.ts';
import { channelYield } from '../src/worker/yield-task.ts';

/** What the played server sends after the handshake. */
export interface FloodScript {
  count: number;
  size: number;
  /** 'none' or 'lz4' (negotiated if the client offers it). */
  compression: 'none' | 'lz4';
}

/** Bytes the way the reference server writes them: every frame encoded and compressed alone, packed into writes of up to 64 KB. */
export function floodChunks(codec: FrameCodec, wasm: WasmCore | null, s: FloodScript): Uint8Array[] {
  const payload = new Uint8Array(s.size);
  for (let i = 0; i < s.size; i++) payload[i] = (i * 31 + 7) & 255;
  const c = s.compression === 'none' ? null : createCompressor(s.compression, { wasm });
  const chunks: Uint8Array[] = [];
  let batch: Uint8Array[] = [];
  let bytes = 0;
  for (let i = 1; i <= s.count; i++) {
    let f = codec.encode(payloadFrame(PayloadType.DATA, { payload, seq: i, metadata: { flood: '1' } }));
    if (c) f = c.compress(f);
    batch.push(f);
    bytes += 4 + f.length;
    if (bytes >= 64 * 1024 || i === s.count) {
      chunks.push(packFrames(batch));
      batch = [];
      bytes = 0;
    }
  }
  return chunks;
}

/** The played server's side of one connection, transport-independent. */
class Peer {
  #stage: 'connect' | 'ready' | 'open' | 'flooding' = 'connect';
  constructor(
    private readonly json: FrameCodec,
    private readonly script: FloodScript,
    private readonly chunks: () => Uint8Array[],
    private readonly reply: (frames: Uint8Array[]) => void,
    private readonly flood: (chunks: Uint8Array[]) => void,
  ) {}

  /** One frame from the client. */
  take(bytes: Uint8Array): void {
    if (this.#stage === 'connect') {
      const f: Frame = this.json.decode(bytes);
      this.#stage = f.command?.case === 'system' && f.command.value.type === SystemType.CONNECT ? 'ready' : 'connect';
      const ack = systemFrame(SystemType.CONNECT_ACK, {
        format: Format.PROTOBUF,
        compression: this.script.compression,
        metadata: { [AckKey.CONNECTION_ID]: 'in-page', [AckKey.USER_ID]: 'bench', [AckKey.BATCH]: '1' },
      });
      this.reply([this.json.encode(ack)]);
    } else if (this.#stage === 'ready') {
      this.#stage = 'open'; // NEGOTIATION_READY
    } else if (this.#stage === 'open') {
      this.#stage = 'flooding'; // the first request after the handshake starts the flood
      this.flood(this.chunks());
    }
  }
}

/** WebSocket and WebTransport constructors whose far end is a played server. */
export function inPageServer(json: FrameCodec, script: FloodScript, chunks: () => Uint8Array[]) {
  // A task per delivery (a WebSocket message is its own task), without timer clamping.
  const task = channelYield();

  class PlayedWebSocket {
    binaryType = 'blob';
    readyState = 0;
    bufferedAmount = 0;
    onopen: ((e: Event) => void) | null = null;
    onmessage: ((e: MessageEvent) => void) | null = null;
    onclose: ((e: CloseEvent) => void) | null = null;
    #batched = false;
    readonly #peer: Peer;
    constructor(readonly url: string) {
      this.#peer = new Peer(json, script, chunks, (frames) => frames.forEach((f) => this.#deliver(f)), (cs) => cs.forEach((c) => this.#deliver(c)));
      task(() => {
        this.readyState = 1;
        this.onopen?.(new Event('open'));
      });
    }
    send(data: Uint8Array): void {
      const bytes = new Uint8Array(data);
      if (!this.#batched) {
        this.#peer.take(bytes);
        // After NEGOTIATION_READY the client packs its messages (batch=1 was acknowledged).
        if (this.#sawReady(bytes)) this.#batched = true;
        return;
      }
      for (const f of new JsStreamDeframer().push(bytes).frames) this.#peer.take(f);
    }
    #sawReady(bytes: Uint8Array): boolean {
      try {
        const f = json.decode(bytes);
        return f.command?.case === 'system' && f.command.value.type === SystemType.NEGOTIATION_READY;
      } catch {
        return false;
      }
    }
    #deliver(bytes: Uint8Array): void {
      task(() => {
        if (this.readyState === 1) this.onmessage?.(new MessageEvent('message', { data: bytes.slice().buffer }));
      });
    }
    close(code = 1000, reason = ''): void {
      if (this.readyState >= 2) return;
      this.readyState = 3;
      task(() => this.onclose?.(new CloseEvent('close', { code, reason, wasClean: true })));
    }
  }

  class PlayedWebTransport {
    readonly ready = Promise.resolve();
    readonly closed: Promise<WebTransportCloseInfo>;
    readonly datagrams = { readable: new ReadableStream<Uint8Array>(), writable: new WritableStream<Uint8Array>(), maxDatagramSize: 1200 };
    #close!: (info: WebTransportCloseInfo) => void;
    constructor(readonly url: string) {
      this.closed = new Promise((r) => (this.#close = r));
    }
    async createBidirectionalStream() {
      let toClient!: ReadableStreamDefaultController<Uint8Array>;
      const readable = new ReadableStream<Uint8Array>({ start: (c) => void (toClient = c) });
      const deframer = new JsStreamDeframer();
      const peer = new Peer(json, script, chunks, (frames) => toClient.enqueue(packFrames(frames)), (cs) => cs.forEach((c) => toClient.enqueue(c)));
      const writable = new WritableStream<Uint8Array>({ write: (chunk) => deframer.push(new Uint8Array(chunk)).frames.forEach((f) => peer.take(f)) });
      return { readable, writable };
    }
    close(info: WebTransportCloseInfo = {}): void {
      this.#close({ closeCode: info.closeCode ?? 0, reason: info.reason ?? '' });
    }
  }

  return { WebSocketImpl: PlayedWebSocket as unknown as typeof WebSocket, WebTransportImpl: PlayedWebTransport as unknown as typeof WebTransport };
}
