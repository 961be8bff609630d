/**
 * Named streams of timestamped chunks (the EchoStream seed's `create_stream`)
 * over `flare.stream` custom commands, with credit-based backpressure
 * (docs/PROTOCOL.md section 7): `send` waits while the peer has granted no
 * credit, and this side grants credit only as the app reads, so neither side
 * buffers without bound. Chunks carry a per-direction `seq` and the sender's
 * wall time `ts` in microseconds.
 */
import { ErrorCode, FlareError } from '../codec/errors.ts';
import { ExtCommand, StreamOp } from '../protocol/extensions.ts';
import { StreamFlow, type StreamChunk } from '../protocol/stream-flow.ts';
import type { InboundMessage } from '../worker/api.ts';
import type { SendFrame } from './rpc.ts';

export type { StreamChunk };

const nowMicros = () => Math.round((performance.timeOrigin + performance.now()) * 1000);

/** A bidirectional stream. */
export class FlareStream implements AsyncIterable<StreamChunk> {
  readonly sid: string;
  readonly name: string;
  /** Resolves when the peer accepted the stream (its first credit); rejects when it refused. */
  readonly ready: Promise<void>;
  readonly #send: SendFrame;
  readonly #flow: StreamFlow;
  #readyResolve!: () => void;
  #readyReject!: (e: FlareError) => void;
  #accepted = false;

  /** @internal Made by {@link StreamTable}. */
  constructor(sid: string, name: string, send: SendFrame, window: number, onDone: () => void) {
    this.sid = sid;
    this.name = name;
    this.#send = send;
    this.#flow = new StreamFlow(window, {
      grantCredit: (n) => void this.#op(StreamOp.CREDIT, { credit: String(n) }).catch(() => {}),
      done: onDone,
    });
    this.ready = new Promise<void>((res, rej) => {
      this.#readyResolve = res;
      this.#readyReject = rej;
    });
    this.ready.catch(() => {});
  }

  /** Data frames the peer lets us send now. */
  get credit(): number {
    return this.#flow.credit;
  }

  /** Chunks received and not read yet. */
  get buffered(): number {
    return this.#flow.buffered;
  }

  /** Whether the stream was reset or failed (the error), else null. */
  get error(): FlareError | null {
    return this.#flow.error;
  }

  /** Sends a chunk; waits for credit (backpressure). Rejects once the stream was reset or ended. */
  async send(data: Uint8Array, options: { ts?: number } = {}): Promise<void> {
    if (!(data instanceof Uint8Array)) throw new FlareError(ErrorCode.INVALID_ARGUMENT, 'stream chunks are Uint8Arrays');
    const seq = await this.#flow.takeCredit(() => new FlareError(ErrorCode.INVALID_STATE, 'stream already ended'));
    await this.#op(StreamOp.DATA, { seq: String(seq), ts: String(options.ts ?? nowMicros()) }, data);
  }

  /** Ends this direction (the peer reads to the end). */
  async end(reason = ''): Promise<void> {
    if (!this.#flow.endLocal()) return;
    await this.#op(StreamOp.END, reason ? { reason } : {});
    this.#flow.settle();
  }

  /** Aborts both directions. */
  async reset(reason = 'reset'): Promise<void> {
    if (this.#flow.error) return;
    this.fail(new FlareError(ErrorCode.ABORTED, `stream reset: ${reason}`, { details: { sid: this.sid, reason } }));
    await this.#op(StreamOp.RESET, { reason }).catch(() => {});
  }

  /** The next chunk, or null at the end of the peer's direction. Grants credit as chunks are read. */
  read(): Promise<StreamChunk | null> {
    return this.#flow.read();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<StreamChunk> {
    for (let c = await this.read(); c; c = await this.read()) yield c;
  }

  /** @internal Sends `open` with our window. */
  open(): Promise<unknown> {
    return this.#op(StreamOp.OPEN, { name: this.name, credit: String(this.#flow.window) });
  }

  /** @internal Accepts a stream the peer opened: grants its initial credit and ours. */
  accept(initialCredit: number): Promise<unknown> {
    this.#grant(initialCredit);
    return this.#op(StreamOp.CREDIT, { credit: String(this.#flow.window) });
  }

  /** @internal A frame for this sid. */
  receive(m: InboundMessage): void {
    const meta = m.metadata;
    switch (meta.op) {
      case StreamOp.CREDIT: {
        const n = Number(meta.credit ?? 0);
        if (Number.isSafeInteger(n) && n > 0) this.#grant(n);
        return;
      }
      case StreamOp.DATA:
        if (!this.#flow.push({ data: m.payload, seq: Number(meta.seq ?? 0), ts: Number(meta.ts ?? 0) })) void this.reset('flow_control: data beyond granted credit');
        return;
      case StreamOp.END:
        this.#flow.remoteEnd();
        return;
      case StreamOp.RESET: {
        const reason = meta.reason ?? '';
        const code = reason.startsWith('unknown stream') ? ErrorCode.UNKNOWN_METHOD : ErrorCode.ABORTED;
        this.fail(new FlareError(code, `stream ${this.name} reset by peer: ${reason}`, { details: { sid: this.sid, reason } }));
        return;
      }
      default:
        return;
    }
  }

  /** @internal Fails the stream (reset, lost connection). */
  fail(e: FlareError): void {
    if (this.#flow.fail(e)) this.#readyReject(e);
  }

  #grant(n: number): void {
    if (!this.#accepted) {
      this.#accepted = true;
      this.#readyResolve();
    }
    this.#flow.grant(n);
  }

  #op(op: string, meta: Record<string, string>, data?: Uint8Array): Promise<unknown> {
    return this.#send({ kind: 'custom', name: ExtCommand.STREAM, payload: data, metadata: { sid: this.sid, op, ...meta }, reliable: false }).catch((e) => {
      const err = FlareError.is(e) ? e : new FlareError(ErrorCode.INTERNAL, String(e), { cause: e });
      this.fail(err);
      throw err;
    });
  }

}

/** Receives streams the server opens. */
export type StreamHandler = (stream: FlareStream) => void;

/** The client's streams by sid. */
export class StreamTable {
  readonly #streams = new Map<string, FlareStream>();
  readonly #handlers = new Map<string, StreamHandler>();
  readonly #send: SendFrame;
  readonly #tag: string;
  readonly #window: () => number;
  readonly #shared: () => boolean;
  #counter = 0;

  constructor(deps: { send: SendFrame; tag: string; window: () => number; shared: () => boolean }) {
    this.#send = deps.send;
    this.#tag = deps.tag;
    this.#window = deps.window;
    this.#shared = deps.shared;
  }

  /** Open streams. */
  get size(): number {
    return this.#streams.size;
  }

  /** Opens a stream to the server's handler `name`. */
  create(name: string, options: { window?: number } = {}): FlareStream {
    if (typeof name !== 'string' || name === '') throw new FlareError(ErrorCode.INVALID_ARGUMENT, 'createStream() needs a stream name');
    const window = options.window ?? this.#window();
    if (!Number.isInteger(window) || window < 1) throw new FlareError(ErrorCode.INVALID_ARGUMENT, `stream window must be a whole number >= 1, got ${window}`);
    const sid = `c${this.#tag}${(++this.#counter).toString(36)}`;
    const stream = new FlareStream(sid, name, this.#send, window, () => this.#streams.delete(sid));
    this.#streams.set(sid, stream);
    stream.open().catch(() => {});
    return stream;
  }

  /** Accepts streams named `name` that the server opens. */
  onStream(name: string, handler: StreamHandler): () => void {
    this.#handlers.set(name, handler);
    return () => {
      if (this.#handlers.get(name) === handler) this.#handlers.delete(name);
    };
  }

  /** Routes a `flare.stream` frame; false when it is not one. */
  receive(m: InboundMessage): boolean {
    if (m.name !== ExtCommand.STREAM) return false;
    const sid = m.metadata.sid ?? '';
    const stream = this.#streams.get(sid);
    if (stream) stream.receive(m);
    else if (m.metadata.op === StreamOp.OPEN) this.#incoming(sid, m);
    return true;
  }

  /** Fails every stream (the connection was lost). */
  failAll(error: FlareError): void {
    for (const s of [...this.#streams.values()]) s.fail(error);
  }

  #incoming(sid: string, m: InboundMessage): void {
    const name = m.metadata.name ?? '';
    const handler = this.#handlers.get(name);
    if (!handler) {
      if (this.#shared()) return; // another page may take it
      void this.#send({ kind: 'custom', name: ExtCommand.STREAM, metadata: { sid, op: StreamOp.RESET, reason: `unknown stream: ${name}` }, reliable: false }).catch(() => {});
      return;
    }
    const stream = new FlareStream(sid, name, this.#send, this.#window(), () => this.#streams.delete(sid));
    this.#streams.set(sid, stream);
    stream.accept(Number(m.metadata.credit ?? 0) || 0).catch(() => {});
    handler(stream);
  }
}
