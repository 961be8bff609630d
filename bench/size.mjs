// Bundle sizes (`npm run size`): each bundle built by esbuild, minified, then gzipped (level 9),
// side by side with socket.io-client and centrifuge bundled the same way. Code splitting is on, as in
// an app's bundler: a size is what loads up front; chunks behind a dynamic import() are `extra.lazyGz`.
// - The SDK entries (`flare-web`, `flare-web/call`, `flare-web/device`) are bundled with Lit
//   included: they must not import it, and `extra.lit` (from esbuild's metafile) says whether
//   any of Lit ended up inside. Agora is external (loaded on first use by Agora calls only).
// - `flare-web/call` and `flare-web/device` are also measured on top of `flare-web`
//   (`extra.overMain`): what an app that already has the client pays for them.
// - The elements are measured without Lit (an app that renders with Lit pays for it once) and with.
import { build } from 'esbuild';
import { existsSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const LIT = ['lit', 'lit/*', 'lit-html', 'lit-html/*', '@lit/reactive-element', '@lit/reactive-element/*', 'lit-element', 'lit-element/*'];
const AGORA = ['agora-rtc-sdk-ng'];
const isLit = (path) => /node_modules\/(lit|lit-html|lit-element|@lit\/reactive-element|@lit-labs\/signals)\//.test(path);

/**
 * Bundles `contents` the way an app's bundler would (code splitting on): what counts is the entry
 * chunk and every chunk it imports statically, loaded up front; chunks reached only through dynamic
 * `import()` (the in-page engine, loaded when `inPage` is used) are reported as `lazy` bytes.
 */
async function bundle(contents, external = AGORA) {
  const out = await build({
    stdin: { contents, resolveDir: process.cwd(), loader: 'ts', sourcefile: 'size-entry.ts' },
    bundle: true,
    write: false,
    splitting: true,
    outdir: 'size-out',
    minify: true,
    format: 'esm',
    target: 'es2022',
    external,
    metafile: true,
    logLevel: 'silent',
  });
  const outputs = out.metafile.outputs;
  const files = new Map(out.outputFiles.map((f) => [f.path.slice(f.path.indexOf('size-out')), f.contents]));
  const entry = Object.keys(outputs).find((k) => outputs[k].entryPoint !== undefined);
  const upFront = new Set();
  const visit = (k) => {
    if (upFront.has(k)) return;
    upFront.add(k);
    for (const i of outputs[k].imports) if (i.kind === 'import-statement' && !i.external) visit(i.path);
  };
  visit(entry);
  const chunks = (keys) => Buffer.concat(keys.filter((k) => k.endsWith('.js')).map((k) => files.get(k)));
  const bytes = chunks([...upFront]);
  const lazy = Object.keys(outputs).filter((k) => k.endsWith('.js') && !upFront.has(k));
  const inputs = [...upFront].flatMap((k) => Object.keys(outputs[k].inputs));
  const extra = { lazy: lazy.length ? gzipSync(chunks(lazy), { level: 9 }).length : 0 };
  // Whether Lit got in is only a question for bundles that do not leave it out.
  return external.includes('lit') ? Object.assign(bytes, { extra }) : Object.assign(bytes, { lit: inputs.some(isLit), modules: inputs.length, extra });
}

const gz = (bytes) => gzipSync(bytes, { level: 9 }).length;

const row = (c, contender, bytes, extra = {}) => ({
  case: c,
  contender,
  metric: 'size',
  unit: 'bytes gz',
  value: gz(bytes),
  better: 'lower',
  runs: 1,
  spread: 0,
  extra: { minified: bytes.length, ...('lit' in bytes ? { lit: bytes.lit, modules: bytes.modules } : {}), ...(bytes.extra?.lazy ? { lazyGz: bytes.extra.lazy } : {}), ...extra },
});

export default async function size() {
  const rows = [];
  // What an app that connects and chats imports: FlareClient (rooms, RPC, streams, signals).
  rows.push(row('client', 'flare-sdk-client', await bundle(`export { FlareClient } from './src/sdk/index.ts';`), { note: 'FlareClient and everything it uses, main thread' }));
  rows.push(row('client', 'socket.io', await bundle(`export { io } from 'socket.io-client';`, [])));
  rows.push(row('client', 'centrifuge', await bundle(`export { Centrifuge } from 'centrifuge';`, [])));
  // The npm entry points, whole (`export *`).
  const main = await bundle(`export * from './src/sdk/index.ts';`);
  rows.push(row('sdk', 'flare-sdk', main, { entry: 'flare-web', note: 'client, builder, options, rooms, RPC, streams, errors' }));
  rows.push(row('sdk', 'socket.io', await bundle(`export * from 'socket.io-client';`, []), { note: 'the whole package entry' }));
  rows.push(row('sdk', 'centrifuge', await bundle(`export * from 'centrifuge';`, []), { note: 'the whole package entry' }));
  const call = await bundle(`export * from './src/sdk/call/index.ts';`);
  const mainCall = await bundle(`export * from './src/sdk/index.ts'; export * from './src/sdk/call/index.ts';`);
  rows.push(row('call', 'flare-sdk-call', call, { entry: 'flare-web/call', overMain: gz(mainCall) - gz(main), note: 'call controller, managers, signalling, WebRTC and Agora engines; Agora external' }));
  const device = await bundle(`export * from './src/sdk/device/index.ts';`);
  const mainDevice = await bundle(`export * from './src/sdk/index.ts'; export * from './src/sdk/device/index.ts';`);
  rows.push(row('device', 'flare-sdk-device', device, { entry: 'flare-web/device', overMain: gz(mainDevice) - gz(main), note: 'device health, preferences, mic meter, speaker and network tests' }));
  const all = `export * from './src/sdk/index.ts'; export * from './src/sdk/call/index.ts'; export * from './src/sdk/device/index.ts';`;
  rows.push(row('sdk-all', 'flare-sdk-all', await bundle(all), { note: 'the three SDK entries together (what the single entry carried before the split)' }));
  // The connection worker, loaded off the main thread (its own file, or inline in the script-tag bundle).
  const worker = existsSync('dist/flare-worker.js') ? readFileSync('dist/flare-worker.js') : await bundle(`import './src/worker/worker.ts';`);
  rows.push(row('worker', 'flare-worker', worker, { note: 'connection worker with the WASM codec core inlined' }));
  rows.push(row('elements', 'flare-elements', await bundle(`export * from './src/elements/index.ts';`, [...LIT, ...AGORA]), { entry: 'flare-web/elements', note: 'the elements without Lit' }));
  rows.push(row('elements', 'flare-elements+lit', await bundle(`export * from './src/elements/index.ts';`), { entry: 'flare-web/elements', note: 'the elements with Lit' }));
  if (existsSync('dist/flare-web.js')) rows.push(row('script-tag', 'flare-web.js', readFileSync('dist/flare-web.js'), { note: 'single file: elements, SDK (all entries), Lit, worker inline; Agora external' }));
  return rows;
}
