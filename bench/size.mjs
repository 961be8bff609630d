// Bundle sizes (`npm run size`): each bundle built by esbuild, minified, then gzipped (level 9),
// side by side with socket.io-client and centrifuge bundled the same way. Lit and Agora are left out
// of the SDK rows (an app that renders with Lit pays for it once; Agora is loaded only for Agora calls).
import { build } from 'esbuild';
import { existsSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const LIT = ['lit', 'lit/*', 'lit-html', 'lit-html/*', '@lit/reactive-element', '@lit/reactive-element/*', 'lit-element', 'lit-element/*'];
const AGORA = ['agora-rtc-sdk-ng'];

async function bundle(contents, external = []) {
  const out = await build({
    stdin: { contents, resolveDir: process.cwd(), loader: 'ts', sourcefile: 'size-entry.ts' },
    bundle: true,
    write: false,
    minify: true,
    format: 'esm',
    target: 'es2022',
    external,
    logLevel: 'silent',
  });
  return out.outputFiles[0].contents;
}

const row = (c, contender, bytes, extra = {}) => ({
  case: c,
  contender,
  metric: 'size',
  unit: 'bytes gz',
  value: gzipSync(bytes, { level: 9 }).length,
  better: 'lower',
  runs: 1,
  spread: 0,
  extra: { minified: bytes.length, ...extra },
});

export default async function size() {
  const rows = [];
  // What an app that connects and chats imports: FlareClient (rooms, RPC, streams, signals).
  rows.push(row('client', 'flare-sdk-client', await bundle(`export { FlareClient } from './src/sdk/index.ts';`, [...LIT, ...AGORA]), { note: 'FlareClient and everything it uses, main thread; without Lit' }));
  rows.push(row('client', 'socket.io', await bundle(`export { io } from 'socket.io-client';`)));
  rows.push(row('client', 'centrifuge', await bundle(`export { Centrifuge } from 'centrifuge';`)));
  // The whole SDK entry: client, call layer (Agora itself external), device checks.
  rows.push(row('sdk', 'flare-sdk', await bundle(`export * from './src/sdk/index.ts';`, [...LIT, ...AGORA]), { note: 'everything in flare-web (client, call layer, device checks); without Lit and Agora' }));
  // The connection worker, loaded off the main thread (its own file, or inline in the script-tag bundle).
  const worker = existsSync('dist/flare-worker.js') ? readFileSync('dist/flare-worker.js') : await bundle(`import './src/worker/worker.ts';`);
  rows.push(row('worker', 'flare-worker', worker, { note: 'connection worker with the WASM codec core inlined' }));
  rows.push(row('elements', 'flare-elements', await bundle(`export * from './src/elements/index.ts';`, [...LIT, ...AGORA]), { note: 'the elements without Lit' }));
  rows.push(row('elements', 'flare-elements+lit', await bundle(`export * from './src/elements/index.ts';`, AGORA), { note: 'the elements with Lit' }));
  if (existsSync('dist/flare-web.js')) rows.push(row('script-tag', 'flare-web.js', readFileSync('dist/flare-web.js'), { note: 'single file: elements, SDK, Lit, worker inline; Agora external' }));
  return rows;
}
