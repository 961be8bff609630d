// `npm start`: the reference server on its embedded defaults (port 8080 or PORT),
// serving the demo page and the built bundles. Runs Deno's binary directly so
// that a signal to this process reaches the server too.
import { spawn } from 'node:child_process';
import { denoPath } from './deno-path.mjs';

const port = process.env.PORT ?? '8080';
const child = spawn(denoPath(), ['run', '--unstable-net', '-A', 'server/main.ts', '--port', port, ...process.argv.slice(2)], {
  stdio: 'inherit',
});
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
