/**
 * The client's observable state as signals (signals.ts), created here
 * and nowhere else, handed out read-only (`Computed`s) so Lit elements
 * (`SignalWatcher`) and any framework can render them. The store is written
 * only from worker events and stats snapshots; the seed's monitoring API
 * (`get_status`, `get_connection_stats`, `get_current_protocol`,
 * `get_protocol_metrics`) reads these.
 */
import { computed, signal, type ReadonlySignal, type Signal } from './signals.ts';
import type { ConnectionStats, WorkerEvent } from '../worker/api.ts';
import type { ConnectionState } from '../worker/codes.ts';
import type { ProtocolMetrics } from '../worker/scorer.ts';
import type { Protocol } from './options.ts';

export type { ReadonlySignal };

/** The read-only view. */
export interface ClientState {
  /** disconnected, connecting, connected, reconnecting, failed, kicked. */
  readonly status: ReadonlySignal<ConnectionState>;
  /** The transport in use, or null while not connected. */
  readonly protocol: ReadonlySignal<Protocol | null>;
  /** Latest heartbeat round trip (ms). */
  readonly rtt: ReadonlySignal<number | null>;
  /** Server clock minus ours (ms), NTP-style from heartbeats. */
  readonly clockOffset: ReadonlySignal<number | null>;
  /** The worker's connection statistics, refreshed on connects, switches and heartbeats. */
  readonly stats: ReadonlySignal<ConnectionStats | null>;
  /** Latest metrics per transport (from the race and from live use). */
  readonly metrics: ReadonlySignal<Partial<Record<Protocol, ProtocolMetrics>>>;
  /** Latest score per transport (0..100, higher is better). */
  readonly scores: ReadonlySignal<Partial<Record<Protocol, number>>>;
  /** The server's connection id, or ''. */
  readonly connectionId: ReadonlySignal<string>;
  /** The reason code of the last state change. */
  readonly lastChange: ReadonlySignal<{ code: string; reason: string } | null>;
}

const readonly = <T>(s: Signal.State<T>): ReadonlySignal<T> => computed(() => s.get());

/** Writable store behind {@link ClientState}. */
export class StateStore {
  readonly #status = signal<ConnectionState>('disconnected');
  readonly #protocol = signal<Protocol | null>(null);
  readonly #rtt = signal<number | null>(null);
  readonly #offset = signal<number | null>(null);
  readonly #stats = signal<ConnectionStats | null>(null);
  readonly #metrics = signal<Partial<Record<Protocol, ProtocolMetrics>>>({});
  readonly #scores = signal<Partial<Record<Protocol, number>>>({});
  readonly #connectionId = signal('');
  readonly #lastChange = signal<{ code: string; reason: string } | null>(null);

  readonly view: ClientState = {
    status: readonly(this.#status),
    protocol: readonly(this.#protocol),
    rtt: readonly(this.#rtt),
    clockOffset: readonly(this.#offset),
    stats: readonly(this.#stats),
    metrics: readonly(this.#metrics),
    scores: readonly(this.#scores),
    connectionId: readonly(this.#connectionId),
    lastChange: readonly(this.#lastChange),
  };

  /** Current status without subscribing. */
  get status(): ConnectionState {
    return this.#status.get();
  }

  /** Applies one worker event. */
  apply(e: WorkerEvent): void {
    switch (e.type) {
      case 'state':
        this.#status.set(e.to);
        this.#lastChange.set({ code: e.code, reason: e.reason });
        if (e.to !== 'connected') this.#protocol.set(null);
        return;
      case 'connected':
        this.#protocol.set(e.transport);
        this.#connectionId.set(e.connectionId);
        return;
      case 'switched':
        this.#protocol.set(e.to);
        return;
      case 'rtt':
        this.#rtt.set(e.rttMs);
        this.#offset.set(e.clockOffsetMs);
        return;
      case 'race':
        this.#scores.set({ ...this.#scores.get(), ...e.scores });
        return;
      default:
        return;
    }
  }

  /** Takes a stats snapshot (status, protocol, RTT, offset, metrics and scores follow it). */
  setStats(s: ConnectionStats): void {
    this.#stats.set(s);
    this.#status.set(s.state);
    this.#protocol.set(s.state === 'connected' ? s.transport : null);
    if (s.connectionId) this.#connectionId.set(s.connectionId);
    if (s.rttMs !== null) this.#rtt.set(s.rttMs);
    if (s.clockOffsetMs !== null) this.#offset.set(s.clockOffsetMs);
    if (s.metrics.length) {
      const m = { ...this.#metrics.get() };
      for (const x of s.metrics) m[x.kind] = x;
      this.#metrics.set(m);
    }
    if (Object.keys(s.scores).length) this.#scores.set({ ...this.#scores.get(), ...s.scores });
  }

  /** Back to the start (this page left a shared connection). */
  detach(): void {
    this.#status.set('disconnected');
    this.#protocol.set(null);
  }
}
