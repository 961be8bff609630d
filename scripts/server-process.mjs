// Starts the reference server (server/main.ts on Deno) as a child process on a
// free port, waits for /health, and returns its addresses for tests and benches.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { denoPath } from './deno-path.mjs';

/** Asks the OS for a free TCP port (the server uses the same number on UDP). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Starts the server; resolves once /health answers.
 * @param {{port?: number, args?: string[], env?: Record<string,string>}} [opts]
 */
export async function startServer(opts = {}) {
  const port = opts.port ?? (await freePort());
  const child = spawn(denoPath(), ['run', '--unstable-net', '-A', 'server/main.ts', '--port', String(port), ...(opts.args ?? [])], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, ...(opts.env ?? {}) },
    detached: true,
  });
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  let certHash = '';
  for (;;) {
    if (child.exitCode !== null) throw new Error(`flare-web: server exited with ${child.exitCode} during start`);
    try {
      const res = await fetch(`${base}/health`);
      if (res.ok) {
        const hash = await fetch(`${base}/cert-hash`).catch(() => null);
        certHash = hash && hash.ok ? (await hash.text()).trim() : '';
        break;
      }
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      process.kill(-child.pid, 'SIGKILL');
      throw new Error('flare-web: server did not answer /health within 60 s');
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    port,
    url: base,
    env: { FLARE_SERVER_URL: base, FLARE_CERT_HASH: certHash },
    child,
    /** Stops the server (SIGTERM to its process group, SIGKILL after 5 s). */
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        const timer = setTimeout(() => {
          try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ }
        }, 5000);
        child.on('exit', () => { clearTimeout(timer); resolve(); });
        try { process.kill(-child.pid, 'SIGTERM'); } catch { resolve(); }
      }),
  };
}
