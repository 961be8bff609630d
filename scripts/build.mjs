// Builds the WASM core, then the browser bundles with esbuild:
//   dist/esm/**          ESM entry points (tree-shakeable; bare imports kept external; shared code in
//                        chunks): sdk/index.js (`flare-web`), sdk/call/index.js (`flare-web/call`),
//                        sdk/device/index.js (`flare-web/device`), elements/index.js, codec/index.js
//   dist/types/**        type declarations (tsc, tsconfig.build.json), one .d.ts per source file
//   dist/flare-worker.js the connection worker, self-contained (a page's `workerUrl`)
//   dist/flare-web.js    single-file script-tag bundle (elements + SDK + worker inline)
// Entries that do not exist yet are skipped, so the build works at every stage.
import { build } from 'esbuild';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';

execFileSync(process.execPath, ['scripts/build-wasm.mjs'], { stdio: 'inherit' });

const esmEntries = [
  'src/codec/index.ts',
  'src/sdk/index.ts',
  'src/sdk/call/index.ts',
  'src/sdk/device/index.ts',
  'src/elements/index.ts',
  'src/worker/worker.ts',
].filter(existsSync);
// src/sdk/worker-link.ts finds the worker as `new URL('../worker/worker.js', import.meta.url)`: it must
// stay in dist/esm/sdk/index.js (only the `flare-web` entry imports it), not move into a chunk at
// dist/esm/, where that URL would point outside dist/esm.
// Chunk names carry content hashes: start from empty folders so stale chunks do not pile up.
rmSync('dist/esm', { recursive: true, force: true });
rmSync('dist/types', { recursive: true, force: true });
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
  if (existsSync('dist/esm/sdk/index.js') && !readFileSync('dist/esm/sdk/index.js', 'utf8').includes('"../worker/worker.js"')) {
    throw new Error('flare-web build: worker-link.ts left dist/esm/sdk/index.js; its worker URL would be wrong');
  }
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
    // `inPage` clients take the engine from the inline worker source instead of a second copy of it.
    plugins: [
      {
        name: 'flare-inline-page-engine',
        setup(b) {
          b.onResolve({ filter: /[/\\]page-engine\.ts$/ }, (a) => ({ path: join(a.resolveDir, 'page-engine.inline.ts') }));
        },
      },
    ],
  });
}
// Type declarations for the package's `exports`. Sources import with `.ts` extensions; declarations
// are rewritten to `.js` so every TypeScript setup resolves them (to the neighbouring .d.ts).
execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
const rewriteDeclarations = (dir) => {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) rewriteDeclarations(path);
    else if (entry.name.endsWith('.d.ts')) {
      const text = readFileSync(path, 'utf8');
      const next = text.replace(/((?:from|import)\s*\(?\s*['"]\.{1,2}\/[^'"]*?)\.ts(['"])/g, '$1.js$2');
      if (next !== text) writeFileSync(path, next);
    }
  }
};
rewriteDeclarations('dist/types');
console.log(`flare-web: built ${esmEntries.length + workerEntry.length + scriptTag.length} bundle entries`);
