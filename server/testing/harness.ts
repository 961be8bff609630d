/**
 * Starts servers in-process for tests: port 0 (a free port), `127.0.0.1`,
 * logs captured instead of printed, static files off.
 */
import { DEFAULTS, type ServerConfig } from '../config.ts';
import { startServer, type RunningServer, type StartOptions } from '../server.ts';

export interface TestServer extends RunningServer {
  /** Captured log lines (parsed). */
  logs: Array<Record<string, unknown>>;
}

export async function testServer(overrides: Partial<ServerConfig> = {}, options: StartOptions = {}): Promise<TestServer> {
  const logs: Array<Record<string, unknown>> = [];
  const config: ServerConfig = { ...DEFAULTS, port: 0, hostname: '127.0.0.1', staticDir: null, distDir: null, logLevel: 'debug', shutdownGraceMs: 500, ...overrides };
  const server = await startServer(config, { logSink: (line) => logs.push(JSON.parse(line)), ...options });
  return Object.assign(server, { logs });
}

/** Runs `fn` with a fresh server and shuts it down afterwards. */
export async function withServer(overrides: Partial<ServerConfig>, fn: (s: TestServer) => Promise<void>, options: StartOptions = {}): Promise<void> {
  const s = await testServer(overrides, options);
  try {
    await fn(s);
  } finally {
    await s.shutdown({ reconnectWindowMs: 0, graceMs: 200 });
  }
}
