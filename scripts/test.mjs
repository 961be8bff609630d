// `npm test`: the reference server's own tests (deno test), then the browser
// tests in real Chromium against a real reference server started here.
// `pretest` has already found Chromium, built the WASM core and typechecked.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { startServer } from './server-process.mjs';

function run(cmd, args, env = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: 'inherit', env: { ...process.env, ...env } });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

const denoTests = existsSync('server') && readdirSync('server', { recursive: true }).some((f) => String(f).endsWith('_test.ts'));
let failed = 0;

if (denoTests) {
  console.log('\n== server tests (deno test) ==');
  failed |= await run('npx', ['deno', 'test', '--unstable-net', '-A', '--no-check=remote', 'server/']);
}

let server = null;
if (existsSync('server/main.ts')) server = await startServer({ args: ['--log-level', 'warn'] });
try {
  console.log('\n== browser tests (web-test-runner, Chromium) ==');
  failed |= await run('npx', ['web-test-runner', '--config', 'web-test-runner.config.mjs'], server ? server.env : {});
} finally {
  await server?.stop();
}
process.exit(failed ? 1 : 0);
