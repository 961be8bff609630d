/**
 * WebTransport transport (`https://host:PORT/wt` over UDP, HTTP/3): the first
 * bidirectional stream the client opens carries the session, each frame with a
 * 4-byte big-endian length prefix (flare-core's QUIC framing). Datagrams are
 * echoed as they come, for the client's latency and loss probes.
 */
import type { ServerContext } from '../context.ts';
import { joinFrames, streamDeframer } from '../framing.ts';
import { CloseCode, TransportKind, type Link } from '../link.ts';
import { Session } from '../session.ts';
import type { TlsIdentity } from '../tls.ts';

type ServerWebTransport = WebTransport & { url: string };

/** How long a closing session lets its final stream bytes travel before the connection closes. */
const LINGER_MS = 100;

class StreamLink implements Link {
  readonly transport = TransportKind.WEBTRANSPORT;
  #inflight = 0;
  #closed = false;
  #waiters: Array<{ bytes: number; fn: () => void }> = [];

  constructor(
    private readonly wt: ServerWebTransport,
    private readonly writer: WritableStreamDefaultWriter<Uint8Array>,
    readonly remoteAddr: string,
  ) {
    this.done = wt.closed.then(
      () => {},
      () => {},
    );
  }

  readonly done: Promise<void>;

  write(frames: readonly Uint8Array[]): number {
    if (this.#closed) return 0;
    const buf = joinFrames(frames);
    this.#inflight += buf.length;
    this.writer.write(buf).then(
      () => {
        this.#inflight -= buf.length;
        this.#wake();
      },
      () => this.close(CloseCode.NORMAL, 'stream write failed'),
    );
    return buf.length;
  }

  get backlog(): number {
    return this.#inflight;
  }

  whenBelow(bytes: number, fn: () => void): void {
    if (this.#inflight < bytes || this.#closed) queueMicrotask(fn);
    else this.#waiters.push({ bytes, fn });
  }

  #wake(): void {
    if (!this.#waiters.length) return;
    const ready = this.#waiters.filter((w) => this.#inflight < w.bytes);
    this.#waiters = this.#waiters.filter((w) => this.#inflight >= w.bytes);
    for (const w of ready) w.fn();
  }

  close(code: number, reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w.fn();
    // Finish the stream (FIN) and give its last bytes a moment to be acknowledged: closing the
    // QUIC connection at once would abandon stream data still in flight (the ERROR or KICKED frame
    // that explains the close).
    const closeSession = () => {
      try {
        this.wt.close({ closeCode: code, reason: reason.slice(0, 1000) });
      } catch {
        // already closed
      }
    };
    this.writer.ready
      .then(() => this.writer.close())
      .catch(() => {})
      .finally(() => {
        const timer = setTimeout(closeSession, LINGER_MS);
        this.wt.closed.finally(() => clearTimeout(timer)).catch(() => {});
      });
  }
}

/** Accepts QUIC connections on the UDP port and serves WebTransport sessions on them. */
export class WebTransportServer {
  #endpoint: Deno.QuicEndpoint | null = null;
  #listener: Deno.QuicListener | null = null;
  #stopped = false;
  readonly #conns = new Set<Deno.QuicConn>();

  constructor(private readonly ctx: ServerContext) {}

  /** Binds the UDP port and starts accepting; throws when the port cannot be bound. */
  start(hostname: string, port: number, identity: TlsIdentity): void {
    this.#endpoint = new Deno.QuicEndpoint({ hostname, port });
    this.#listen(identity);
    void this.#acceptLoop();
  }

  /** Switches to a renewed certificate; open connections keep theirs. */
  relisten(identity: TlsIdentity): void {
    this.#listener?.stop();
    this.#listen(identity);
  }

  #listen(identity: TlsIdentity): void {
    this.#listener = this.#endpoint!.listen({ cert: identity.cert, key: identity.key, alpnProtocols: ['h3'] });
  }

  async #acceptLoop(): Promise<void> {
    while (!this.#stopped) {
      let incoming: Deno.QuicIncoming;
      try {
        // After a relisten the old listener's pending call still yields the next connection.
        incoming = await this.#listener!.incoming();
      } catch (e) {
        if (this.#stopped) return;
        this.ctx.log.warn('quic accept failed', { err: e });
        await new Promise((r) => setTimeout(r, 50));
        continue;
      }
      void this.#handle(incoming).catch((e) => this.ctx.log.debug('webtransport connection failed', { err: e }));
    }
  }

  async #handle(incoming: Deno.QuicIncoming): Promise<void> {
    const conn = await incoming.accept();
    this.#conns.add(conn);
    conn.closed.finally(() => this.#conns.delete(conn)).catch(() => {});
    const remote = `${conn.remoteAddr.hostname}:${conn.remoteAddr.port}`;
    const wt = (await Deno.upgradeWebTransport(conn)) as ServerWebTransport;
    await wt.ready;
    if (new URL(wt.url).pathname !== '/wt') {
      wt.close({ closeCode: 404, reason: 'not found (WebTransport is served at /wt)' });
      return;
    }
    void this.#echoDatagrams(wt);
    const reader = wt.incomingBidirectionalStreams.getReader();
    // A client that never opens its stream is closed after the handshake timeout.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const first = await Promise.race([
      reader.read(),
      new Promise<null>((r) => (timer = setTimeout(() => r(null), this.ctx.config.handshakeTimeoutMs))),
    ]);
    clearTimeout(timer);
    if (!first || first.done) {
      wt.close({ closeCode: CloseCode.HANDSHAKE_TIMEOUT, reason: 'no stream opened' });
      return;
    }
    reader.releaseLock();
    // Further bidirectional streams are not part of the protocol: refuse them.
    void (async () => {
      for await (const extra of wt.incomingBidirectionalStreams) {
        extra.readable.cancel().catch(() => {});
        extra.writable.abort().catch(() => {});
      }
    })().catch(() => {});
    await this.#serveStream(wt, first.value, remote);
  }

  async #serveStream(wt: ServerWebTransport, stream: WebTransportBidirectionalStream, remote: string): Promise<void> {
    const writer = stream.writable.getWriter();
    const link = new StreamLink(wt, writer, remote);
    const session = new Session(this.ctx, link);
    wt.closed.then(
      (info) => session.closed(info.closeCode ?? CloseCode.NORMAL, info.reason || 'closed'),
      () => session.closed(CloseCode.NORMAL, 'connection lost'),
    );
    const deframer = streamDeframer(this.ctx.config.maxFrameBytes);
    try {
      for await (const chunk of stream.readable) {
        const { frames, error, ended } = deframer.push(chunk);
        // The good frames first, also those before a bad length prefix in the same chunk.
        for (const f of frames) session.receive(f);
        if (error) {
          // A declared length over the limit: refused before buffering; the stream cannot be resynchronised.
          session.sendError(error.code, error.message);
          session.close(CloseCode.FRAME_TOO_LARGE, 'frame too large');
          return;
        }
        if (ended) {
          session.close(CloseCode.NORMAL, 'end of stream');
          return;
        }
      }
    } catch {
      // stream reset by the peer
    }
    session.close(CloseCode.NORMAL, 'stream closed');
  }

  async #echoDatagrams(wt: ServerWebTransport): Promise<void> {
    try {
      const writer = wt.datagrams.writable.getWriter();
      for await (const d of wt.datagrams.readable) await writer.write(d);
    } catch {
      // session over
    }
  }

  /** Stops accepting and closes every QUIC connection. */
  close(): void {
    this.#stopped = true;
    this.#listener?.stop();
    try {
      this.#endpoint?.close({ closeCode: 0, reason: 'server shutting down' });
    } catch {
      // already closed
    }
  }
}
