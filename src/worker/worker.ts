/**
 * The connection worker's entry: exposes the engine (engine.ts) through
 * comlink on a dedicated Worker, or on every port of a SharedWorker (one
 * connection for all tabs of an origin), and registers the FlareError
 * transfer handlers. The engine hears `online` / `offline` on the worker's
 * own global (engine.ts).
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
  const scope = globalThis as unknown as { addEventListener(type: string, fn: (e: Event) => void): void };

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
