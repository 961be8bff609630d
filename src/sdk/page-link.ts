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
import type { EventSink, FlareWorkerApi, OutboundMessage, PageSignal, RemoteTokenProvider, SessionOptions } from '../worker/api.ts';
import type { TransportKind } from '../worker/transport.ts';
import { loadPageEngine } from './page-engine.ts';
import type { WorkerLink } from './worker-link.ts';

/** The engine as the page uses it: the worker API plus `close`. */
export type PageEngine = FlareWorkerApi & { close(): Promise<void> };

/** Starts an engine on this thread; `load` is a seam for tests. */
export function startInPage(load: () => Promise<() => PageEngine> = loadPageEngine): WorkerLink {
  let engine: PageEngine | null = null;
  const ready = load().then((create) => (engine = create()));
  // A failed load is reported by the calls that wait for it; this only keeps it from counting as unhandled.
  ready.catch(() => {});
  // Calls answer asynchronously, as through a worker (a synchronous throw becomes a rejection); once the
  // engine is loaded they reach it without waiting a turn.
  const call =
    <A extends unknown[], R>(fn: (e: PageEngine, ...args: A) => R) =>
    async (...args: A): Promise<Awaited<R>> =>
      await fn(engine ?? (await ready), ...args);
  let closed = false;
  const api = {
    init: call((e, o: SessionOptions, sink: EventSink, provider: RemoteTokenProvider | null) => e.init(o, sink, provider)),
    connect: call((e) => e.connect()),
    disconnect: call((e) => e.disconnect()),
    send: call((e, m: OutboundMessage) => e.send(m)),
    trackRoom: call((e, room: string, lastSeq: number | null) => e.trackRoom(room, lastSeq)),
    untrackRoom: call((e, room: string) => e.untrackRoom(room)),
    pageSignal: call((e, signal: PageSignal) => e.pageSignal(signal)),
    switchTransport: call((e, kind: TransportKind) => e.switchTransport(kind)),
    stats: call((e) => e.stats()),
  };
  return {
    api: api as unknown as WorkerLink['api'],
    shared: false,
    runsIn: 'page',
    init: (o, sink, provider) => api.init(o, sink, provider),
    async close() {
      if (closed) return;
      closed = true;
      await (await ready.catch(() => null))?.close();
    },
  };
}
