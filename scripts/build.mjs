// Builds the WASM core, then the browser bundles with esbuild:
//   dist/esm/**          ESM entry points (tree-shakeable; bare imports kept external)
//   dist/flare-worker.js the connection worker, self-contained (a page's `workerUrl`)
//   dist/flare-web.js    single-file script-tag bundle (elements + SDK + worker inline)
// Entries that do not exist yet are skipped, so the build works at every stage.
import { build } from 'esbuild';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

execFileSync(process.execPath, ['scripts/build-wasm.mjs'], { stdio: 'inherit' });

const esmEntries = ['src/codec/index.ts', 'src/sdk/index.ts', 'src/elements/index.ts', 'src/worker/worker.ts'].filter(existsSync);
if (esmEntries.length) {
  await build({
    entryPoints: esmEntries,
    outdir: 'dist/esm',
    outbase: 'src',
    bundle: true,
    splitting: true,
    format: 'esm',
    target: 'es2022',
    packages: 'external',
    sourcemap: true,
    logLevel: 'warning',
  });
}
// The connection worker as one self-contained file (dependencies and WASM inlined): what a page
// passes as `workerUrl`, and the source the script-tag bundle carries inline.
const workerEntry = ['src/worker/worker.ts'].filter(existsSync);
let workerSource = null;
if (workerEntry.length) {
  const out = await build({
    entryPoints: workerEntry,
    outfile: 'dist/flare-worker.js',
    bundle: true,
    format: 'esm',
    target: 'es2022',
    minify: true,
    write: false,
    logLevel: 'warning',
  });
  workerSource = out.outputFiles[0].text;
  mkdirSync('dist', { recursive: true });
  writeFileSync('dist/flare-worker.js', workerSource);
}
const scriptTag = ['src/script-tag.ts'].filter(existsSync);
if (scriptTag.length) {
  await build({
    entryPoints: scriptTag,
    outfile: 'dist/flare-web.js',
    bundle: true,
    format: 'esm',
    target: 'es2022',
    minify: true,
    sourcemap: true,
    logLevel: 'warning',
    // Agora is loaded only for Agora calls; script-tag pages map it with an import map.
    external: ['agora-rtc-sdk-ng'],
    define: { __FLARE_WORKER_SOURCE__: JSON.stringify(workerSource) },
  });
}
console.log(`flare-web: built ${esmEntries.length + workerEntry.length + scriptTag.length} bundle entries`);
