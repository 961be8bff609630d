import { assert, assertEquals } from './testing/assert.ts';
import { ConfigError, DEFAULTS, helpText, parseConfig, type ServerConfig } from './config.ts';

const cfg = (argv: string[], env: Record<string, string> = {}): ServerConfig => {
  const r = parseConfig(argv, env);
  if (r.help) throw new Error('unexpected help');
  return r.config;
};

function throwsConfig(fn: () => unknown, pattern: RegExp): void {
  try {
    fn();
  } catch (e) {
    assert(e instanceof ConfigError, `a ConfigError, got ${e}`);
    assert(pattern.test(e.message), e.message);
    return;
  }
  throw new Error('expected a ConfigError');
}

Deno.test('config: embedded defaults', () => {
  const c = cfg([]);
  assertEquals([c.port, c.maxFrameBytes, c.idleTimeoutMs, c.authSecret, c.conflictPolicy, c.staticDir], [8080, 16 * 1024 * 1024, 300_000, null, 'client', 'demo']);
  assertEquals(c, { ...DEFAULTS });
});

Deno.test('config: flags over environment over defaults; units; --no- booleans', () => {
  const c = cfg(['--port', '9000', '--max-frame-bytes=2MiB', '--idle-timeout', '90s', '--no-test-methods', '--conflict-policy', 'exclusive'], {
    PORT: '7000',
    FLARE_AUTH_SECRET: 's3cret',
    FLARE_HANDSHAKE_TIMEOUT: '1500ms',
    FLARE_SEND_QUEUE: '512k',
  });
  assertEquals(c.port, 9000);
  assertEquals(c.maxFrameBytes, 2 * 1024 * 1024);
  assertEquals(c.idleTimeoutMs, 90_000);
  assertEquals(c.testMethods, false);
  assertEquals(c.conflictPolicy, 'exclusive');
  assertEquals(c.authSecret, 's3cret');
  assertEquals(c.handshakeTimeoutMs, 1500);
  assertEquals(c.sendQueueBytes, 512_000);
  assertEquals(cfg(['--idle-timeout', '5m']).idleTimeoutMs, 300_000);
  assertEquals(cfg(['--static-dir', '']).staticDir, null);
  // A real certificate turns HTTPS on unless told otherwise.
  assertEquals(cfg(['--cert', 'c.pem', '--key', 'k.pem']).httpTls, true);
  assertEquals(cfg(['--cert', 'c.pem', '--key', 'k.pem', '--no-http-tls']).httpTls, false);
});

Deno.test('config: bad values are clear errors; --help', () => {
  throwsConfig(() => cfg(['--port', 'eighty']), /port.*non-negative integer/);
  throwsConfig(() => cfg(['--conflict-policy', 'maybe']), /one of coexist, platform_exclusive, exclusive, client/);
  throwsConfig(() => cfg(['--bogus']), /unknown option --bogus/);
  throwsConfig(() => cfg(['--cert', 'c.pem']), /--cert and --key go together/);
  throwsConfig(() => cfg(['--dev-cert-validity', '20d']), /14 days/);
  throwsConfig(() => cfg(['--max-frame-bytes', '12 parsecs']), /cannot read/);
  throwsConfig(() => cfg([], { FLARE_RATE_LIMIT: '-1' }), /FLARE_RATE_LIMIT/);
  assertEquals(parseConfig(['--help']), { help: true });
  const help = helpText();
  for (const flag of ['--port', '--auth-secret', '--max-frame-bytes', '--idle-timeout', '--conflict-policy', '--static-dir', 'FLARE_AUTH_SECRET']) {
    assert(help.includes(flag), `help mentions ${flag}`);
  }
});

Deno.test('main.ts --help prints the options and exits 0', async () => {
  const out = await new Deno.Command(Deno.execPath(), { args: ['run', '--unstable-net', '-A', new URL('./main.ts', import.meta.url).pathname, '--help'], stdout: 'piped', stderr: 'piped' }).output();
  assertEquals(out.code, 0);
  assert(new TextDecoder().decode(out.stdout).includes('--conflict-policy'));
  const bad = await new Deno.Command(Deno.execPath(), { args: ['run', '--unstable-net', '-A', new URL('./main.ts', import.meta.url).pathname, '--port', 'x'], stdout: 'piped', stderr: 'piped' }).output();
  assertEquals(bad.code, 2);
  assert(new TextDecoder().decode(bad.stderr).includes('non-negative integer'));
});
