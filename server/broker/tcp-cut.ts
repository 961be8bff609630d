/**
 * A TCP forwarder for tests that can cut one process off from Redis while the
 * others keep it (a network partition): `cut()` drops every connection and
 * refuses new ones until `heal()`.
 */
import { freePort } from './redis-process.ts';

export class TcpCut {
  readonly port = freePort();
  #listener: Deno.Listener;
  #conns = new Set<Deno.Conn>();
  #cut = false;

  constructor(readonly targetPort: number) {
    this.#listener = Deno.listen({ hostname: '127.0.0.1', port: this.port });
    void this.#accept();
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async #accept(): Promise<void> {
    for (;;) {
      let conn: Deno.Conn;
      try {
        conn = await this.#listener.accept();
      } catch {
        return; // closed
      }
      if (this.#cut) {
        conn.close();
        continue;
      }
      void this.#pipe(conn);
    }
  }

  async #pipe(client: Deno.Conn): Promise<void> {
    let upstream: Deno.Conn;
    try {
      upstream = await Deno.connect({ hostname: '127.0.0.1', port: this.targetPort });
    } catch {
      client.close();
      return;
    }
    this.#conns.add(client);
    this.#conns.add(upstream);
    const close = () => {
      for (const c of [client, upstream]) {
        if (this.#conns.delete(c)) {
          try {
            c.close();
          } catch {
            // closed
          }
        }
      }
    };
    const copy = async (from: Deno.Conn, to: Deno.Conn) => {
      const buf = new Uint8Array(64 * 1024);
      try {
        for (;;) {
          const n = await from.read(buf);
          if (n === null) break;
          let off = 0;
          while (off < n) off += await to.write(buf.subarray(off, n));
        }
      } catch {
        // either side closed
      }
      close();
    };
    void copy(client, upstream);
    void copy(upstream, client);
  }

  /** Drops every forwarded connection and refuses new ones. */
  cut(): void {
    this.#cut = true;
    for (const c of [...this.#conns]) {
      this.#conns.delete(c);
      try {
        c.close();
      } catch {
        // closed
      }
    }
  }

  heal(): void {
    this.#cut = false;
  }

  close(): void {
    this.cut();
    this.#listener.close();
  }
}
