/**
 * One connection for every tab of an origin. In a SharedWorker each page
 * connects its own MessagePort; the hub gives each port a view of the one
 * engine (`SharedPortApi`) and keeps the pages from stepping on each other:
 *
 * - events go to every page (cloned for all but the last, which gets the
 *   transferred buffers: a buffer can be transferred only once);
 * - the connection stays up while any page wants it (`connect` / `disconnect`
 *   are counted per page), and rooms stay tracked while any page tracks them;
 * - the token comes from the first page that supplies a provider and is
 *   still alive;
 * - a page that goes away without saying so (closed tab, crash) is noticed
 *   through a Web Lock it holds for its lifetime (`watchLock`): when the
 *   worker can take the lock, the page is gone and its port is released;
 * - a room or direct message one page sent is shown to the other pages when
 *   the server ACKs it (the server does not echo a message to the connection
 *   that sent it, and here that connection is every tab's).
 */
import { ErrorCode, FlareError } from '../codec/errors.ts';
import type { EventSink, FlareWorkerApi, InboundMessage, OutboundMessage, RemoteTokenProvider, SessionOptions, SharedPortApi, WorkerEvent } from './api.ts';

interface Port {
  sink: EventSink | null;
  provider: RemoteTokenProvider | null;
  wants: boolean;
  rooms: Set<string>;
  released: boolean;
  /** Resolves when the port is released (pending token requests give up on it). */
  gone: Promise<void>;
  markGone: () => void;
}

/** Options of {@link createHub}. */
export interface HubOptions {
  /** Web Locks (default `navigator.locks` where it exists). */
  locks?: { request(name: string, fn: () => unknown): Promise<unknown> } | null;
}

/** The shared engine and its pages. */
export interface Hub {
  /** A new page's view of the engine (expose it on the page's port). */
  attach(): SharedPortApi;
  /** Pages attached and not released. */
  readonly pages: number;
}

/** Wraps `engine` for sharing among pages. */
export function createHub(engine: FlareWorkerApi, options: HubOptions = {}): Hub {
  const locks = options.locks === undefined ? ((globalThis.navigator as { locks?: HubOptions['locks'] } | undefined)?.locks ?? null) : options.locks;
  const ports = new Set<Port>();
  const roomCounts = new Map<string, number>();
  let initOptions: SessionOptions | null = null;
  let initializing: Promise<void> | null = null;
  /** Room and direct messages sent by one page, until ACKed: the other pages are shown them then. */
  const sentBy = new Map<string, { port: Port; message: OutboundMessage }>();
  let userId = '';
  let transport: InboundMessage['transport'] = 'websocket';

  const deliver = (p: Port, events: WorkerEvent[]) => {
    try {
      void Promise.resolve(p.sink!(events)).catch(() => {});
    } catch {
      // a page that cannot receive any more; its lock releases it
    }
  };

  const fanout: EventSink = (events: WorkerEvent[]) => {
    const live = [...ports].filter((p) => p.sink);
    const echoes: Array<{ port: Port; event: WorkerEvent }> = [];
    for (const e of events) {
      if (e.type === 'connected') ({ userId, transport } = e);
      if (e.type !== 'acked' && e.type !== 'failed') continue;
      const sent = sentBy.get(e.id);
      sentBy.delete(e.id);
      if (sent && e.type === 'acked') echoes.push({ port: sent.port, event: { type: 'message', message: echoOf(e.id, sent.message, e.seq ?? 0, userId, transport) } });
    }
    // Clones first: the original's buffers are transferred with the last delivery.
    const batches = live.map((_, i) => (i === live.length - 1 ? events : structuredClone(events)));
    live.forEach((p, i) => deliver(p, batches[i]!));
    for (const { port, event } of echoes) for (const p of live) if (p !== port) deliver(p, [event]);
  };

  const sharedProvider: RemoteTokenProvider = async (ctx) => {
    for (;;) {
      const p = [...ports].find((q) => q.provider && !q.released);
      if (!p) return null;
      const answer = await Promise.race([p.provider!(ctx).then((value) => ({ value })), p.gone.then(() => null)]);
      if (answer) return answer.value;
    }
  };

  const wanted = () => [...ports].some((p) => p.wants);

  const track = (room: string, lastSeq: number | null) => {
    const n = roomCounts.get(room) ?? 0;
    roomCounts.set(room, n + 1);
    if (n === 0) engine.trackRoom(room, lastSeq);
  };
  const untrack = (room: string) => {
    const n = (roomCounts.get(room) ?? 0) - 1;
    if (n > 0) return roomCounts.set(room, n);
    roomCounts.delete(room);
    try {
      engine.untrackRoom(room);
    } catch {
      // not initialised
    }
  };

  const release = async (port: Port): Promise<void> => {
    if (port.released) return;
    port.released = true;
    port.markGone();
    ports.delete(port);
    for (const room of port.rooms) untrack(room);
    port.rooms.clear();
    port.sink = null;
    port.provider = null;
    const wasWanted = port.wants;
    port.wants = false;
    if (wasWanted && !wanted() && initOptions) await engine.disconnect();
  };

  return {
    get pages() {
      return ports.size;
    },
    attach(): SharedPortApi {
      let markGone!: () => void;
      const gone = new Promise<void>((r) => (markGone = r));
      const port: Port = { sink: null, provider: null, wants: false, rooms: new Set(), released: false, gone, markGone };
      ports.add(port);
      const alive = () => {
        if (port.released) throw new FlareError(ErrorCode.INVALID_STATE, 'this page released the shared connection');
      };
      return {
        async init(o: SessionOptions, sink: EventSink, tokenProvider: RemoteTokenProvider | null): Promise<void> {
          alive();
          if (initOptions && (initOptions.url !== o.url || (initOptions.userId ?? null) !== (o.userId ?? null))) {
            throw new FlareError(ErrorCode.INVALID_STATE, `the shared connection serves ${initOptions.url} as ${initOptions.userId ?? 'anonymous'}; use shared: false for another server or user`, {
              details: { url: initOptions.url, userId: initOptions.userId ?? null },
            });
          }
          port.provider = tokenProvider;
          if (!initializing) {
            initOptions = o;
            initializing = engine.init(o, fanout, tokenProvider ? sharedProvider : null).catch((e) => {
              initOptions = null;
              initializing = null;
              throw e;
            });
          }
          await initializing;
          port.sink = sink;
        },
        connect(): Promise<void> {
          alive();
          port.wants = true;
          return engine.connect();
        },
        async disconnect(): Promise<void> {
          port.wants = false;
          if (!wanted()) await engine.disconnect();
        },
        async send(m) {
          alive();
          const receipt = await engine.send(m);
          const kind = m.kind ?? 'payload';
          if (ports.size > 1 && receipt.state === 'queued' && kind === 'payload' && (m.room !== undefined || m.to !== undefined)) sentBy.set(receipt.id, { port, message: m });
          return receipt;
        },
        trackRoom(room, lastSeq) {
          alive();
          if (port.rooms.has(room)) return;
          port.rooms.add(room);
          track(room, lastSeq);
        },
        untrackRoom(room) {
          if (!port.rooms.delete(room)) return;
          untrack(room);
        },
        roomUsers: (room) => roomCounts.get(room) ?? 0,
        pageSignal: (signal) => engine.pageSignal(signal),
        switchTransport: (kind) => engine.switchTransport(kind),
        stats: () => engine.stats(),
        watchLock(name: string): void {
          void locks?.request(name, () => release(port));
        },
        release: () => release(port),
        pages: () => ports.size,
      };
    },
  };
}

/** The message the other pages see for one this page sent (as the server would deliver it to them). */
function echoOf(id: string, m: OutboundMessage, seq: number, from: string, transport: InboundMessage['transport']): InboundMessage {
  const metadata: Record<string, string> = { ...(m.metadata ?? {}), from };
  if (m.room !== undefined) metadata.room = m.room;
  if (m.to !== undefined) metadata.to = m.to;
  return {
    id,
    kind: 'payload',
    type: m.type ?? 1,
    name: '',
    room: m.room ?? null,
    from,
    to: m.to ?? null,
    seq,
    history: false,
    timestamp: Date.now(),
    payload: m.payload ?? new Uint8Array(0),
    metadata,
    transport,
  };
}
