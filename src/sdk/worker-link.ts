/**
 * Starts the connection worker and talks to it through comlink: a dedicated
 * Worker, or with `shared: true` a SharedWorker so every tab of the origin
 * shares one connection (falling back to a dedicated Worker where
 * SharedWorker does not exist). Events arrive in batches on a one-way
 * MessagePort (transfer-handlers.ts `oneWay`): no comlink proxy call, and no
 * answer message to the worker, per delivery. RPC requests (best effort) go
 * the other way on a one-way port of their own on a dedicated worker
 * (`openRequestPort`): the worker sends no answer to the call; a request it
 * cannot send comes back as an error answer among the events.
 *
 * With `inPage` (or where Worker does not exist) the engine runs on the page's
 * thread instead, behind the same interface (page-link.ts).
 *
 * Where the worker script comes from, first match wins:
 * 1. `workerUrl` (an option): any same-origin URL of a self-contained worker
 *    bundle, e.g. the build's `dist/flare-worker.js`;
 * 2. an inline source registered with {@link useInlineWorker} (the script-tag
 *    bundle carries the worker as text and starts it from a Blob URL);
 * 3. next to this module: `../worker/worker.ts` when running from source
 *    (web-test-runner serves .ts through esbuild), else `../worker/worker.js`,
 *    written as `new Worker(new URL('...', import.meta.url))` so that Vite and
 *    webpack see the pattern and bundle the worker for the app.
 */
import * as Comlink from 'comlink';
import type { EventSink, OutboundMessage, RemoteTokenProvider, SendReceipt, SessionOptions, SharedPortApi, WorkerEvent } from '../worker/api.ts';
import { ExtCommand } from '../protocol/extensions.ts';
import { oneWay, registerFlareTransferHandlers, type OneWay } from '../worker/transfer-handlers.ts';
import { startInPage } from './page-link.ts';

let inlineSource: string | null = null;
let inlineUrl: string | null = null;

/** Makes clients start the worker from this source text (a Blob URL) unless they pass `workerUrl`. */
export function useInlineWorker(source: string | null): void {
  inlineSource = source;
  if (inlineUrl) URL.revokeObjectURL(inlineUrl);
  inlineUrl = null;
}

/** The Blob URL of the registered inline worker source (made once), or null when none is registered. */
export function inlineWorkerUrl(): string | null {
  if (inlineSource === null) return null;
  inlineUrl ??= URL.createObjectURL(new Blob([inlineSource], { type: 'text/javascript' }));
  return inlineUrl;
}

/** Where a client's connection runs. */
export type ConnectionThread = 'worker' | 'shared-worker' | 'page';

/** How to start the worker. */
export interface WorkerLinkOptions {
  shared: boolean;
  /** Run the engine on this thread instead (page-link.ts); also where the browser has no Worker. */
  inPage?: boolean;
  workerUrl?: string | URL;
  /** SharedWorker name: pages with the same name share one worker (and connection). */
  name: string;
}

/** A running worker. */
export interface WorkerLink {
  /** The worker's API; the SharedPortApi-only calls exist only when `shared`. */
  readonly api: Comlink.Remote<SharedPortApi>;
  /** True when this page shares a SharedWorker's connection. */
  readonly shared: boolean;
  /** Where the connection runs: a dedicated worker, a SharedWorker, or this page's thread (page-link.ts). */
  readonly runsIn: ConnectionThread;
  /** Sends options, the event sink and the token provider. */
  init(options: SessionOptions, onEvents: EventSink, tokenProvider: RemoteTokenProvider | null): Promise<void>;
  /** Leaves: a dedicated worker is disconnected and terminated; a shared one only loses this page. */
  close(): Promise<void>;
}

function spawn(shared: boolean, options: WorkerLinkOptions): Worker | SharedWorker {
  const o: WorkerOptions = { type: 'module', name: options.name };
  const url = options.workerUrl ?? inlineWorkerUrl() ?? undefined;
  if (url !== undefined) return shared ? new SharedWorker(url, o) : new Worker(url, o);
  if (import.meta.url.endsWith('.ts')) {
    return shared ? new SharedWorker(new URL('../worker/worker.ts', import.meta.url), o) : new Worker(new URL('../worker/worker.ts', import.meta.url), o);
  }
  return shared ? new SharedWorker(new URL('../worker/worker.js', import.meta.url), o) : new Worker(new URL('../worker/worker.js', import.meta.url), o);
}

/**
 * Starts a worker, or the engine in the page when `inPage`, where Worker does
 * not exist, or where the page may not start one (the constructor throws, as
 * under a Content-Security-Policy without `worker-src` for the script; a
 * warning says so).
 */
export function startWorker(options: WorkerLinkOptions): WorkerLink {
  if (options.inPage || typeof Worker !== 'function') return startInPage();
  const shared = options.shared && typeof SharedWorker === 'function';
  let w: Worker | SharedWorker;
  try {
    w = spawn(shared, options);
  } catch (e) {
    console.warn(`flare-web: the connection worker could not start (${(e as Error)?.message ?? e}); the connection runs in the page`);
    return startInPage();
  }
  if (shared) {
    const port = (w as SharedWorker).port;
    return linkOver(port, true, () => port.close());
  }
  return linkOver(w as Worker, false, () => (w as Worker).terminate());
}

/**
 * A link over any comlink endpoint where the worker API is exposed (a
 * Worker, a SharedWorker's port, or in tests a MessagePort of an engine
 * running in the page). `end` runs after the link closed.
 */
export function linkOver(endpoint: Comlink.Endpoint, shared: boolean, end: () => void): WorkerLink {
  registerFlareTransferHandlers();
  const remote = Comlink.wrap<SharedPortApi>(endpoint);
  let holdLock: (() => void) | null = null;
  let sink: OneWay<WorkerEvent[]> | null = null;
  let requests: MessagePort | null = null;
  let closed = false;
  const send = (m: OutboundMessage): Promise<SendReceipt> => {
    if (requests && m.reliable === false && m.kind === 'custom' && m.name === ExtCommand.RPC_REQUEST) {
      requests.postMessage(m);
      return Promise.resolve({ id: '', state: 'sent' });
    }
    return remote.send(m);
  };
  // The comlink proxy answers any property; only `send` is ours.
  const api = new Proxy(remote, { get: (t, k, r) => (k === 'send' ? send : Reflect.get(t, k, r)) }) as Comlink.Remote<SharedPortApi>;

  return {
    api,
    shared,
    runsIn: shared ? 'shared-worker' : 'worker',
    async init(sessionOptions, onEvents, tokenProvider) {
      sink = oneWay((events: WorkerEvent[]) => onEvents(events));
      const provider = tokenProvider ? Comlink.proxy(tokenProvider) : null;
      await remote.init(sessionOptions, sink, provider);
      if (shared) await watchPage(remote, (release) => (holdLock = release));
      else requests = await openRequests(remote);
    },
    async close() {
      if (closed) return;
      closed = true;
      try {
        if (shared) await api.release();
        else await api.disconnect();
      } catch {
        // the worker is already gone
      }
      holdLock?.();
      sink?.port?.close();
      requests?.close();
      requests = null;
      remote[Comlink.releaseProxy]();
      end();
    },
  };
}

/** The page's end of the worker's request port, or null when the worker has none (it then gets calls). */
async function openRequests(api: WorkerLink['api']): Promise<MessagePort | null> {
  const { port1, port2 } = new MessageChannel();
  try {
    await (api as unknown as { openRequestPort(port: MessagePort): Promise<void> }).openRequestPort(Comlink.transfer(port2, [port2]));
    return port1;
  } catch {
    port1.close();
    return null;
  }
}

/**
 * Holds a Web Lock for the page's lifetime and asks the worker to wait on it:
 * when the page dies the lock frees and the worker releases the page's share.
 */
async function watchPage(api: WorkerLink['api'], setRelease: (release: () => void) => void): Promise<void> {
  const locks = (navigator as Navigator & { locks?: LockManager }).locks;
  if (!locks) return;
  const name = `flare-page-${crypto.randomUUID()}`;
  await new Promise<void>((acquired) => {
    void locks.request(name, () => {
      acquired();
      return new Promise<void>((release) => setRelease(release));
    });
  });
  await api.watchLock(name);
}
