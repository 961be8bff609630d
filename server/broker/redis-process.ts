/**
 * A throwaway `redis-server` for tests and benchmarks: a free port, no
 * persistence (`--save '' --appendonly no`), stop and restart on the same port.
 */

const CANDIDATES = ['/usr/bin/redis-server', '/usr/local/bin/redis-server', '/usr/sbin/redis-server', '/opt/homebrew/bin/redis-server'];

/** The redis-server binary: REDIS_SERVER, a usual location, or on PATH; null when absent. */
export function findRedisServer(): string | null {
  const env = Deno.env.get('REDIS_SERVER');
  const list = env ? [env, ...CANDIDATES] : CANDIDATES;
  for (const p of list) {
    try {
      if (Deno.statSync(p).isFile) return p;
    } catch {
      // not there
    }
  }
  for (const dir of (Deno.env.get('PATH') ?? '').split(':')) {
    if (!dir) continue;
    try {
      const p = `${dir}/redis-server`;
      if (Deno.statSync(p).isFile) return p;
    } catch {
      // not there
    }
  }
  return null;
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): number {
  const l = Deno.listen({ hostname: '127.0.0.1', port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

async function ping(port: number): Promise<boolean> {
  try {
    const conn = await Deno.connect({ hostname: '127.0.0.1', port });
    try {
      await conn.write(new TextEncoder().encode('PING\r\n'));
      const buf = new Uint8Array(16);
      const n = await conn.read(buf);
      return n !== null && new TextDecoder().decode(buf.subarray(0, n)).startsWith('+PONG');
    } finally {
      conn.close();
    }
  } catch {
    return false;
  }
}

export class RedisProcess {
  #child: Deno.ChildProcess | null = null;

  private constructor(
    readonly binary: string,
    readonly port: number,
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.#child !== null;
  }

  /** Starts a redis-server on a free port (or `port`) and waits until it answers PING. */
  static async start(binary: string, port = freePort()): Promise<RedisProcess> {
    const r = new RedisProcess(binary, port);
    await r.restart();
    return r;
  }

  /** (Re)starts the server on the same port; it comes back empty. */
  async restart(): Promise<void> {
    if (this.#child) return;
    this.#child = new Deno.Command(this.binary, {
      args: ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--loglevel', 'warning', '--protected-mode', 'no'],
      stdout: 'null',
      stderr: 'null',
    }).spawn();
    const deadline = Date.now() + 10_000;
    while (!(await ping(this.port))) {
      if (Date.now() > deadline) throw new Error(`redis-server did not answer on port ${this.port}`);
      await new Promise((r) => setTimeout(r, 30));
    }
  }

  /** Freezes the server (SIGSTOP): connections stay open but nothing answers, like a hung host. */
  pause(): void {
    this.#child?.kill('SIGSTOP');
  }

  resume(): void {
    this.#child?.kill('SIGCONT');
  }

  /** Stops it at once (SIGKILL: as abrupt as a crash; nothing is saved anyway). */
  async stop(): Promise<void> {
    const c = this.#child;
    if (!c) return;
    this.#child = null;
    try {
      c.kill('SIGCONT');
      c.kill('SIGKILL');
    } catch {
      // already gone
    }
    await c.status;
  }
}
