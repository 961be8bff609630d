// Helpers of bench/e2e-profile.bench.ts: the e2e anchors (bench/e2e.servers.mjs), a bare Deno
// WebSocket echo server (what the reference server's runtime costs without Flare), and the
// timestamping worker bundle (bench/e2e-profile.worker.ts).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { build } from 'esbuild';
import { denoPath } from '../scripts/deno-path.mjs';
import start from './e2e.servers.mjs';

export default async function startProfileServers(o) {
  const base = await start(o);
  await build({ entryPoints: ['bench/e2e-profile.worker.ts'], outfile: join(o.outDir, 'flare-worker-profile.js'), bundle: true, format: 'esm', target: 'es2022', logLevel: 'warning' });
  const echoFile = fileURLToPath(new URL('./deno-echo.mts', import.meta.url));
  const port = 20000 + Math.floor(Math.random() * 20000);
  const echo = spawn(denoPath(), ['run', '--allow-net', echoFile, String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((resolve, reject) => {
    echo.stdout.once('data', resolve);
    echo.once('exit', (code) => reject(new Error(`deno echo server exited (${code})`)));
  });
  return {
    ctx: { ...base.ctx, denoEchoUrl: `ws://127.0.0.1:${port}`, profileWorkerUrl: './flare-worker-profile.js' },
    async stop() {
      echo.kill();
      await base.stop();
    },
  };
}
