// Makes sure a Chromium exists for the browser tests: finds one, or installs
// Debian's `chromium` when it can (Debian, root), or stops with one line.
import { existsSync } from 'node:fs';
import { execSync } from 'node:child_process';
import { findChromium } from './find-chromium.mjs';

let path = findChromium();
if (!path) {
  const isDebian = existsSync('/etc/debian_version');
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (isDebian && isRoot) {
    console.log('flare-web: no Chromium found, installing Debian\'s chromium package...');
    execSync('apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium', { stdio: 'inherit' });
    path = findChromium();
  }
}
if (!path) {
  console.error('flare-web: no Chromium found: install Chromium (Debian: apt-get install chromium) or set CHROME_PATH.');
  process.exit(1);
}
console.log(`flare-web: using Chromium at ${path}`);
