// The path of the Deno executable that the `deno` npm package ships, so that
// scripts can run it directly: through `npx deno` a signal reaches only the
// Node wrapper (bin.cjs uses spawnSync) and the server would keep running.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** Absolute path of the deno binary (installed from its platform package on first use). */
export function denoPath() {
  return require('deno/install_api.cjs').runInstall();
}
