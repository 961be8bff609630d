// The benchmark runner: `node bench/run.mjs <name|all> [args...]`.
//   bench/<name>.bench.ts  runs in headless Chromium (bundled by esbuild, served
//                          cross-origin isolated for precise timers);
//   bench/<name>.mjs       runs in Node (load generators, multi-process setups).
// Either has a default export `async (ctx) => BenchRow[]` (bench/harness.ts) and
// may export `needsServer = true` to get a reference server started for it; an optional
// bench/<name>.servers.mjs starts Node-side helpers (anchor servers) first (ctx.servers).
// Results go to bench/results/<name>.json (shared/BENCH-RESULTS.md) plus a table.
import { build } from 'esbuild';
import { createServer } from 'node:http';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { extname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import puppeteer from 'puppeteer-core';
import { findChromium, CHROMIUM_FLAGS } from '../scripts/find-chromium.mjs';
import { startServer } from '../scripts/server-process.mjs';

const BENCH_DIR = resolve('bench');
const OUT_DIR = join(BENCH_DIR, '.out');
const RESULTS_DIR = join(BENCH_DIR, 'results');
const quick = process.env.BENCH_QUICK === '1';

function listBenches() {
  const names = new Set();
  for (const f of readdirSync(BENCH_DIR)) {
    if (f.endsWith('.bench.ts')) names.add(f.slice(0, -'.bench.ts'.length));
    else if (f.endsWith('.mjs') && f !== 'run.mjs' && !f.endsWith('.servers.mjs')) names.add(f.slice(0, -'.mjs'.length));
  }
  return [...names].sort();
}

const MIME = { '.js': 'text/javascript', '.html': 'text/html', '.map': 'application/json', '.wasm': 'application/wasm' };

/** Serves bench/.out with COOP/COEP so performance.now() has fine resolution. */
function serveOut() {
  return new Promise((res) => {
    const srv = createServer((req, rsp) => {
      const path = join(OUT_DIR, decodeURIComponent(new URL(req.url, 'http://x').pathname));
      if (!path.startsWith(OUT_DIR) || !existsSync(path)) {
        rsp.writeHead(404).end();
        return;
      }
      rsp.writeHead(200, {
        'content-type': MIME[extname(path)] ?? 'application/octet-stream',
        'cross-origin-opener-policy': 'same-origin',
        'cross-origin-embedder-policy': 'require-corp',
        'cross-origin-resource-policy': 'cross-origin',
      });
      rsp.end(readFileSync(path));
    });
    srv.listen(0, '127.0.0.1', () => res(srv));
  });
}

async function runBrowserBench(name, ctx) {
  mkdirSync(OUT_DIR, { recursive: true });
  const entry = join(OUT_DIR, `${name}.entry.ts`);
  writeFileSync(entry, `import bench from '../${name}.bench.ts';\n(globalThis as any).__bench = bench;\n`);
  await build({ entryPoints: [entry], outfile: join(OUT_DIR, `${name}.js`), bundle: true, format: 'esm', target: 'es2022', sourcemap: true, logLevel: 'warning' });
  writeFileSync(join(OUT_DIR, `${name}.html`), `<!doctype html><meta charset="utf-8"><title>${name}</title><script type="module" src="./${name}.js"></script>`);
  const srv = await serveOut();
  const browser = await puppeteer.launch({ executablePath: findChromium(), headless: true, args: CHROMIUM_FLAGS, protocolTimeout: 0 });
  try {
    const page = await browser.newPage();
    page.on('console', (m) => console.log(`  [page] ${m.text()}`));
    page.on('pageerror', (e) => console.error(`  [page error] ${e.message}`));
    await page.goto(`http://127.0.0.1:${srv.address().port}/${name}.html`);
    await page.waitForFunction('typeof globalThis.__bench === "function"', { timeout: 60_000 });
    // BENCH_CPU_PROFILE=file.cpuprofile: a sampled CPU profile of the page's main thread (open it in DevTools).
    const profileTo = process.env.BENCH_CPU_PROFILE;
    const cdp = profileTo ? await page.createCDPSession() : null;
    if (cdp) {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 20 });
      await cdp.send('Profiler.start');
    }
    const rows = await page.evaluate((c) => globalThis.__bench(c), ctx);
    if (cdp) writeFileSync(profileTo, JSON.stringify((await cdp.send('Profiler.stop')).profile));
    return { rows, browser: await browser.version() };
  } finally {
    await browser.close();
    srv.close();
  }
}

function printTable(name, rows) {
  console.log(`\n${name}`);
  const byCase = new Map();
  for (const r of rows) {
    const k = `${r.case} | ${r.metric}`;
    if (!byCase.has(k)) byCase.set(k, []);
    byCase.get(k).push(r);
  }
  for (const [k, rs] of byCase) {
    const best = rs.reduce((b, r) => ((r.better === 'lower' ? r.value < b.value : r.value > b.value) ? r : b), rs[0]);
    console.log(`  ${k}`);
    for (const r of rs) {
      const ratio = best.value ? (r.value / best.value).toFixed(2) : '-';
      const v = r.value >= 100 ? Math.round(r.value).toLocaleString('en-US') : r.value.toPrecision(4);
      console.log(`    ${r.contender.padEnd(26)} ${v.padStart(14)} ${r.unit.padEnd(10)} x${ratio} of best  ±${(r.spread * 100).toFixed(0)}%`);
    }
  }
}

async function runOne(name, args) {
  const tsPath = join(BENCH_DIR, `${name}.bench.ts`);
  const mjsPath = join(BENCH_DIR, `${name}.mjs`);
  const isBrowser = existsSync(tsPath);
  if (!isBrowser && !existsSync(mjsPath)) throw new Error(`no benchmark named ${name} (have: ${listBenches().join(', ')})`);
  const source = readFileSync(isBrowser ? tsPath : mjsPath, 'utf8');
  const needsServer = /export\s+const\s+needsServer\s*=\s*true/.test(source);
  const server = needsServer ? await startServer() : null;
  // Optional Node-side helpers (anchor servers) for the bench: bench/<name>.servers.mjs, default
  // export `async () => ({ ctx, stop })`; `ctx` reaches the bench as `ctx.servers`.
  const serversPath = join(BENCH_DIR, `${name}.servers.mjs`);
  let helpers = null;
  try {
    mkdirSync(OUT_DIR, { recursive: true });
    helpers = existsSync(serversPath) ? await (await import(pathToFileURL(serversPath).href)).default({ outDir: OUT_DIR, quick }) : null;
    const ctx = { serverUrl: server?.url ?? null, certHash: server?.env.FLARE_CERT_HASH ?? null, quick, args, servers: helpers?.ctx ?? null };
    console.log(`== bench ${name} (${isBrowser ? 'Chromium' : 'Node'}${quick ? ', quick' : ''}) ==`);
    let rows;
    let browser = null;
    if (isBrowser) ({ rows, browser } = await runBrowserBench(name, ctx));
    else rows = await (await import(pathToFileURL(mjsPath).href)).default(ctx);
    const result = {
      bench: name,
      date: new Date().toISOString(),
      environment: {
        browser: browser ? browser.replace('HeadlessChrome', 'Chromium') : null,
        runtime: `node ${process.version}`,
        cpus: cpus().length,
        quick,
      },
      rows,
    };
    mkdirSync(RESULTS_DIR, { recursive: true });
    writeFileSync(join(RESULTS_DIR, `${name}.json`), JSON.stringify(result, null, 2) + '\n');
    printTable(name, rows);
    console.log(`  -> bench/results/${name}.json`);
  } finally {
    await helpers?.stop();
    await server?.stop();
  }
}

const [name = 'all', ...args] = process.argv.slice(2);
const names = name === 'all' ? listBenches() : [name];
let failed = false;
for (const n of names) {
  try {
    await runOne(n, args);
  } catch (e) {
    failed = true;
    console.error(`bench ${n} failed: ${e?.stack ?? e}`);
  }
}
process.exit(failed ? 1 : 0);
