/**
 * Loads the engine for a connection in the page (page-link.ts): a chunk of its
 * own in the npm build, so apps that keep the worker never load it twice. The
 * script-tag build replaces this module with page-engine.inline.ts
 * (scripts/build.mjs), which takes the engine from the inline worker source
 * instead of carrying a second copy of it.
 */
import type { PageEngine } from './page-link.ts';

export async function loadPageEngine(): Promise<() => PageEngine> {
  return (await import('../worker/engine.ts')).createEngine;
}
