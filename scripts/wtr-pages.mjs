// A web-test-runner plugin that gives browser tests more pages: real separate top-level pages in the
// same Chromium (own renderer context, own FlareClient and connection worker), opened with puppeteer
// next to the test page and driven from the test through commands, for scenarios between two users
// that one page cannot play honestly (two pages calling each other, chatting). Each opens in a window
// of its own: a background tab would be hidden, and a hidden page's timers run once a second.
// Browser side (test/pages/pages.ts wraps these): `executeServerCommand` from
// '@web/test-runner-commands' with
//   'flare-page-open'  {path}               -> {id}      open `path` (served by the test server) and wait
//                                                         until the page's module set `window.__flarePeer`
//   'flare-page-call'  {id, method, args}   -> {value}   `await window.__flarePeer[method](...args)` there
//   'flare-page-close' {id}                 -> true
// Errors of the page (uncaught, console.error) are kept and appended to a failing call's message.
// Pages a finished test file left open are closed when another page opens, and all when the run ends.

const READY_TIMEOUT_MS = 30_000;

/** The plugin. Commands answer `undefined` for names that are not theirs. */
export function flarePages() {
  /** id -> {page, session, errors} */
  const pages = new Map();
  let counter = 0;

  async function close(id) {
    const entry = pages.get(id);
    pages.delete(id);
    if (entry && !entry.page.isClosed()) await entry.page.close().catch(() => {});
  }

  /** Closes pages of test sessions that have ended (a file that failed before its cleanup). */
  async function closeStale(launcher) {
    for (const [id, entry] of pages) if (!launcher.isActive(entry.session)) await close(id);
  }

  return {
    name: 'flare-pages',
    async executeCommand({ command, payload, session }) {
      if (!command.startsWith('flare-page-')) return undefined;
      switch (command) {
        case 'flare-page-open': {
          if (typeof session.browser.getPage !== 'function') throw new Error('flare-pages: needs the Chrome (puppeteer) launcher');
          await closeStale(session.browser);
          const testPage = session.browser.getPage(session.id);
          const page = await testPage.browserContext().newPage({ type: 'window' });
          const id = `p${++counter}`;
          const errors = [];
          pages.set(id, { page, session: session.id, errors });
          page.on('pageerror', (e) => errors.push(`uncaught: ${e?.message ?? e}`));
          page.on('console', (m) => {
            if (m.type() === 'error') errors.push(`console.error: ${m.text()}`);
          });
          try {
            await page.goto(new URL(payload.path, testPage.url()).href, { waitUntil: 'load' });
            await page.waitForFunction('!!window.__flarePeer', { timeout: READY_TIMEOUT_MS, polling: 50 });
          } catch (e) {
            await close(id);
            throw new Error(`flare-pages: ${payload.path} did not get ready: ${e.message}${errors.length ? `\n${errors.join('\n')}` : ''}`);
          }
          // Keep the test page the front tab, as it was.
          await testPage.bringToFront().catch(() => {});
          return { id };
        }
        case 'flare-page-call': {
          const entry = pages.get(payload.id);
          if (!entry) throw new Error(`flare-pages: no open page ${payload.id}`);
          try {
            const result = await entry.page.evaluate(
              (method, args) => {
                const api = window.__flarePeer;
                if (typeof api[method] !== 'function') throw new Error(`the page has no method ${method}`);
                return api[method](...args);
              },
              payload.method,
              payload.args ?? [],
            );
            return { value: result ?? null }; // null/undefined would read as "not handled"
          } catch (e) {
            const tail = entry.errors.length ? `\npage errors:\n${entry.errors.join('\n')}` : '';
            throw new Error(`${payload.method}: ${e.message}${tail}`);
          }
        }
        case 'flare-page-close':
          await close(payload.id);
          return true;
        default:
          return undefined;
      }
    },
    async serverStop() {
      await Promise.all([...pages.keys()].map(close));
    },
  };
}
