/**
 * WebSocket transport (`GET /ws`): one binary message per frame, as flare-core
 * has it, or several length-prefixed frames per message once batching is
 * negotiated. Text messages are read as UTF-8 bytes (JSON frames sent as text).
 */
import type { ServerContext } from '../context.ts';
import { joinFrames } from '../framing.ts';
import { TransportKind, type Link } from '../link.ts';
import { Session } from '../session.ts';

const encoder = new TextEncoder();

/** Closes reasons are limited to 123 bytes of UTF-8. */
function clip(reason: string): string {
  let r = reason;
  while (encoder.encode(r).length > 123) r = r.slice(0, -1);
  return r;
}

class WebSocketLink implements Link {
  readonly transport = TransportKind.WEBSOCKET;
  readonly done: Promise<void>;
  /** Called by the socket's close event. */
  settle: () => void = () => {};
  #closed = false;

  constructor(
    private readonly socket: WebSocket,
    readonly remoteAddr: string,
  ) {
    this.done = new Promise((r) => (this.settle = r));
  }

  write(frames: readonly Uint8Array[], batched: boolean): number {
    if (this.#closed || this.socket.readyState !== WebSocket.OPEN) return 0;
    if (batched) {
      const msg = joinFrames(frames);
      this.socket.send(msg);
      return msg.length;
    }
    let n = 0;
    for (const f of frames) {
      this.socket.send(f as Uint8Array<ArrayBuffer>);
      n += f.length;
    }
    return n;
  }

  get backlog(): number {
    return this.socket.bufferedAmount;
  }

  whenBelow(bytes: number, fn: () => void): void {
    // WebSocket has no drain event: poll bufferedAmount while congested.
    const check = () => {
      if (this.#closed || this.socket.bufferedAmount < bytes) fn();
      else setTimeout(check, 5);
    };
    setTimeout(check, 1);
  }

  close(code: number, reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.socket.readyState === WebSocket.OPEN || this.socket.readyState === WebSocket.CONNECTING) {
      try {
        this.socket.close(code, clip(reason));
      } catch {
        // already closing
      }
    }
  }
}

/** Upgrades a request to a WebSocket served by a new Session; returns the 101 response. */
export function acceptWebSocket(req: Request, ctx: ServerContext, remoteAddr: string): Response {
  // Deno's own ping/pong timeout is off: flare-core clients PING every 30 s, and the session closes
  // connections silent for --idle-timeout (a busy client that answers transport pings late is not dead).
  const { socket, response } = Deno.upgradeWebSocket(req, { idleTimeout: 0 });
  socket.binaryType = 'arraybuffer';
  const link = new WebSocketLink(socket, remoteAddr);
  let session: Session | null = null;
  socket.onopen = () => {
    session = new Session(ctx, link);
  };
  socket.onmessage = (ev: MessageEvent) => {
    const data = ev.data;
    session?.receive(typeof data === 'string' ? encoder.encode(data) : new Uint8Array(data as ArrayBuffer));
  };
  socket.onclose = (ev: CloseEvent) => {
    link.settle();
    session?.closed(ev.code, ev.reason || 'closed by peer');
  };
  socket.onerror = () => {
    // onclose follows
  };
  return response;
}
