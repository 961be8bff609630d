/**
 * The connection worker's entry: exposes the engine (engine.ts) through
 * comlink on a dedicated Worker, or on every port of a SharedWorker (one
 * connection for all tabs of an origin), and registers the FlareError
 * transfer handlers. The page forwards `online`, `visibilitychange` and
 * `resume` through `pageSignal`; the worker listens to its own
 * `online`/`offline` events too.
 */
import * as Comlink from 'comlink';
import { createEngine, useTransfer } from './engine.ts';
import { createHub } from './hub.ts';
import { registerFlareTransferHandlers } from './transfer-handlers.ts';

/**
 * The same module imported in a page (the script-tag bundle's `inPage` engine,
 * src/sdk/page-engine.inline.ts) only provides `createEngine`: nothing is exposed.
 */
export { createEngine };

if (!('document' in globalThis)) serve();

function serve(): void {
  registerFlareTransferHandlers();
  useTransfer((events, transfer) => Comlink.transfer(events, transfer));

  const engine = createEngine();
  const scope = globalThis as unknown as {
    addEventListener(type: string, fn: (e: Event) => void): void;
    postMessage?: unknown;
  };

  scope.addEventListener('online', () => {
    try {
      engine.pageSignal('online');
    } catch {
      // not initialised yet
    }
  });
  scope.addEventListener('offline', () => {
    try {
      engine.pageSignal('offline');
    } catch {
      // not initialised yet
    }
  });

  if ('onconnect' in globalThis) {
    // SharedWorker: one engine, one comlink endpoint per connecting page, each a share of the hub.
    const hub = createHub(engine);
    scope.addEventListener('connect', (e) => {
      const port = (e as MessageEvent).ports[0]!;
      Comlink.expose(hub.attach(), port);
    });
  } else {
    Comlink.expose(engine);
  }
}
