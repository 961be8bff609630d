/**
 * The connection on the page's own thread (`inPage: true`, and where the
 * browser has no Worker): the same engine the worker runs
 * (src/worker/engine.ts), loaded on first use and called directly, behind
 * the same `WorkerLink` face the client drives a worker through.
 *
 * Why: every call and every event batch through a worker pays a thread hop,
 * 0.15-0.25 ms each way on an idle machine (bench/results/e2e-profile.json),
 * so a request/response round trip costs about 0.8 ms more than a raw
 * WebSocket. In the page that cost is gone; what is given up is the worker's
 * protection of the main thread: decoding a flood then runs between the
 * page's own tasks, and tabs cannot share the connection.
 *
 * Where the engine comes from: `import('../worker/engine.ts')`, a chunk of
 * its own in the npm build (nothing of it is loaded unless a client runs in
 * the page). The script-tag bundle swaps this module's loader for the inline
 * worker's source (page-engine.ts), which exports the same `createEngine`.
 */
import type { ConnectionStats, EventSink, FlareWorkerApi, PageSignal, RemoteTokenProvider, SendReceipt, SessionOptions } from '../worker/api.ts';
import type { TransportKind } from '../worker/transport.ts';
import { loadPageEngine } from './page-engine.ts';
import type { WorkerLink } from './worker-link.ts';

/** The engine as the page uses it: the worker API plus `close`. */
export type PageEngine = FlareWorkerApi & { close(): Promise<void> };

/** Starts an engine on this thread; `load` is a seam for tests. */
export function startInPage(load: () => Promise<() => PageEngine> = loadPageEngine): WorkerLink {
  let engine: PageEngine | null = null;
  const ready = load().then((create) => (engine = create()));
  // An engine that failed to load rejects every call with that error, not once per listener.
  ready.catch(() => {});
  const signals: Array<[string, () => void]> = [];
  const forward = (type: 'online' | 'offline') => {
    const fn = () => void ready.then((e) => e.pageSignal(type satisfies PageSignal)).catch(() => {});
    signals.push([type, fn]);
    globalThis.addEventListener?.(type, fn);
  };
  let closed = false;
  // Calls resolve asynchronously as they do through a worker; a synchronous throw becomes a rejection.
  const api = {
    init: async (o: SessionOptions, sink: EventSink, provider: RemoteTokenProvider | null) => {
      await (await ready).init(o, sink, provider);
      forward('online');
      forward('offline');
    },
    connect: async () => (engine ?? (await ready)).connect(),
    disconnect: async () => (engine ?? (await ready)).disconnect(),
    send: async (m: Parameters<FlareWorkerApi['send']>[0]): Promise<SendReceipt> => (engine ?? (await ready)).send(m),
    trackRoom: async (room: string, lastSeq: number | null) => (await ready).trackRoom(room, lastSeq),
    untrackRoom: async (room: string) => (await ready).untrackRoom(room),
    pageSignal: async (s: PageSignal) => (await ready).pageSignal(s),
    switchTransport: async (kind: TransportKind) => (await ready).switchTransport(kind),
    stats: async (): Promise<ConnectionStats> => (await ready).stats(),
  };
  return {
    api: api as unknown as WorkerLink['api'],
    shared: false,
    init: (o, sink, provider) => api.init(o, sink, provider),
    async close() {
      if (closed) return;
      closed = true;
      for (const [type, fn] of signals) globalThis.removeEventListener?.(type, fn);
      await (await ready.catch(() => null))?.close();
    },
  };
}
