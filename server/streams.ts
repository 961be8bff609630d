/**
 * Named streams of timestamped frames (the EchoStream seed) over `flare.stream`
 * custom commands, with credit-based backpressure: a side may send one data
 * frame per credit the other side granted. The receiver grants credit as its
 * handler consumes, so a slow handler slows the sender instead of growing a
 * buffer. docs/PROTOCOL.md has the wire details.
 */
import { ErrorCode, FlareError } from '../src/codec/errors.ts';
import { Reliability, type CustomCommand } from '../src/codec/frame-types.ts';
import { customFrame, type MetadataInit } from '../src/codec/frames.ts';
import { metaText } from '../src/codec/metadata.ts';
import { ExtCommand, StreamOp } from '../src/protocol/extensions.ts';
import { StreamFlow, type StreamChunk } from '../src/protocol/stream-flow.ts';
import type { Handlers } from './handlers.ts';
import type { Logger } from './log.ts';
import type { Session } from './session.ts';

export type { StreamChunk };

const K = { SID: 'sid', OP: 'op', NAME: 'name', CREDIT: 'credit', SEQ: 'seq', TS: 'ts', REASON: 'reason' } as const;

/** Frames a receiver lets the peer have in flight (its window). */
export const DEFAULT_WINDOW = 64;

/** A stream as a server handler sees it: an async iterable of chunks and a credit-aware `send`. */
export class ServerStream implements AsyncIterable<StreamChunk> {
  readonly #flow: StreamFlow;

  constructor(
    readonly sid: string,
    readonly name: string,
    readonly session: Session,
    window: number,
    onDone: () => void,
  ) {
    this.#flow = new StreamFlow(window, { grantCredit: (n) => this.#op(StreamOp.CREDIT, { [K.CREDIT]: String(n) }), done: onDone });
  }

  /** Credit the peer granted us and we have not used. */
  get credit(): number {
    return this.#flow.credit;
  }

  #op(op: string, meta: MetadataInit = {}, data?: Uint8Array): void {
    this.session.sendFrame(customFrame(ExtCommand.STREAM, { data, metadata: { [K.SID]: this.sid, [K.OP]: op, ...meta } }, { reliability: Reliability.BEST_EFFORT }));
  }

  /** Sends a chunk, waiting for credit (backpressure). Rejects once the stream is reset or closed. */
  async send(data: Uint8Array, tsMicros = Math.round((performance.timeOrigin + performance.now()) * 1000)): Promise<void> {
    const seq = await this.#flow.takeCredit(() => new FlareError(ErrorCode.ABORTED, 'stream already ended'));
    this.#op(StreamOp.DATA, { [K.SEQ]: String(seq), [K.TS]: String(tsMicros) }, data);
  }

  /** Ends our direction. */
  end(reason = ''): void {
    if (!this.#flow.endLocal()) return;
    this.#op(StreamOp.END, reason ? { [K.REASON]: reason } : {});
    this.#flow.settle();
  }

  /** Aborts both directions. */
  reset(reason: string): void {
    if (this.#flow.error) return;
    this.#op(StreamOp.RESET, { [K.REASON]: reason });
    this.fail(new FlareError(ErrorCode.ABORTED, `stream reset: ${reason}`));
  }

  /** Next chunk, or null at the end of the peer's direction. */
  read(): Promise<StreamChunk | null> {
    return this.#flow.read();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<StreamChunk> {
    for (let c = await this.read(); c; c = await this.read()) yield c;
  }

  // --- driven by StreamTable ---

  grant(n: number): void {
    this.#flow.grant(n);
  }

  /** A data frame from the peer; false when it exceeds the credit granted (a flow-control violation). */
  pushChunk(chunk: StreamChunk): boolean {
    return this.#flow.push(chunk);
  }

  remoteEnd(): void {
    this.#flow.remoteEnd();
  }

  fail(e: FlareError): void {
    this.#flow.fail(e);
  }
}

/** The streams of one session. */
export class StreamTable {
  readonly #streams = new Map<string, ServerStream>();

  constructor(
    private readonly session: Session,
    private readonly handlers: Handlers,
    private readonly log: Logger,
    private readonly window = DEFAULT_WINDOW,
  ) {}

  get size(): number {
    return this.#streams.size;
  }

  handle(cmd: CustomCommand): void {
    const sid = metaText(cmd.metadata, K.SID) ?? '';
    const op = metaText(cmd.metadata, K.OP) ?? '';
    if (!sid) {
      this.session.sendError(ErrorCode.INVALID_ARGUMENT, 'stream frame without sid');
      return;
    }
    const stream = this.#streams.get(sid);
    switch (op) {
      case StreamOp.OPEN:
        this.#open(sid, metaText(cmd.metadata, K.NAME) ?? '', Number(metaText(cmd.metadata, K.CREDIT) ?? 0));
        return;
      case StreamOp.DATA: {
        if (!stream) return this.#resetUnknown(sid);
        const chunk = { data: cmd.data, seq: Number(metaText(cmd.metadata, K.SEQ) ?? 0), ts: Number(metaText(cmd.metadata, K.TS) ?? 0) };
        if (!stream.pushChunk(chunk)) stream.reset('flow_control: data beyond granted credit');
        return;
      }
      case StreamOp.CREDIT: {
        const n = Number(metaText(cmd.metadata, K.CREDIT) ?? 0);
        if (stream && Number.isSafeInteger(n) && n > 0) stream.grant(n);
        return;
      }
      case StreamOp.END:
        stream?.remoteEnd();
        return;
      case StreamOp.RESET:
        stream?.fail(new FlareError(ErrorCode.ABORTED, `stream reset by peer: ${metaText(cmd.metadata, K.REASON) ?? ''}`));
        return;
      default:
        this.session.sendError(ErrorCode.INVALID_ARGUMENT, `unknown stream op '${op}'`);
    }
  }

  #resetUnknown(sid: string): void {
    this.session.sendFrame(customFrame(ExtCommand.STREAM, { metadata: { [K.SID]: sid, [K.OP]: StreamOp.RESET, [K.REASON]: 'unknown_stream' } }, { reliability: Reliability.BEST_EFFORT }));
  }

  #open(sid: string, name: string, initialCredit: number): void {
    const handler = this.handlers.streams.get(name);
    if (!handler || this.#streams.has(sid) || sid.startsWith('s:')) {
      this.session.sendFrame(
        customFrame(ExtCommand.STREAM, { metadata: { [K.SID]: sid, [K.OP]: StreamOp.RESET, [K.REASON]: handler ? 'bad_sid' : `unknown stream: ${name}` } }, { reliability: Reliability.BEST_EFFORT }),
      );
      return;
    }
    const stream = new ServerStream(sid, name, this.session, this.window, () => this.#streams.delete(sid));
    this.#streams.set(sid, stream);
    if (Number.isSafeInteger(initialCredit) && initialCredit > 0) stream.grant(initialCredit);
    // Our window: the opener may send this many data frames before more credit.
    this.session.sendFrame(customFrame(ExtCommand.STREAM, { metadata: { [K.SID]: sid, [K.OP]: StreamOp.CREDIT, [K.CREDIT]: String(this.window) } }, { reliability: Reliability.BEST_EFFORT }));
    Promise.resolve()
      .then(() => handler(stream))
      .then(() => stream.end())
      .catch((e) => {
        if (!(e instanceof FlareError && e.code === ErrorCode.ABORTED)) this.log.warn('stream handler failed', { stream: name, err: e });
        stream.reset('handler_error');
      });
  }

  /** Fails every stream (the connection closed). */
  close(): void {
    for (const s of [...this.#streams.values()]) s.fail(new FlareError(ErrorCode.TRANSPORT_CLOSED, 'connection closed'));
    this.#streams.clear();
  }
}
