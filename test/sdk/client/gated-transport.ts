/**
 * A test seam between the worker and the wire: the engine runs in this page behind a MessageChannel
 * (the comlink API a Worker exposes), and every transport it makes is wrapped so that a test can
 * hold back outgoing frames that carry a marker text (the worker has handed them to the connection,
 * the server has not seen them) and cut the connection like a dropped network.
 */
import { Signal } from '@lit-labs/signals';
import * as Comlink from 'comlink';
import { linkOver, type WorkerLink } from '../../../src/sdk/worker-link.ts';
import { createEngine } from '../../../src/worker/engine.ts';
import type { Transport, TransportHandlers } from '../../../src/worker/transport.ts';
import { CuttableTransport } from '../../worker/helpers/cuttable-transport.ts';

/** Holds outgoing frames containing the marker's bytes (send with `compression: ['none']`). */
export class OutgoingGate {
  #marker: Uint8Array | null = null;
  #held: Array<{ inner: Transport; frame: Uint8Array }> = [];

  /** Frames held so far and not released. */
  get held(): number {
    return this.#held.length;
  }

  /** From now on, hold every outgoing frame that contains `marker`. */
  hold(marker: string): void {
    this.#marker = new TextEncoder().encode(marker);
  }

  /** Stops holding and writes the held frames on their transports (those still open). */
  release(): void {
    this.#marker = null;
    for (const { inner, frame } of this.#held.splice(0)) if (inner.isOpen) inner.send([frame]);
  }

  /** Stops holding and forgets the held frames (lost on the way: the server never sees them). */
  discard(): void {
    this.#marker = null;
    this.#held = [];
  }

  /** Cuts every live connection (the held frames are lost with it, as on a real drop). */
  cut(): void {
    this.#held = [];
    for (const t of [...CuttableTransport.live]) t.cut(500);
  }

  /** Wraps a transport the engine made. */
  wrap(transport: Transport): Transport {
    const inner = new CuttableTransport(transport);
    const send = (frames: readonly Uint8Array[]) => {
      const pass = frames.filter((f) => {
        if (!this.#marker || !contains(f, this.#marker)) return true;
        this.#held.push({ inner, frame: f });
        return false;
      });
      if (pass.length) inner.send(pass);
    };
    return {
      get kind() {
        return inner.kind;
      },
      get url() {
        return inner.url;
      },
      get isOpen() {
        return inner.isOpen;
      },
      get bufferedAmount() {
        return inner.bufferedAmount;
      },
      get maxDatagramSize() {
        return inner.maxDatagramSize;
      },
      open: (handlers: TransportHandlers, signal?: AbortSignal) => inner.open(handlers, signal),
      send,
      setBatched: (on: boolean) => inner.setBatched(on),
      sendDatagram: (bytes: Uint8Array) => inner.sendDatagram(bytes),
      close: (code?: number, reason?: string) => inner.close(code, reason),
    };
  }

  /** A `startWorker` for `FlareClient` deps: the engine in this page, its transports wrapped. */
  startWorker(): () => WorkerLink {
    return () => {
      const engine = createEngine({ wrapTransport: (t) => this.wrap(t) });
      const { port1, port2 } = new MessageChannel();
      Comlink.expose(engine, port1);
      return linkOver(port2, false, () => {
        void engine.close();
        port1.close();
      });
    };
  }
}

function contains(haystack: Uint8Array, needle: Uint8Array): boolean {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

/**
 * Every value `read()` takes, in order, starting with the current one: re-read at the end of each
 * task in which a signal it depends on changed (changes within one task collapse into the last).
 */
export function recordSignal<T>(read: () => T): { values: T[]; stop(): void } {
  const values: T[] = [];
  const c = new Signal.Computed(() => {
    const v = read();
    if (values.length === 0 || values.at(-1) !== v) values.push(v);
    return v;
  });
  let armed = true;
  const w = new Signal.subtle.Watcher(() => {
    if (!armed) return;
    armed = false;
    queueMicrotask(() => {
      armed = true;
      c.get();
      w.watch();
    });
  });
  w.watch(c);
  c.get();
  return { values, stop: () => w.unwatch(c) };
}
