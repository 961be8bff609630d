/**
 * The single-file script-tag bundle (`dist/flare-web.js`): registers the elements, carries the
 * connection worker inline (started from a Blob URL) and registers the client factory, so
 * `<device-check server-url="..." user="...">` works with nothing else on the page. It also exports
 * the whole SDK (the `flare-web`, `flare-web/call` and `flare-web/device` entries) for
 * `<script type="module">import { FlareClient } from './flare-web.js'`, and the elements as `elements`.
 *
 * A Blob-URL worker cannot be shared between tabs; pass `workerUrl` (e.g. `dist/flare-worker.js`
 * served from the page's origin) for `shared: true` to share one connection across tabs.
 */
import { registerClientFactory, useInlineWorker } from './sdk/index.ts';

declare const __FLARE_WORKER_SOURCE__: string | null | undefined;

if (typeof __FLARE_WORKER_SOURCE__ === 'string') useInlineWorker(__FLARE_WORKER_SOURCE__);
registerClientFactory();

export * from './sdk/index.ts';
export * from './sdk/call/index.ts';
export * from './sdk/device/index.ts';
/** The elements' classes and helpers (importing this module registers the elements). */
export * as elements from './elements/index.ts';
