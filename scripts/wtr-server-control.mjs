// A web-test-runner plugin that lets browser tests start, kill and restart
// reference servers (and throwaway redis-servers) of their own, for the
// scenarios the shared test server cannot play: a server killed mid-stream and
// restarted on the same port, authentication switched on.
// Browser side: `executeServerCommand('flare-server-start', {args})` from
// '@web/test-runner-commands'. Every process started here is stopped when the
// test run ends.
import { spawn } from 'node:child_process';
import { startServer, freePort } from './server-process.mjs';

const REDIS_CANDIDATES = ['/usr/bin/redis-server', '/usr/local/bin/redis-server', '/usr/sbin/redis-server'];

async function startRedis() {
  const { existsSync } = await import('node:fs');
  const bin = process.env.REDIS_SERVER ?? REDIS_CANDIDATES.find((p) => existsSync(p)) ?? 'redis-server';
  const port = await freePort();
  const child = spawn(bin, ['--port', String(port), '--save', '', '--appendonly', 'no', '--bind', '127.0.0.1'], { stdio: 'ignore', detached: true });
  const deadline = Date.now() + 10_000;
  const { connect } = await import('node:net');
  for (;;) {
    const ok = await new Promise((resolve) => {
      const s = connect(port, '127.0.0.1', () => {
        s.end();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (ok) break;
    if (child.exitCode !== null || Date.now() > deadline) throw new Error('flare-web: redis-server did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
  return { port, url: `redis://127.0.0.1:${port}`, child };
}

function killGroup(child, signal) {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    try {
      process.kill(-child.pid, signal);
    } catch {
      resolve();
    }
  });
}

/** The plugin. Commands answer `undefined` for names that are not theirs. */
export function flareServerControl() {
  const servers = new Map();
  const redises = [];
  let counter = 0;
  return {
    name: 'flare-server-control',
    async executeCommand({ command, payload }) {
      switch (command) {
        case 'flare-redis-start': {
          const r = await startRedis();
          redises.push(r);
          return { url: r.url };
        }
        case 'flare-server-start': {
          const args = payload?.args ?? [];
          const s = await startServer({ args });
          const id = `s${++counter}`;
          servers.set(id, { s, args, port: s.port });
          return { id, url: s.url, certHash: s.env.FLARE_CERT_HASH };
        }
        case 'flare-server-kill': {
          const entry = servers.get(payload.id);
          if (entry) await killGroup(entry.s.child, 'SIGKILL');
          return true;
        }
        case 'flare-server-restart': {
          const entry = servers.get(payload.id);
          if (!entry) throw new Error(`unknown server ${payload.id}`);
          await killGroup(entry.s.child, 'SIGKILL');
          entry.s = await startServer({ port: entry.port, args: entry.args });
          return { id: payload.id, url: entry.s.url, certHash: entry.s.env.FLARE_CERT_HASH };
        }
        case 'flare-server-stop': {
          const entry = servers.get(payload.id);
          if (entry) await entry.s.stop();
          servers.delete(payload.id);
          return true;
        }
        default:
          return undefined;
      }
    },
    async serverStop() {
      await Promise.all([...servers.values()].map((e) => e.s.stop()));
      await Promise.all(redises.map((r) => killGroup(r.child, 'SIGKILL')));
    },
  };
}
