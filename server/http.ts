/**
 * The HTTP routes: `/health`, `/metrics`, `/cert-hash`, the WebSocket at
 * `/ws`, and static files (the demo at `/`, bundles at `/dist/`). The info
 * routes send `Access-Control-Allow-Origin: *` so test and demo pages on other
 * origins can read them.
 */
import type { ServerContext } from './context.ts';
import { serveStatic } from './static.ts';
import { acceptWebSocket } from './transports/websocket.ts';

const CORS = { 'access-control-allow-origin': '*', 'access-control-allow-methods': 'GET, HEAD, OPTIONS', 'access-control-allow-headers': '*' };

export interface HttpDeps {
  ctx: ServerContext;
  /** The current certificate's SHA-256, hex (changes on renewal). */
  certHash: () => string;
  /** True while shutting down: new connections are refused. */
  closing: () => boolean;
}

function text(body: string, status = 200, type = 'text/plain; charset=utf-8'): Response {
  return new Response(body, { status, headers: { ...CORS, 'content-type': type, 'cache-control': 'no-store' } });
}

/** The health document. */
export function health(ctx: ServerContext, closing: boolean) {
  const byTransport = ctx.hub.countsByTransport();
  const mem = Deno.memoryUsage();
  const broker = ctx.broker.health();
  return {
    status: closing ? 'shutting_down' : broker.ok ? 'ok' : 'degraded',
    uptime_s: Math.round((Date.now() - ctx.startedAt) / 1000),
    connections: { ...byTransport, total: ctx.hub.sessions.size },
    rooms: ctx.rooms.localRoomCount,
    broker,
    auth: ctx.auth.enabled ? 'on' : 'off',
    memory: { rss_bytes: mem.rss, heap_used_bytes: mem.heapUsed },
  };
}

export function createHttpHandler(deps: HttpDeps): (req: Request, info: Deno.ServeHandlerInfo) => Response | Promise<Response> {
  const { ctx } = deps;
  return async (req, info) => {
    const url = new URL(req.url);
    const path = url.pathname;
    if (req.method === 'OPTIONS') return new Response(null, { status: 204, headers: CORS });
    if (path === '/ws') {
      if (req.headers.get('upgrade')?.toLowerCase() !== 'websocket') return text('this endpoint takes a WebSocket upgrade', 426);
      if (deps.closing()) return text('shutting down', 503);
      const addr = info.remoteAddr as Deno.NetAddr;
      return acceptWebSocket(req, ctx, `${addr.hostname}:${addr.port}`);
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return text('method not allowed', 405);
    switch (path) {
      case '/health':
        return text(JSON.stringify(health(ctx, deps.closing())), deps.closing() ? 503 : 200, 'application/json');
      case '/metrics':
        return text(ctx.metrics.render(), 200, 'text/plain; version=0.0.4; charset=utf-8');
      case '/cert-hash':
        return text(deps.certHash());
    }
    const { staticDir, distDir } = ctx.config;
    let rel: string;
    try {
      rel = decodeURIComponent(path);
    } catch {
      return text('bad path', 400);
    }
    if (distDir && (rel === '/dist' || rel.startsWith('/dist/'))) {
      return (await serveStatic(distDir, rel.slice('/dist'.length), req.method)) ?? text('not found', 404);
    }
    if (staticDir) return (await serveStatic(staticDir, rel, req.method)) ?? text('not found', 404);
    return text('not found', 404);
  };
}
