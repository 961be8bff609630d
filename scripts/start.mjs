// `npm start`: the reference server on its embedded defaults (port 8080 or PORT),
// serving the demo page and the built bundles.
import { spawn } from 'node:child_process';

const port = process.env.PORT ?? '8080';
const child = spawn('npx', ['deno', 'run', '--unstable-net', '-A', 'server/main.ts', '--port', port, ...process.argv.slice(2)], {
  stdio: 'inherit',
});
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code) => process.exit(code ?? 0));
