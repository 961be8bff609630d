/**
 * The script-tag bundle's engine loader (scripts/build.mjs puts it in place
 * of page-engine.ts): the inline worker source is an ES module that also
 * exports `createEngine` (src/worker/worker.ts), so the page imports it from
 * the same Blob URL the worker starts from.
 */
import { ErrorCode, FlareError } from '../codec/errors.ts';
import type { PageEngine } from './page-link.ts';
import { inlineWorkerUrl } from './worker-link.ts';

export async function loadPageEngine(): Promise<() => PageEngine> {
  const url = inlineWorkerUrl();
  if (!url) throw new FlareError(ErrorCode.UNSUPPORTED, 'inPage: this bundle carries no inline engine (useInlineWorker was not called)');
  return ((await import(/* @vite-ignore */ url)) as { createEngine: () => PageEngine }).createEngine;
}
