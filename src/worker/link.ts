/**
 * One connection on one transport: the transport, its wire format (JSON
 * until CONNECT_ACK, then the negotiated format and compression), its
 * handshake. The session holds one link at a time, two
 * for a moment while it migrates between transports.
 */
import type { FrameCodec } from '../codec/codec.ts';
import { CodecError, ErrorCode, FlareError } from '../codec/errors.ts';
import type { Frame } from '../codec/frame-types.ts';
import type { Clock } from './clock.ts';
import type { Dialed } from './dialed.ts';
import { connectFrame, readConnectAck, readGoodbye, readServerError, readyFrame, type ConnectAck, type ConnectParams } from './handshake.ts';
import type { TransportCloseInfo, TransportKind } from './transport.ts';
import { DEFAULT_COMPRESS_MIN, skipSmallFrames } from '../protocol/small-frames.ts';

/** A whole-frame compression (src/codec/compression.ts implements it). */
export interface FrameCompressor {
  readonly name: string;
  compress(bytes: Uint8Array): Uint8Array;
  decompress(bytes: Uint8Array): Uint8Array;
  /** Many frames in one call (one WASM crossing); optional. */
  compressBatch?(frames: readonly Uint8Array[]): Uint8Array[];
  /** Many frames in one call; throws on any bad frame (the link then finds which, one by one). */
  decompressBatch?(frames: readonly Uint8Array[]): Uint8Array[];
}

/** The codecs a link may negotiate. */
export interface LinkCodecs {
  json: FrameCodec;
  protobuf: FrameCodec;
  /** The compressor for a negotiated name ('none' may return null). Throws for a name it lacks. */
  compressor(name: string): FrameCompressor | null;
  /** Names `compressor` supports, best first, for CONNECT (default 'none'). */
  readonly compressions: readonly string[];
}

/** What a link reports to the session. */
export interface LinkEvents {
  frames(frames: Frame[], link: Link): void;
  badFrame(error: FlareError, link: Link): void;
  closed(info: TransportCloseInfo, link: Link): void;
}

export type LinkState = 'handshaking' | 'open' | 'closed';

export class Link {
  readonly dialed: Dialed;
  readonly kind: TransportKind;
  state: LinkState = 'handshaking';
  ack: ConnectAck | null = null;
  readonly #codecs: LinkCodecs;
  #codec: FrameCodec;
  #compressor: FrameCompressor | null = null;
  #events: LinkEvents;
  #waiter: ((frame: Frame | FlareError) => void) | null = null;

  constructor(dialed: Dialed, codecs: LinkCodecs, events: LinkEvents) {
    this.dialed = dialed;
    this.kind = dialed.transport.kind;
    this.#codecs = codecs;
    this.#codec = codecs.json;
    this.#events = events;
    dialed.attach({
      frames: (chunks) => this.#receive(chunks),
      dropped: (error) => this.#events.badFrame(error, this),
      closed: (info) => {
        this.state = 'closed';
        this.#waiter?.(new FlareError(info.code === 4001 ? ErrorCode.AUTH_FAILED : ErrorCode.TRANSPORT_CLOSED, `transport closed during the handshake (${info.code} ${info.reason})`, { details: { code: info.code, reason: info.reason } }));
        this.#events.closed(info, this);
      },
    });
  }

  /** The connection id the server gave (ours), or ''. */
  get connectionId(): string {
    return this.ack?.connectionId ?? '';
  }

  /**
   * CONNECT, wait for CONNECT_ACK, switch to the negotiated wire, send
   * NEGOTIATION_READY. Rejects with AUTH_FAILED (the server refused the
   * token), KICKED, HANDSHAKE_FAILED, CONNECT_TIMEOUT or TRANSPORT_CLOSED.
   */
  async handshake(params: ConnectParams, opts: { clock: Clock; timeoutMs: number; newId: (now: number) => string }): Promise<ConnectAck> {
    const { clock } = opts;
    const connectId = opts.newId(clock.wallNow());
    const compression = params.compression ?? (this.#codecs.compressions.join(',') || 'none');
    const batch = params.batch ?? this.kind === 'websocket';
    const compressMin = params.compressMin ?? DEFAULT_COMPRESS_MIN;
    this.#sendRaw(connectFrame({ ...params, compression, batch, compressMin }, { messageId: connectId, timestamp: clock.wallNow() }));
    const ack = await new Promise<ConnectAck>((resolve, reject) => {
      const timer = clock.setTimeout(() => done(new FlareError(ErrorCode.CONNECT_TIMEOUT, `no CONNECT_ACK within ${opts.timeoutMs} ms`)), opts.timeoutMs);
      const done = (r: ConnectAck | FlareError) => {
        clock.clearTimeout(timer);
        this.#waiter = null;
        if (r instanceof FlareError) reject(r);
        else resolve(r);
      };
      this.#waiter = (f) => {
        if (f instanceof FlareError) return done(f);
        const a = readConnectAck(f);
        if (a) return done(a);
        const err = readServerError(f);
        // A late answer to a probe names the probe in `ref`: not about the handshake.
        if (err && (err.ref === undefined || err.ref === connectId)) {
          const code = err.code === ErrorCode.AUTH_FAILED ? ErrorCode.AUTH_FAILED : ErrorCode.HANDSHAKE_FAILED;
          return done(new FlareError(code, err.message || err.code, { details: { serverCode: err.code, reason: err.reason } }));
        }
        const bye = readGoodbye(f);
        if (bye?.kind === 'kicked') return done(new FlareError(ErrorCode.KICKED, bye.message, { details: { reason: bye.reason } }));
      };
    }).catch((e) => {
      this.close(1000, 'handshake failed');
      throw e;
    });
    try {
      this.#codec = ack.format === 'json' ? this.#codecs.json : this.#codecs.protobuf;
      const c = ack.compression === 'none' ? null : this.#codecs.compressor(ack.compression);
      // Small frames go uncompressed only when the server agreed (a flare-core server does not answer the key).
      this.#compressor = c && ack.compressMin > 0 ? skipSmallFrames(c, ack.compressMin) : c;
    } catch (cause) {
      this.close(4000, 'unsupported negotiation');
      throw new FlareError(ErrorCode.HANDSHAKE_FAILED, `server chose ${ack.format}/${ack.compression}, which this client lacks`, { cause });
    }
    this.ack = ack;
    // NEGOTIATION_READY is JSON and never batched; batching starts right after it.
    this.#sendRaw(readyFrame({ messageId: opts.newId(clock.wallNow()), timestamp: clock.wallNow() }));
    if (ack.batch) this.dialed.transport.setBatched(true);
    this.state = 'open';
    return ack;
  }

  /** Encodes and sends frames in one transport write. Throws NOT_CONNECTED when closed. */
  send(frames: readonly Frame[]): void {
    if (this.state === 'closed') throw new FlareError(ErrorCode.NOT_CONNECTED, `${this.kind} link is closed`);
    let bytes = this.#codec.encodeBatch(frames);
    const c = this.#compressor;
    if (c) bytes = c.compressBatch && bytes.length > 1 ? c.compressBatch(bytes) : bytes.map((b) => c.compress(b));
    this.dialed.transport.send(bytes);
  }

  /** Closes the transport (idempotent). */
  close(code = 1000, reason = ''): void {
    this.dialed.transport.close(code, reason);
  }

  #sendRaw(frame: Frame): void {
    this.dialed.transport.send([this.#codecs.json.encode(frame)]);
  }

  #take(chunks: Uint8Array[]): void {
    if (this.state === 'handshaking') {
      for (const chunk of chunks) {
        try {
          this.#waiter?.(this.#codecs.json.decode(chunk));
        } catch (e) {
          this.#events.badFrame(asFlare(e), this);
        }
      }
      return;
    }
    const c = this.#compressor;
    const plain = c ? this.#decompress(c, chunks) : chunks;
    const decoded = this.#codec.decodeBatch(plain);
    const frames: Frame[] = [];
    for (const d of decoded) {
      if (d instanceof FlareError) this.#events.badFrame(d, this);
      else frames.push(d);
    }
    if (frames.length) this.#events.frames(frames, this);
  }

  /** Whatever goes wrong with what the server sent becomes a report, never an exception into the transport. */
  #receive(chunks: Uint8Array[]): void {
    try {
      this.#take(chunks);
    } catch (e) {
      this.#events.badFrame(FlareError.is(e) ? e : new FlareError(ErrorCode.INTERNAL, `receiving failed: ${String((e as Error)?.message ?? e)}`, { cause: e }), this);
    }
  }

  /** Decompresses a read's frames in one call; when that fails, one by one, reporting the bad ones. */
  #decompress(c: FrameCompressor, chunks: Uint8Array[]): Uint8Array[] {
    if (c.decompressBatch && chunks.length > 1) {
      try {
        return c.decompressBatch(chunks);
      } catch {
        // Some frame is bad: find it below; the others still count.
      }
    }
    const plain: Uint8Array[] = [];
    for (const chunk of chunks) {
      try {
        plain.push(c.decompress(chunk));
      } catch (e) {
        this.#events.badFrame(asFlare(e), this);
      }
    }
    return plain;
  }
}

function asFlare(e: unknown): FlareError {
  return FlareError.is(e) ? e : new CodecError(ErrorCode.MALFORMED_FRAME, String((e as Error)?.message ?? e), { cause: e });
}
