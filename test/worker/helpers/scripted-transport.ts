/**
 * A Transport driven by the injected clock, for racer and session unit tests:
 * it opens (or fails) after a set delay and answers probe PINGs after a set
 * round trip, the way a server would.
 */
import { ErrorCode, FlareError } from '../../../src/codec/errors.ts';
import { PayloadType, SystemType, type Frame } from '../../../src/codec/frame-types.ts';
import { createJsonCodec } from '../../../src/codec/json-codec.ts';
import { payloadFrame, systemFrame } from '../../../src/codec/frames.ts';
import type { Clock } from '../../../src/worker/clock.ts';
import type { Transport, TransportHandlers, TransportKind } from '../../../src/worker/transport.ts';

const json = createJsonCodec();

export interface Script {
  /** Delay before `open` settles (default 10 ms). */
  openAfterMs?: number;
  /** Make `open` fail with this error; 'hang' never settles until aborted. */
  fail?: FlareError | 'hang';
  /** Answer probe PINGs after this round trip (null: never answer). Default 5 ms. */
  rttMs?: number | null;
  /** Answer probe PINGs as datagrams too (WebTransport). */
  datagrams?: boolean;
  /**
   * Play a flare-core server in JSON: CONNECT -> CONNECT_ACK (json, none),
   * PING -> PONG (with ping_id), payloads -> ACK. `ack: false` withholds ACKs.
   */
  server?: { ack?: boolean; connectionId?: string };
}

export class ScriptedTransport implements Transport {
  readonly kind: TransportKind;
  readonly url: string;
  isOpen = false;
  bufferedAmount = 0;
  sent: Uint8Array[] = [];
  closed: Array<{ code?: number; reason?: string }> = [];
  handlers: TransportHandlers | null = null;
  readonly #clock: Clock;
  readonly #script: Script;

  constructor(kind: TransportKind, clock: Clock, script: Script = {}) {
    this.kind = kind;
    this.url = `${kind}://test`;
    this.#clock = clock;
    this.#script = script;
  }

  get maxDatagramSize(): number {
    return this.#script.datagrams && this.isOpen ? 1200 : 0;
  }

  open(handlers: TransportHandlers, signal?: AbortSignal): Promise<void> {
    this.handlers = handlers;
    return new Promise((resolve, reject) => {
      const abort = () => {
        this.#clock.clearTimeout(timer);
        reject(new FlareError(ErrorCode.ABORTED, 'aborted', { cause: signal?.reason }));
      };
      signal?.addEventListener('abort', abort, { once: true });
      const fail = this.#script.fail;
      const timer =
        fail === 'hang'
          ? null
          : this.#clock.setTimeout(() => {
              signal?.removeEventListener('abort', abort);
              if (fail) return reject(fail);
              this.isOpen = true;
              resolve();
            }, this.#script.openAfterMs ?? 10);
    });
  }

  send(frames: readonly Uint8Array[]): void {
    if (!this.isOpen) throw new FlareError(ErrorCode.NOT_CONNECTED, 'closed');
    for (const f of frames) {
      this.sent.push(f);
      this.#maybeAnswer(f, false);
    }
  }

  setBatched(): void {}

  sendDatagram(bytes: Uint8Array): boolean {
    if (!this.maxDatagramSize) return false;
    this.#maybeAnswer(bytes, true);
    return true;
  }

  close(code?: number, reason?: string): void {
    if (!this.isOpen && this.closed.length) return;
    this.closed.push({ code, reason });
    const wasOpen = this.isOpen;
    this.isOpen = false;
    if (wasOpen) this.handlers?.closed({ code: code ?? 1000, reason: reason ?? '', local: true });
  }

  /** Server side: delivers frames to the client. */
  deliver(...frames: Uint8Array[]): void {
    this.handlers?.frames(frames);
  }

  /** Server side: drops the connection. */
  drop(code = 1006, reason = ''): void {
    if (!this.isOpen) return;
    this.isOpen = false;
    this.handlers?.closed({ code, reason, local: false });
  }

  /** Frames the client sent after the handshake, decoded (server mode). */
  received: Frame[] = [];
  #connected = false;

  #serve(bytes: Uint8Array): boolean {
    const srv = this.#script.server;
    if (!srv) return false;
    let f: Frame;
    try {
      f = json.decode(bytes);
    } catch {
      return true;
    }
    const c = f.command;
    if (c?.case === 'system' && c.value.type === SystemType.CONNECT) {
      this.#connected = true;
      const ack = systemFrame(SystemType.CONNECT_ACK, { format: 1, compression: 'none', metadata: { connection_id: srv.connectionId ?? 'c1' } });
      this.#clock.setTimeout(() => this.isOpen && this.handlers?.frames([json.encode(ack)]), 1);
      return true;
    }
    if (!this.#connected) return false; // probes before CONNECT
    if (c?.case === 'system' && c.value.type === SystemType.NEGOTIATION_READY) return true;
    this.received.push(f);
    if (c?.case === 'system' && c.value.type === SystemType.PING) {
      const pong = systemFrame(SystemType.PONG, { metadata: { ping_id: f.messageId } });
      this.#clock.setTimeout(() => this.isOpen && this.handlers?.frames([json.encode(pong)]), 2);
    } else if (c?.case === 'payload' && srv.ack !== false) {
      const ack = payloadFrame(PayloadType.ACK, { messageId: f.messageId, metadata: { seq: '1' } }, { messageId: f.messageId });
      this.#clock.setTimeout(() => this.isOpen && this.handlers?.frames([json.encode(ack)]), 2);
    }
    return true;
  }

  /** Server side: sends a frame (JSON) to the client. */
  push(frame: Frame): void {
    this.handlers?.frames([json.encode(frame)]);
  }

  #maybeAnswer(bytes: Uint8Array, datagram: boolean): void {
    if (!datagram && this.#serve(bytes)) return;
    const rtt = this.#script.rttMs === undefined ? 5 : this.#script.rttMs;
    if (rtt === null || (datagram && !this.#script.datagrams)) return;
    let id: string;
    try {
      const f = json.decode(bytes);
      if (f.command?.case !== 'system' || f.command.value.type !== SystemType.PING) return;
      id = f.messageId;
    } catch {
      return;
    }
    this.#clock.setTimeout(() => {
      if (!this.isOpen) return;
      const pong = json.encode(systemFrame(SystemType.PONG, { metadata: { ping_id: id } }));
      if (datagram) this.handlers?.datagram?.(pong);
      else this.handlers?.frames([pong]);
    }, datagram ? Math.max(0, rtt - 1) : rtt);
  }
}
