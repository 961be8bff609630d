// Builds the WASM core, then the browser bundles with esbuild:
//   dist/esm/**          ESM entry points (tree-shakeable; bare imports kept external)
//   dist/flare-web.js    single-file script-tag bundle (elements + SDK + worker inline)
// Entries that do not exist yet are skipped, so the build works at every stage.
import { build } from 'esbuild';
import { existsSync } from 'node:fs';
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
  });
}
console.log(`flare-web: built ${esmEntries.length + scriptTag.length} bundle entries`);
