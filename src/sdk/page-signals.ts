/**
 * The page's lifecycle, told to the connection (the engine's `pageSignal`):
 * a tab coming back to the foreground (`visibilitychange` to visible) or a
 * page resumed after being frozen (`resume`) may hold a connection that died
 * while its timers were throttled or stopped, so the engine checks it at once
 * instead of waiting for the next heartbeat. `online` / `offline` the engine
 * hears itself, on the global it runs in (src/worker/engine.ts).
 */
import type { PageSignal } from '../worker/api.ts';

/** Starts forwarding; returns the function that stops it. Nothing happens without a document. */
export function forwardPageSignals(send: (signal: PageSignal) => void, doc: Document | undefined = globalThis.document): () => void {
  if (!doc) return () => {};
  const listeners: Array<[string, () => void]> = [
    ['visibilitychange', () => send(doc.visibilityState === 'visible' ? 'visible' : 'hidden')],
    ['resume', () => send('resume')],
    ['freeze', () => send('freeze')],
  ];
  for (const [type, fn] of listeners) doc.addEventListener(type, fn);
  return () => {
    for (const [type, fn] of listeners) doc.removeEventListener(type, fn);
  };
}
