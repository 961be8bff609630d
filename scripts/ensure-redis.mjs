// Makes sure a redis-server exists for the scale-out tests (server/broker/*_test.ts):
// finds one, or installs Debian's `redis-server` package when it can (Debian, root).
// Never fails the test run: without redis-server those tests skip with a message.
import { existsSync, statSync } from 'node:fs';
import { execSync } from 'node:child_process';
import { delimiter, join } from 'node:path';

const CANDIDATES = ['/usr/bin/redis-server', '/usr/local/bin/redis-server', '/usr/sbin/redis-server', '/opt/homebrew/bin/redis-server'];

export function findRedisServer() {
  const list = [process.env.REDIS_SERVER, ...CANDIDATES, ...(process.env.PATH ?? '').split(delimiter).filter(Boolean).map((d) => join(d, 'redis-server'))];
  for (const p of list) {
    try {
      if (p && statSync(p).isFile()) return p;
    } catch {
      // not there
    }
  }
  return null;
}

let path = findRedisServer();
if (!path) {
  const isDebian = existsSync('/etc/debian_version');
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (isDebian && isRoot) {
    console.log("flare-web: no redis-server found, installing Debian's redis-server package...");
    try {
      execSync('apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server', { stdio: 'inherit' });
    } catch {
      // reported below
    }
    path = findRedisServer();
  }
}
if (path) console.log(`flare-web: using redis-server at ${path}`);
else console.warn('flare-web: no redis-server (Debian: apt-get install redis-server, or set REDIS_SERVER): the scale-out tests will be SKIPPED.');
