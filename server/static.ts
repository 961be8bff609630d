/**
 * Static files: the demo at `/`, the built bundles at `/dist/`. Paths are
 * normalised and confined to their root; directories serve index.html.
 */
import { extname, join, normalize, resolve, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.d.ts': 'text/plain; charset=utf-8',
};

/** Serves `relPath` (URL-decoded, without the mount prefix) from `root`; null when there is no such file. */
export async function serveStatic(root: string, relPath: string, method: string): Promise<Response | null> {
  if (relPath.includes('\0')) return null;
  const base = resolve(root);
  const full = resolve(join(base, normalize(`/${relPath}`)));
  if (full !== base && !full.startsWith(base + sep)) return null;
  let path = full;
  try {
    let info = await Deno.stat(path);
    if (info.isDirectory) {
      path = join(path, 'index.html');
      info = await Deno.stat(path);
    }
    if (!info.isFile) return null;
    const headers = {
      'content-type': TYPES[extname(path)] ?? 'application/octet-stream',
      'content-length': String(info.size),
      'cache-control': 'no-cache',
    };
    if (method === 'HEAD') return new Response(null, { headers });
    const file = await Deno.open(path, { read: true });
    return new Response(file.readable, { headers });
  } catch {
    return null;
  }
}
