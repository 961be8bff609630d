/**
 * Helpers for FlareClient tests against the reference server started by scripts/test.mjs: clients
 * made for the test server and closed after each test, and waiting for a condition.
 */
import { expect } from 'chai';
import { ErrorCode, FlareClient, FlareError, type FlareClientOptions } from '../../../src/sdk/index.ts';
import type { ClientDeps } from '../../../src/sdk/client.ts';

interface FlareTestConfig {
  serverUrl: string | null;
  certHash: string | null;
}

/** The server of this test run (null: server tests skip). */
export function testServer(): FlareTestConfig {
  return (globalThis as unknown as { __FLARE_TEST__?: FlareTestConfig }).__FLARE_TEST__ ?? { serverUrl: null, certHash: null };
}

const open: FlareClient[] = [];
let users = 0;

/** A unique user id for this run. */
export function uniqueUser(prefix = 'u'): string {
  return `${prefix}-${Date.now().toString(36)}-${++users}`;
}

/** A client for the test server (no IndexedDB outbox), closed by `closeClients`. */
export function makeClient(options: Partial<FlareClientOptions> = {}, deps?: ClientDeps): FlareClient {
  const { serverUrl, certHash } = testServer();
  const c = new FlareClient({ url: serverUrl!, certHash, persistOutbox: false, userId: uniqueUser(), ...options }, deps);
  open.push(c);
  return c;
}

/** Closes every client made by `makeClient`. */
export async function closeClients(): Promise<void> {
  await Promise.all(open.splice(0).map((c) => c.close().catch(() => {})));
}

/** Resolves when `cond()` holds (polled), rejects after `timeoutMs` naming `what`. */
export async function waitFor(cond: () => boolean, what = 'condition', timeoutMs = 10_000, poll?: () => Promise<unknown>): Promise<void> {
  const end = performance.now() + timeoutMs;
  for (;;) {
    await poll?.();
    if (cond()) return;
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, poll ? 50 : 10));
  }
}

/** Skips the suite when no server runs. */
export function needServer(this: Mocha.Context): void {
  if (!testServer().serverUrl) this.skip();
}

export const text = (s: string) => new TextEncoder().encode(s);

/** Runs `make`, which must throw a FlareError INVALID_ARGUMENT; returns it. */
export function invalid(make: () => unknown): FlareError {
  try {
    make();
  } catch (e) {
    expect(e).to.be.instanceOf(FlareError);
    expect((e as FlareError).code).to.equal(ErrorCode.INVALID_ARGUMENT);
    return e as FlareError;
  }
  throw new Error('expected INVALID_ARGUMENT');
}

/** Counts workers started while `fn` runs. */
export async function countingWorkers<T>(fn: () => Promise<T>): Promise<{ result: T; workers: number }> {
  const Real = globalThis.Worker;
  let workers = 0;
  globalThis.Worker = class extends Real {
    constructor(url: string | URL, o?: WorkerOptions) {
      super(url, o);
      workers++;
    }
  };
  try {
    return { result: await fn(), workers };
  } finally {
    globalThis.Worker = Real;
  }
}
