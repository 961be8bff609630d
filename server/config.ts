/**
 * The server's configuration: every default in one place, read from command
 * line flags first, then environment variables, then the embedded defaults.
 * `parseConfig` is pure (argv and env are passed in) so tests can build configs.
 */

/** Device-conflict policies (flare-core's DeviceConflictStrategy, plus `client`). */
export const ConflictPolicy = {
  /** Every connection of a user coexists. */
  COEXIST: 'coexist',
  /** One connection per user and platform: a new one kicks the older ones of that platform. */
  PLATFORM_EXCLUSIVE: 'platform_exclusive',
  /** One connection per user: a new one kicks every older one. */
  EXCLUSIVE: 'exclusive',
  /** What the client asks in CONNECT metadata `desired_conflict_strategy` (coexist when absent). */
  CLIENT: 'client',
} as const;
export type ConflictPolicy = (typeof ConflictPolicy)[keyof typeof ConflictPolicy];

/** Where shared state lives: this process's memory, or Redis (several processes as one server). */
export const BrokerKind = { MEMORY: 'memory', REDIS: 'redis' } as const;
export type BrokerKind = (typeof BrokerKind)[keyof typeof BrokerKind];

export const LogLevel = { DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error', SILENT: 'silent' } as const;
export type LogLevel = (typeof LogLevel)[keyof typeof LogLevel];

export interface ServerConfig {
  /** TCP (HTTP, WebSocket) and UDP (WebTransport) port; 0 picks a free one. */
  port: number;
  hostname: string;
  /** PEM files of a real certificate; both null means a development certificate made at start. */
  certFile: string | null;
  keyFile: string | null;
  /** Serve HTTP and WebSocket over TLS (default: only with a real certificate). */
  httpTls: boolean;
  /** Validity of the development certificate (Chromium: at most 14 days for certificate hashes). */
  devCertValidityMs: number;
  /** Renew the development certificate this long before it expires. */
  devCertRenewBeforeMs: number;
  /** HS256 secret for JWT tokens; null turns authentication off. */
  authSecret: string | null;
  conflictPolicy: ConflictPolicy;
  /** Largest frame accepted (bytes on the wire). */
  maxFrameBytes: number;
  idleTimeoutMs: number;
  handshakeTimeoutMs: number;
  /** Token bucket per connection: frames per second (0 = unlimited) and burst. */
  rateLimitPerSec: number;
  rateLimitBurst: number;
  /** Bound of a connection's send queue, in bytes; see docs/PROTOCOL.md for what happens when full. */
  sendQueueBytes: number;
  /** Messages kept per room (and per user inbox) for history and resume. */
  historySize: number;
  /** Most messages replayed by one resume or history request. */
  replayLimit: number;
  /** Presence entries expire unless refreshed within this time. */
  presenceTtlMs: number;
  /** Clients are told to come back after a random delay in [0, this] at shutdown. */
  reconnectWindowMs: number;
  /** Longest a graceful shutdown waits for send queues to drain. */
  shutdownGraceMs: number;
  /** Static files: the demo at `/`, the built bundles at `/dist/`; null disables. */
  staticDir: string | null;
  distDir: string | null;
  /** Built-in helper methods for tests and benchmarks (`flood`, `call_me`, ...). */
  testMethods: boolean;
  /** Allow several frames per WebSocket message when the client asks. */
  allowBatching: boolean;
  logLevel: LogLevel;
  /** `memory` or `redis`; null: `redis` when `redisUrl` is set, else `memory`. */
  broker: BrokerKind | null;
  /** Redis for the `redis` broker (default redis://127.0.0.1:6379); docs/SCALE-OUT.md. */
  redisUrl: string | null;
}

const DAY = 24 * 60 * 60 * 1000;

/** The embedded defaults (what `npm start` runs). */
export const DEFAULTS: Readonly<ServerConfig> = Object.freeze({
  port: 8080,
  hostname: '::',
  certFile: null,
  keyFile: null,
  httpTls: false,
  devCertValidityMs: 13 * DAY,
  devCertRenewBeforeMs: 2 * DAY,
  authSecret: null,
  conflictPolicy: ConflictPolicy.CLIENT,
  maxFrameBytes: 16 * 1024 * 1024,
  idleTimeoutMs: 300_000,
  handshakeTimeoutMs: 10_000,
  rateLimitPerSec: 5_000,
  rateLimitBurst: 10_000,
  sendQueueBytes: 8 * 1024 * 1024,
  historySize: 1_000,
  replayLimit: 1_000,
  presenceTtlMs: 30_000,
  reconnectWindowMs: 10_000,
  shutdownGraceMs: 5_000,
  staticDir: 'demo',
  distDir: 'dist',
  testMethods: true,
  allowBatching: true,
  logLevel: LogLevel.INFO,
  broker: null,
  redisUrl: null,
});

type Kind = 'int' | 'bytes' | 'duration' | 'string' | 'bool' | 'path';
interface Option {
  key: keyof ServerConfig;
  flag: string;
  env?: string;
  kind: Kind;
  help: string;
  choices?: readonly string[];
}

/** Every option, in `--help` order. */
export const OPTIONS: readonly Option[] = [
  { key: 'port', flag: 'port', env: 'PORT', kind: 'int', help: 'TCP and UDP port (0: any free port)' },
  { key: 'hostname', flag: 'hostname', env: 'HOST', kind: 'string', help: 'address to listen on' },
  { key: 'certFile', flag: 'cert', env: 'FLARE_CERT', kind: 'path', help: 'TLS certificate chain (PEM); default: a development certificate' },
  { key: 'keyFile', flag: 'key', env: 'FLARE_KEY', kind: 'path', help: 'TLS private key (PEM)' },
  { key: 'httpTls', flag: 'http-tls', env: 'FLARE_HTTP_TLS', kind: 'bool', help: 'serve HTTP/WebSocket over TLS too (default: on with --cert)' },
  { key: 'authSecret', flag: 'auth-secret', env: 'FLARE_AUTH_SECRET', kind: 'string', help: 'HS256 JWT secret; without it authentication is OFF' },
  {
    key: 'conflictPolicy',
    flag: 'conflict-policy',
    env: 'FLARE_CONFLICT_POLICY',
    kind: 'string',
    help: 'device conflicts: coexist | platform_exclusive | exclusive | client',
    choices: Object.values(ConflictPolicy),
  },
  { key: 'maxFrameBytes', flag: 'max-frame-bytes', env: 'FLARE_MAX_FRAME_BYTES', kind: 'bytes', help: 'largest frame accepted (e.g. 16MiB)' },
  { key: 'idleTimeoutMs', flag: 'idle-timeout', env: 'FLARE_IDLE_TIMEOUT', kind: 'duration', help: 'close connections silent this long (e.g. 300s)' },
  { key: 'handshakeTimeoutMs', flag: 'handshake-timeout', env: 'FLARE_HANDSHAKE_TIMEOUT', kind: 'duration', help: 'time allowed for CONNECT and NEGOTIATION_READY' },
  { key: 'rateLimitPerSec', flag: 'rate-limit', env: 'FLARE_RATE_LIMIT', kind: 'int', help: 'frames per second per connection (0: unlimited)' },
  { key: 'rateLimitBurst', flag: 'rate-burst', env: 'FLARE_RATE_BURST', kind: 'int', help: 'token bucket size per connection' },
  { key: 'sendQueueBytes', flag: 'send-queue', env: 'FLARE_SEND_QUEUE', kind: 'bytes', help: 'per-connection send queue bound (e.g. 8MiB)' },
  { key: 'historySize', flag: 'history-size', env: 'FLARE_HISTORY_SIZE', kind: 'int', help: 'messages kept per room for history and resume' },
  { key: 'replayLimit', flag: 'replay-limit', env: 'FLARE_REPLAY_LIMIT', kind: 'int', help: 'most messages replayed by one resume' },
  { key: 'presenceTtlMs', flag: 'presence-ttl', env: 'FLARE_PRESENCE_TTL', kind: 'duration', help: 'presence entry expiry unless refreshed' },
  { key: 'reconnectWindowMs', flag: 'reconnect-window', env: 'FLARE_RECONNECT_WINDOW', kind: 'duration', help: 'shutdown spreads reconnects over this window' },
  { key: 'shutdownGraceMs', flag: 'shutdown-grace', env: 'FLARE_SHUTDOWN_GRACE', kind: 'duration', help: 'longest wait for queues to drain at shutdown' },
  { key: 'devCertValidityMs', flag: 'dev-cert-validity', env: 'FLARE_DEV_CERT_VALIDITY', kind: 'duration', help: 'development certificate validity (under 14d)' },
  { key: 'staticDir', flag: 'static-dir', env: 'FLARE_STATIC_DIR', kind: 'path', help: "directory served at / ('' disables)" },
  { key: 'distDir', flag: 'dist-dir', env: 'FLARE_DIST_DIR', kind: 'path', help: "directory served at /dist/ ('' disables)" },
  { key: 'testMethods', flag: 'test-methods', env: 'FLARE_TEST_METHODS', kind: 'bool', help: 'enable test/bench helper RPC methods' },
  { key: 'allowBatching', flag: 'batching', env: 'FLARE_BATCHING', kind: 'bool', help: 'allow several frames per WebSocket message' },
  { key: 'logLevel', flag: 'log-level', env: 'FLARE_LOG_LEVEL', kind: 'string', help: 'debug | info | warn | error | silent', choices: Object.values(LogLevel) },
  { key: 'broker', flag: 'broker', env: 'FLARE_BROKER', kind: 'string', help: 'memory | redis (default: redis when --redis is given)', choices: Object.values(BrokerKind) },
  { key: 'redisUrl', flag: 'redis', env: 'REDIS_URL', kind: 'path', help: 'Redis URL for several processes as one server (redis://host:6379)' },
];

/** A configuration error: the message says which option and why. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

const UNITS_BYTES: Record<string, number> = { '': 1, b: 1, k: 1e3, kb: 1e3, kib: 1024, m: 1e6, mb: 1e6, mib: 1024 ** 2, g: 1e9, gb: 1e9, gib: 1024 ** 3 };
const UNITS_MS: Record<string, number> = { ms: 1, '': 1000, s: 1000, m: 60_000, h: 3_600_000, d: DAY };

function parseUnit(text: string, units: Record<string, number>, what: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const unit = m ? units[m[2]!.toLowerCase()] : undefined;
  if (!m || unit === undefined) throw new ConfigError(`${what}: cannot read '${text}'`);
  return Math.round(Number(m[1]) * unit);
}

function convert(opt: Option, raw: string, source: string): ServerConfig[keyof ServerConfig] {
  const what = `${source} ${opt.flag}`;
  switch (opt.kind) {
    case 'int': {
      if (!/^\d+$/.test(raw.trim())) throw new ConfigError(`${what}: expected a non-negative integer, got '${raw}'`);
      return Number(raw);
    }
    case 'bytes':
      return parseUnit(raw, UNITS_BYTES, what);
    case 'duration':
      return parseUnit(raw, UNITS_MS, what);
    case 'bool': {
      const v = raw.trim().toLowerCase();
      if (['1', 'true', 'yes', 'on', ''].includes(v)) return true;
      if (['0', 'false', 'no', 'off'].includes(v)) return false;
      throw new ConfigError(`${what}: expected true or false, got '${raw}'`);
    }
    case 'path':
      return raw === '' ? null : raw;
    case 'string':
      if (opt.choices && !opt.choices.includes(raw)) {
        throw new ConfigError(`${what}: expected one of ${opt.choices.join(', ')}, got '${raw}'`);
      }
      return raw;
  }
}

/** The result of reading argv: a config, or a request for help. */
export type ParsedArgs = { help: true } | { help: false; config: ServerConfig };

/**
 * Reads flags (`--port 8080`, `--port=8080`, `--no-test-methods`) over
 * environment variables over the defaults. Throws ConfigError on a bad value.
 */
export function parseConfig(argv: readonly string[], env: Readonly<Record<string, string | undefined>> = {}): ParsedArgs {
  const config: Record<string, unknown> = { ...DEFAULTS };
  for (const opt of OPTIONS) {
    const raw = opt.env ? env[opt.env] : undefined;
    if (raw !== undefined) config[opt.key] = convert(opt, raw, `environment ${opt.env} for`);
  }
  let certGiven = env.FLARE_CERT !== undefined;
  let httpTlsGiven = env.FLARE_HTTP_TLS !== undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') return { help: true };
    if (!arg.startsWith('--')) throw new ConfigError(`unexpected argument '${arg}' (see --help)`);
    let name = arg.slice(2);
    let value: string | undefined;
    const eq = name.indexOf('=');
    if (eq >= 0) {
      value = name.slice(eq + 1);
      name = name.slice(0, eq);
    }
    let opt = OPTIONS.find((o) => o.flag === name);
    if (!opt && name.startsWith('no-')) {
      opt = OPTIONS.find((o) => o.flag === name.slice(3) && o.kind === 'bool');
      if (opt && value === undefined) value = 'false';
    }
    if (!opt) throw new ConfigError(`unknown option --${name} (see --help)`);
    if (value === undefined) {
      const next = argv[i + 1];
      if (opt.kind === 'bool' && (next === undefined || next.startsWith('--'))) value = 'true';
      else if (next === undefined) throw new ConfigError(`--${name} needs a value`);
      else value = argv[++i]!;
    }
    config[opt.key] = convert(opt, value, 'option');
    if (opt.key === 'certFile') certGiven = true;
    if (opt.key === 'httpTls') httpTlsGiven = true;
  }
  const c = config as unknown as ServerConfig;
  if ((c.certFile === null) !== (c.keyFile === null)) throw new ConfigError('--cert and --key go together');
  if (certGiven && !httpTlsGiven && c.certFile !== null) c.httpTls = true;
  if (c.httpTls && c.certFile === null) throw new ConfigError('--http-tls needs --cert and --key (browsers do not trust the development certificate for HTTPS)');
  if (c.devCertValidityMs > 14 * DAY) throw new ConfigError('--dev-cert-validity: Chromium accepts certificate hashes only for certificates valid at most 14 days');
  if (c.maxFrameBytes < 1024) throw new ConfigError('--max-frame-bytes: at least 1KiB');
  if (c.broker === null && c.redisUrl !== null) c.broker = BrokerKind.REDIS;
  if (c.broker === BrokerKind.REDIS) c.redisUrl ??= 'redis://127.0.0.1:6379';
  return { help: false, config: c };
}

/** The `--help` text. */
export function helpText(): string {
  const lines = [
    'flare-web reference server (Deno): HTTP, WebSocket /ws and WebTransport /wt on one port number.',
    '',
    'usage: deno run --unstable-net -A server/main.ts [options]',
    '',
    'options (environment variable in brackets):',
  ];
  for (const o of OPTIONS) {
    const def = DEFAULTS[o.key];
    const shown = def === null ? '' : ` (default: ${typeof def === 'number' && o.kind === 'duration' ? `${def}ms` : String(def)})`;
    lines.push(`  --${o.flag.padEnd(20)} ${o.help}${shown}${o.env ? ` [${o.env}]` : ''}`);
  }
  lines.push('  --help                 this text', '', 'Boolean options also take --no-<name>. Sizes: 16MiB, 512k; durations: 300s, 5m, 1500ms (bare numbers are seconds).');
  return lines.join('\n');
}
