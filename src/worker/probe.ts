/**
 * Probing a freshly opened transport before the handshake: a few PINGs in
 * flare-core's JSON (the one format every server reads before CONNECT), one
 * after the other, each timed on the monotonic clock. On WebTransport each
 * PING also goes out as a datagram; the first answer on either path counts.
 *
 * An answer is a PONG whose metadata `ping_id` names the probe (our
 * extension), the PING itself echoed as a datagram (the reference server
 * echoes datagrams), or an ERROR whose `ref` names it: a server that insists on
 * CONNECT first refuses the PING with an ERROR and keeps the connection, and
 * the refusal measures the round trip just as well. A server that says
 * nothing leaves the probe without samples; the score then rests on the
 * connect time.
 */
import { SystemType } from '../codec/frame-types.ts';
import { createJsonCodec } from '../codec/json-codec.ts';
import { metaText } from '../codec/metadata.ts';
import { systemFrame } from '../codec/frames.ts';
import { SystemKey } from '../protocol/extensions.ts';
import type { Clock } from './clock.ts';
import type { Transport } from './transport.ts';

/** Probe results. */
export interface ProbeResult {
  /** Round trips of the answered PINGs (ms). */
  readonly rtts: number[];
  /** PINGs sent. */
  readonly sent: number;
  /** Answers that came back as datagrams. */
  readonly viaDatagram: number;
}

/**
 * A transport under probe: frames and datagrams arriving on it are routed to
 * `onFrame` while the probe runs (the racer's dial buffer provides this).
 */
export interface ProbeTarget {
  readonly transport: Transport;
  /** Installs the receiver of incoming frames for the probe; returns a function that removes it. */
  listen(onFrame: (bytes: Uint8Array, datagram: boolean) => void): () => void;
}

/** Measures one transport. */
export type Prober = (target: ProbeTarget, signal: AbortSignal) => Promise<ProbeResult>;

/** Options of the PING prober. */
export interface PingProberOptions {
  clock: Clock;
  /** PINGs per probe (default 3). */
  count?: number;
  /** Wait per PING (default 1000 ms: on a busy machine a slow answer is not a lost one). */
  timeoutMs?: number;
  /** Makes PING ids. */
  newId: (now: number) => string;
}

const json = createJsonCodec();

/** The default prober: `count` sequential JSON PINGs. */
export function createPingProber(options: PingProberOptions): Prober {
  const { clock, newId } = options;
  const count = options.count ?? 3;
  const timeoutMs = options.timeoutMs ?? 1000;
  return async (target, signal) => {
    const rtts: number[] = [];
    let sent = 0;
    let viaDatagram = 0;
    let waiting: { id: string; resolve: (via: 'stream' | 'datagram' | null) => void } | null = null;
    const stop = target.listen((bytes, datagram) => {
      if (!waiting) return;
      let id: string | undefined;
      try {
        const f = json.decode(bytes);
        const c = f.command;
        if (c?.case === 'system' && c.value.type === SystemType.PONG) id = metaText(c.value.metadata, SystemKey.PING_ID);
        else if (c?.case === 'system' && c.value.type === SystemType.ERROR) id = metaText(c.value.metadata, SystemKey.REF);
        // The reference server echoes datagrams as they are: our own PING comes back.
        else if (datagram && c?.case === 'system' && c.value.type === SystemType.PING) id = f.messageId;
      } catch {
        return; // not JSON: not an answer to a probe
      }
      if (id === waiting.id) waiting.resolve(datagram ? 'datagram' : 'stream');
    });
    try {
      for (let i = 0; i < count && !signal.aborted && target.transport.isOpen; i++) {
        const start = clock.now();
        const id = newId(clock.wallNow());
        const bytes = json.encode(systemFrame(SystemType.PING, { metadata: { probe: '1' } }, { messageId: id, timestamp: clock.wallNow() }));
        const answered = new Promise<'stream' | 'datagram' | null>((resolve) => {
          const done = (via: 'stream' | 'datagram' | null) => {
            clock.clearTimeout(timer);
            signal.removeEventListener('abort', onAbort);
            resolve(via);
          };
          const onAbort = () => done(null);
          const timer = clock.setTimeout(() => done(null), timeoutMs);
          signal.addEventListener('abort', onAbort, { once: true });
          waiting = { id, resolve: done };
        });
        try {
          target.transport.send([bytes]);
          if (target.transport.maxDatagramSize >= bytes.length) target.transport.sendDatagram(bytes);
        } catch {
          break;
        }
        sent++;
        const via = await answered;
        waiting = null;
        if (via === null) continue;
        rtts.push(clock.now() - start);
        if (via === 'datagram') viaDatagram++;
      }
    } finally {
      stop();
    }
    return { rtts, sent, viaDatagram };
  };
}
