/**
 * A connection's inbound path, in front of its state machine: the size limit
 * per transport message, splitting batches (once negotiated), counting, and
 * the per-connection token bucket (a refused frame is dropped; one
 * `rate_limited` ERROR at most once a second).
 */
import { ErrorCode } from '../src/codec/errors.ts';
import type { ServerConfig } from './config.ts';
import { splitBatch } from '../src/codec/js-stream-framing.ts';
import type { Metrics } from './metrics.ts';
import { TokenBucket } from './rate-limit.ts';

/** Where the frames (and the complaints about refused ones) go. */
export interface InboundSink {
  /** One frame that passed every check. */
  frame(bytes: Uint8Array): void;
  /** An ERROR for the client; the connection stays open. */
  error(code: string, message: string): void;
}

export class Inbound {
  /** Every transport message is a batch of length-prefixed frames (negotiated, from NEGOTIATION_READY on). */
  batch = false;
  readonly #bucket: TokenBucket;
  #lastRateError = -Infinity; // performance.now() starts near 0: the first drop must always be reported
  readonly #framesIn: { inc(by?: number): void };
  readonly #bytesIn: { inc(by?: number): void };

  constructor(
    private readonly config: ServerConfig,
    private readonly metrics: Metrics,
    transport: string,
    private readonly sink: InboundSink,
  ) {
    this.#bucket = new TokenBucket(config.rateLimitPerSec, config.rateLimitBurst);
    this.#framesIn = metrics.series('flare_frames_in_total', { transport });
    this.#bytesIn = metrics.series('flare_bytes_in_total', { transport });
  }

  /** One transport message (a WebSocket message, or one frame of the stream). */
  receive(bytes: Uint8Array): void {
    const max = this.config.maxFrameBytes;
    this.#bytesIn.inc(bytes.length);
    if (bytes.length > max) {
      this.sink.error(ErrorCode.FRAME_TOO_LARGE, `frame of ${bytes.length} bytes exceeds the limit of ${max} bytes`);
      return;
    }
    if (!this.batch) return this.#frame(bytes);
    // The frames before a fault are taken (the client does the same); the rest of the message is refused.
    const { frames, error } = splitBatch(bytes, max);
    for (const f of frames) this.#frame(f);
    if (error) this.sink.error(error.code === ErrorCode.FRAME_TOO_LARGE ? error.code : ErrorCode.MALFORMED_FRAME, `malformed batch: ${error.message}`);
  }

  #frame(bytes: Uint8Array): void {
    this.#framesIn.inc();
    if (this.#bucket.take()) return this.sink.frame(bytes);
    this.metrics.inc('flare_rate_limited_total');
    const now = performance.now();
    if (now - this.#lastRateError > 1000) {
      this.#lastRateError = now;
      this.sink.error(ErrorCode.RATE_LIMITED, 'rate limit exceeded: frames are being dropped');
    }
  }
}
