/**
 * Assembles and runs the server: codecs, TLS identity, broker, services,
 * HTTP + WebSocket on TCP and WebTransport on UDP, both on one port number.
 * `startServer` is what main.ts and the tests call (tests on port 0).
 */
import type { ServerConfig } from './config.ts';
import { createAuthenticator } from './auth.ts';
import type { Broker } from './broker/broker.ts';
import { createBroker } from './broker/select.ts';
import { installBuiltins } from './builtins.ts';
import { loadServerCodecs } from './codecs.ts';
import type { ServerContext } from './context.ts';
import { Handlers } from './handlers.ts';
import { createHttpHandler } from './http.ts';
import { Hub } from './hub.ts';
import { createLogger, type Logger } from './log.ts';
import { serverMetrics } from './metrics.ts';
import type { ServerMiddleware } from './middleware.ts';
import { ServerPlugins, type ServerPlugin } from './plugins.ts';
import { RoomService } from './rooms.ts';
import { installUserRpc } from './user-rpc.ts';
import { CertManager, developmentIdentity, loadIdentity, type TlsIdentity } from './tls.ts';
import { WebTransportServer } from './transports/webtransport.ts';

export interface StartOptions {
  /** Log sink (default: stdout). */
  logSink?: (line: string) => void;
  /** A broker other than the in-memory one (e.g. Redis). */
  broker?: Broker;
  /** Adds application handlers after the built-ins and the plugins. */
  configure?: (handlers: Handlers, ctx: ServerContext) => void;
  /** Plugins, installed in this order after the built-ins; started before listening, stopped at shutdown (plugins.ts). */
  plugins?: readonly ServerPlugin[];
  /** Middleware on client frames and RPC answers, ahead of any a plugin adds (middleware.ts). */
  middleware?: readonly ServerMiddleware[];
  /** Random source for the shutdown reconnect spread (tests). */
  random?: () => number;
}

export interface ShutdownOptions {
  /** Window over which clients are told to spread their reconnects. */
  reconnectWindowMs?: number;
  graceMs?: number;
}

export interface RunningServer {
  readonly ctx: ServerContext;
  /** The port actually bound (TCP and UDP). */
  readonly port: number;
  readonly hostname: string;
  /** e.g. http://127.0.0.1:8080 (a loopback address when listening on all). */
  readonly url: string;
  /** SHA-256 of the current certificate, hex. */
  certHash(): string;
  /** Renews the development certificate now (normally on a timer). */
  renewCertificate(): Promise<TlsIdentity>;
  /** Graceful shutdown: going-away to every client, then close. Idempotent. */
  shutdown(options?: ShutdownOptions): Promise<void>;
}

function loopbackHost(hostname: string): string {
  if (hostname === '::' || hostname === '0.0.0.0' || hostname === '') return '127.0.0.1';
  return hostname.includes(':') ? `[${hostname}]` : hostname;
}

export async function startServer(config: ServerConfig, options: StartOptions = {}): Promise<RunningServer> {
  const log: Logger = createLogger(config.logLevel, options.logSink);
  const plugins = new ServerPlugins(options.plugins ?? [], log); // checks names before anything starts
  const metrics = serverMetrics();
  const { codecs, report } = await loadServerCodecs();
  const identity = config.certFile && config.keyFile ? await loadIdentity(config.certFile, config.keyFile) : await developmentIdentity(config.devCertValidityMs);
  const broker = options.broker ?? (await createBroker(config, log));
  const rooms = new RoomService({ config, log, metrics, broker });
  const serverId = crypto.randomUUID().slice(0, 8);
  const hub = new Hub({ config, log, metrics, broker, rooms, serverId });
  const handlers = new Handlers();
  const ctx: ServerContext = {
    config,
    log,
    metrics,
    codecs,
    auth: createAuthenticator(config.authSecret),
    broker,
    hub,
    rooms,
    handlers,
    serverId,
    startedAt: Date.now(),
  };
  installBuiltins(handlers, hub, rooms, config.testMethods);
  const userRpc = await installUserRpc(handlers, ctx);
  for (const m of options.middleware ?? []) handlers.use(m);
  plugins.install(handlers, ctx);
  options.configure?.(handlers, ctx);
  metrics.gauge('flare_connections', 'Open connections, by transport.', () => Object.entries(hub.countsByTransport()).map(([transport, n]) => [{ transport }, n]));
  metrics.gauge('flare_rooms', 'Rooms with members in this process.', () => rooms.localRoomCount);
  metrics.gauge('flare_broker_up', 'Whether the broker is usable (0 while Redis is unreachable).', () => (broker.health().ok ? 1 : 0));
  metrics.gauge('flare_process_resident_memory_bytes', 'Resident set size of the server process.', () => Deno.memoryUsage().rss);

  await hub.start();
  rooms.start();
  await plugins.start(ctx).catch(async (e) => {
    rooms.stop();
    await userRpc.stop();
    await hub.stop();
    await broker.close();
    throw e;
  });

  let closing = false;
  const wt = new WebTransportServer(ctx);
  const certs = new CertManager(identity, {
    validityMs: config.devCertValidityMs,
    renewBeforeMs: config.devCertRenewBeforeMs,
    onRenew: (next) => {
      wt.relisten(next);
      log.info('development certificate renewed', { sha256: next.sha256Hex, not_after: next.notAfter?.toISOString() });
    },
    onError: (e) => log.error('certificate renewal failed', { err: e }),
  });

  const handler = createHttpHandler({ ctx, certHash: () => certs.identity.sha256Hex, closing: () => closing });
  const tls = config.httpTls ? { cert: identity.cert, key: identity.key } : {};
  // TCP first; then the same number on UDP. With port 0 the number the OS picked for TCP may be
  // taken on UDP: try another few.
  let http: Deno.HttpServer<Deno.NetAddr> | null = null;
  let port = 0;
  for (let attempt = 0; !http; attempt++) {
    const candidate = Deno.serve({ port: config.port, hostname: config.hostname, ...tls, onListen: () => {} }, handler);
    port = candidate.addr.port;
    try {
      wt.start(config.hostname, port, identity);
      http = candidate;
    } catch (e) {
      await candidate.shutdown();
      if (config.port !== 0 || attempt >= 5) throw new Error(`cannot bind UDP port ${port} for WebTransport: ${(e as Error).message}`);
    }
  }
  const listening = http;

  const url = `${config.httpTls ? 'https' : 'http'}://${loopbackHost(config.hostname)}:${port}`;
  log.info('listening', {
    url,
    websocket: `${url.replace(/^http/, 'ws')}/ws`,
    webtransport: `https://${loopbackHost(config.hostname)}:${port}/wt`,
    cert_sha256: identity.sha256Hex,
    cert: identity.development ? 'development' : 'files',
    protobuf: report.protobuf,
    compressions: report.compressions,
    broker: broker.kind,
  });
  if (!ctx.auth.enabled) {
    log.warn('AUTHENTICATION IS OFF: any client may claim any user id. Set --auth-secret or FLARE_AUTH_SECRET to require HS256 JWTs.');
  }

  let stopping: Promise<void> | null = null;
  return {
    ctx,
    port,
    hostname: config.hostname,
    url,
    certHash: () => certs.identity.sha256Hex,
    renewCertificate: () => certs.renew(),
    shutdown(opts: ShutdownOptions = {}) {
      stopping ??= (async () => {
        closing = true;
        log.info('shutting down', { connections: hub.sessions.size });
        await hub.goAwayAll(opts.reconnectWindowMs ?? config.reconnectWindowMs, opts.graceMs ?? config.shutdownGraceMs, options.random);
        await plugins.stop(ctx);
        certs.stop();
        rooms.stop();
        await userRpc.stop();
        await hub.stop();
        wt.close();
        await listening.shutdown();
        await broker.close();
        log.info('stopped');
      })();
      return stopping;
    },
  };
}
