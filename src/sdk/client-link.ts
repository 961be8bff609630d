/**
 * A FlareClient's hold on its connection worker: starts it once, lazily, on
 * first use (worker-link.ts), sends frames through the outgoing middleware in
 * order, keeps the `stats` signal fresh, tells it the page's lifecycle
 * (page-signals.ts), remembers whether this page has left
 * a shared connection other pages keep (`detached`), and closes it. The
 * client owns the public API and the events; this owns the worker's lifetime.
 */
import { ErrorCode, FlareError } from '../codec/errors.ts';
import type { ConnectionStats, SendReceipt, WorkerEvent } from '../worker/api.ts';
import type { MiddlewareChain, OutgoingFrame } from './middleware.ts';
import { toSessionOptions, type ResolvedClientOptions } from './options.ts';
import { forwardPageSignals } from './page-signals.ts';
import type { StateStore } from './state.ts';
import type { ConnectionThread, WorkerLink, WorkerLinkOptions } from './worker-link.ts';

/** What the link needs from the client. */
export interface ClientLinkParts {
  options: Readonly<ResolvedClientOptions>;
  startWorker: (options: WorkerLinkOptions) => WorkerLink;
  middleware: MiddlewareChain;
  store: StateStore;
  /** Worker events, in batches; not called once detached or closed. */
  onEvents: (batch: WorkerEvent[]) => void;
}

export class ClientLink {
  readonly #parts: ClientLinkParts;
  #link: WorkerLink | null = null;
  #starting: Promise<WorkerLink> | null = null;
  #sendChain: Promise<unknown> = Promise.resolve();
  #statsInFlight = false;
  #closed = false;
  #stopSignals: (() => void) | null = null;
  /** This page disconnected from a shared connection that other pages keep. */
  detached = false;

  constructor(parts: ClientLinkParts) {
    this.#parts = parts;
  }

  /** The running worker, or null before the first start completes and after close. */
  get current(): WorkerLink | null {
    return this.#link;
  }
  /** Whether this page shares a SharedWorker's connection with other pages. */
  get shared(): boolean {
    return this.#link?.shared ?? false;
  }
  /** Where the connection runs, once started (null before). */
  get runsIn(): ConnectionThread | null {
    return this.#link?.runsIn ?? null;
  }
  /** Events are routed only while this page is attached and the client open. */
  get live(): boolean {
    return !this.detached && !this.#closed;
  }
  get closed(): boolean {
    return this.#closed;
  }

  /** The worker, started (and given the session options) on the first call. */
  start(): Promise<WorkerLink> {
    if (this.#closed) return Promise.reject(new FlareError(ErrorCode.INVALID_STATE, 'the client was closed'));
    this.#starting ??= (async () => {
      const o = this.#parts.options;
      const link = this.#parts.startWorker({ shared: o.shared, inPage: o.inPage, workerUrl: o.workerUrl, name: `flare:${o.url}:${o.userId ?? ''}` });
      const getToken = o.getToken ?? (o.token ? () => o.token! : null);
      try {
        const onEvents = (batch: WorkerEvent[]) => {
          if (this.live) this.#parts.onEvents(batch);
        };
        await link.init(toSessionOptions(o), onEvents, getToken ? async (ctx) => getToken(ctx) : null);
      } catch (e) {
        this.#starting = null;
        void link.close();
        throw e;
      }
      this.#link = link;
      this.#stopSignals = forwardPageSignals((signal) => void Promise.resolve(link.api.pageSignal(signal)).catch(() => {}));
      if (link.shared) await this.refreshStats().catch(() => null);
      return link;
    })();
    return this.#starting;
  }

  /** Middleware, then the worker; serialised when async middleware could reorder frames. */
  send(frame: OutgoingFrame): Promise<SendReceipt> {
    const middleware = this.#parts.middleware;
    const go = async (f: OutgoingFrame) => (await this.start()).api.send(f);
    if (!middleware.hasOutgoing) return this.#link ? this.#link.api.send(frame) : go(frame);
    const p = this.#sendChain.then(() => middleware.outgoing(frame)).then(go);
    this.#sendChain = p.catch(() => {});
    return p;
  }

  /** Asks the worker for its statistics now and updates the `stats` signal. */
  async refreshStats(): Promise<ConnectionStats | null> {
    const link = this.#link;
    if (!link || this.detached) return null;
    const s = await link.api.stats();
    if (!this.detached) this.#parts.store.setStats(s);
    return s;
  }

  /** `refreshStats` at most one at a time (events ask for it often). */
  throttledStats(): void {
    if (this.#statsInFlight) return;
    this.#statsInFlight = true;
    this.refreshStats()
      .catch(() => null)
      .finally(() => (this.#statsInFlight = false));
  }

  /** Stops the worker (a shared worker only loses this page); later starts are refused. */
  async close(): Promise<void> {
    this.#closed = true;
    const link = this.#link ?? (this.#starting ? await this.#starting.catch(() => null) : null);
    this.#stopSignals?.();
    this.#stopSignals = null;
    await link?.close();
    this.#link = null;
  }
}
