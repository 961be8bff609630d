/**
 * An open transport whose events are held until someone takes them.
 *
 * Between the moment a transport opens and the moment the session owns it,
 * the racer probes it and then decides; frames that arrive meanwhile must be
 * neither lost nor handed to the wrong receiver. A `Dialed` passes its own
 * handlers to `Transport.open` and routes each event to the probe listener
 * while a probe runs, to the attached handlers once the session attached,
 * and into a buffer otherwise (replayed, in order, on `attach`).
 */
import type { FlareError } from '../codec/errors.ts';
import type { ProbeTarget } from './probe.ts';
import type { Transport, TransportCloseInfo, TransportHandlers } from './transport.ts';

type Held = { frames: Uint8Array[] } | { datagram: Uint8Array } | { dropped: FlareError } | { closed: TransportCloseInfo };

export class Dialed implements ProbeTarget {
  readonly transport: Transport;
  /** Time the dial took (ms). */
  connectMs = 0;
  #target: TransportHandlers | null = null;
  #probe: ((bytes: Uint8Array, datagram: boolean) => void) | null = null;
  #held: Held[] = [];
  #closedInfo: TransportCloseInfo | null = null;

  /** The handlers to pass to `transport.open`. */
  readonly handlers: TransportHandlers = {
    frames: (frames) => {
      if (this.#probe) for (const f of frames) this.#probe(f, false);
      else if (this.#target) this.#target.frames(frames);
      else this.#held.push({ frames });
    },
    datagram: (bytes) => {
      if (this.#probe) this.#probe(bytes, true);
      else if (this.#target) this.#target.datagram?.(bytes);
      else this.#held.push({ datagram: bytes });
    },
    dropped: (error) => {
      if (this.#probe) return; // a probe looks for its answers only
      if (this.#target) this.#target.dropped?.(error);
      else this.#held.push({ dropped: error });
    },
    closed: (info) => {
      this.#closedInfo = info;
      if (this.#target) this.#target.closed(info);
      else this.#held.push({ closed: info });
    },
  };

  constructor(transport: Transport) {
    this.transport = transport;
  }

  /** How the transport closed, or null while it is open. */
  get closedInfo(): TransportCloseInfo | null {
    return this.#closedInfo;
  }

  listen(onFrame: (bytes: Uint8Array, datagram: boolean) => void): () => void {
    this.#probe = onFrame;
    return () => {
      if (this.#probe === onFrame) this.#probe = null;
    };
  }

  /** Hands the transport's events to `handlers`, first replaying what was held. */
  attach(handlers: TransportHandlers): void {
    this.#target = handlers;
    const held = this.#held;
    this.#held = [];
    for (const h of held) {
      if ('frames' in h) handlers.frames(h.frames);
      else if ('datagram' in h) handlers.datagram?.(h.datagram);
      else if ('dropped' in h) handlers.dropped?.(h.dropped);
      else handlers.closed(h.closed);
    }
  }
}
