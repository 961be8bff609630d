// Browser tests in real headless Chromium (Debian's, found by scripts/find-chromium.mjs).
// scripts/test.mjs starts the reference server first and passes its address in
// FLARE_SERVER_URL; tests read it from `window.__FLARE_TEST__`.
import { chromeLauncher } from '@web/test-runner-chrome';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { findChromium, CHROMIUM_FLAGS } from './scripts/find-chromium.mjs';
import { flareServerControl } from './scripts/wtr-server-control.mjs';
import { flarePages } from './scripts/wtr-pages.mjs';

const executablePath = findChromium();
if (!executablePath) throw new Error('flare-web: no Chromium found (run: node scripts/ensure-chromium.mjs)');

const testConfig = {
  serverUrl: process.env.FLARE_SERVER_URL ?? null,
  certHash: process.env.FLARE_CERT_HASH ?? null,
};

export default {
  files: process.env.FLARE_TEST_FILES ? process.env.FLARE_TEST_FILES.split(',') : ['test/**/*.test.ts'],
  nodeResolve: true,
  concurrency: 1,
  concurrentBrowsers: 1,
  testsFinishTimeout: 10 * 60 * 1000,
  browserStartTimeout: 60_000,
  plugins: [esbuildPlugin({ ts: true, target: 'es2022', tsconfig: './tsconfig.json' }), flareServerControl(), flarePages()],
  browsers: [
    chromeLauncher({
      launchOptions: { executablePath, headless: true, args: CHROMIUM_FLAGS },
    }),
  ],
  testFramework: { config: { timeout: 30_000 } },
  testRunnerHtml: (testFramework) => `<!doctype html>
<html><head><script>window.__FLARE_TEST__ = ${JSON.stringify(testConfig)};</script></head>
<body><script type="module" src="${testFramework}"></script></body></html>`,
};
