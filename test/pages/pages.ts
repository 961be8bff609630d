/**
 * The test page's side of the two-page tests: opens the peer page (test/pages/peer.html) in a
 * separate tab through the web-test-runner plugin in scripts/wtr-pages.mjs and calls its API
 * (test/pages/peer.ts) with typed arguments. `closePages()` in an `afterEach` or `after` hook closes
 * what was opened, whether the tests passed or not (the plugin also closes leftovers); a page kept
 * for several tests is `reset()` between them.
 */
import { executeServerCommand } from '@web/test-runner-commands';
import { testServer } from '../sdk/client/helpers.ts';
import type { PeerApi } from './peer.ts';

type Method = keyof PeerApi;
type Result<M extends Method> = Awaited<ReturnType<PeerApi[M]>>;

/** One open peer page. */
export class PeerPage {
  constructor(readonly id: string) {}

  /** Runs `method` of the peer page's API there and returns its (JSON) result. */
  async call<M extends Method>(method: M, ...args: Parameters<PeerApi[M]>): Promise<Result<M>> {
    const { value } = (await executeServerCommand('flare-page-call', { id: this.id, method, args })) as { value: Result<M> };
    return value;
  }

  /** Removes the page's elements and closes its clients; the page stays open for the next test. */
  async reset(): Promise<void> {
    await this.call('unmount');
  }

  async close(): Promise<void> {
    const i = open.indexOf(this);
    if (i >= 0) open.splice(i, 1);
    await this.call('unmount').catch(() => {});
    await executeServerCommand('flare-page-close', { id: this.id });
  }
}

const open: PeerPage[] = [];

/** Opens a peer page in a new tab, set up for the test server. */
export async function openPeerPage(): Promise<PeerPage> {
  const { id } = (await executeServerCommand('flare-page-open', { path: '/test/pages/peer.html' })) as { id: string };
  const page = new PeerPage(id);
  open.push(page);
  await page.call('setup', testServer());
  return page;
}

/** Closes every page opened by `openPeerPage`. */
export async function closePages(): Promise<void> {
  await Promise.all(open.slice().map((p) => p.close().catch(() => {})));
}
