/**
 * The worker's API object (api.ts `FlareWorkerApi`): builds a session from
 * options with the real parts (codecs with the WASM core when it loads,
 * compressors, WebTransport and WebSocket transports, the IndexedDB outbox,
 * batched events) and forwards the calls. worker.ts exposes it through
 * comlink; tests also drive it over a MessageChannel in one window.
 */
import { loadCodecs } from '../codec/index.ts';
import { createCompressor, type CompressionName } from '../codec/compression.ts';
import { ErrorCode, FlareError } from '../codec/errors.ts';
import { ExtCommand } from '../protocol/extensions.ts';
import type { ConnectionStats, EventSink, FlareWorkerApi, InboundMessage, OutboundMessage, PageSignal, RemoteTokenProvider, SendReceipt, SessionOptions, WorkerEvent } from './api.ts';
import { systemClock, type Clock } from './clock.ts';
import { FetchedCertHash } from './cert-hash.ts';
import { EventBatcher } from './event-batcher.ts';
import { guarded } from './guarded.ts';
import { postWith } from './transfer-handlers.ts';
import type { LinkCodecs } from './link.ts';
import { resolveOptions } from './options.ts';
import { IdbOutboxStore } from './outbox-store.ts';
import { Session } from './session.ts';
import { openWinnerMemory } from './winner-store.ts';
import type { Transport, TransportKind } from './transport.ts';
import { WebSocketTransport } from './transports/websocket.ts';
import { WebTransportTransport } from './transports/webtransport.ts';

/** Seams for tests; production uses the defaults. */
export interface EngineDeps {
  clock?: Clock;
  /** Wraps every transport made (tests cut wires and inject bytes through it). */
  wrapTransport?: (transport: Transport) => Transport;
  /** The WebSocket and WebTransport constructors (default the browser's; benches play the server in the page). */
  WebSocketImpl?: typeof WebSocket;
  WebTransportImpl?: typeof WebTransport;
}

/** Creates the API object. Nothing happens until `init`. */
export function createEngine(deps: EngineDeps = {}): FlareWorkerApi & { close(): Promise<void> } {
  const clock = deps.clock ?? systemClock;
  let session: Session | null = null;
  let store: IdbOutboxStore | null = null;
  let batcher: EventBatcher<WorkerEvent> | null = null;
  const need = (): Session => {
    if (!session) throw new FlareError(ErrorCode.INVALID_STATE, 'init() must be called first');
    return session;
  };
  // The network coming and going, as the global the engine runs in hears it (a worker's or the page's
  // window, with inPage): a connection that may have died is checked at once.
  const network = (['online', 'offline'] as const).map((type) => [type, () => session?.pageSignal(type)] as const);
  const listen = (on: boolean) => {
    for (const [type, fn] of network) (on ? globalThis.addEventListener : globalThis.removeEventListener)?.call(globalThis, type, fn);
  };

  return {
    async init(options: SessionOptions, sink: EventSink, tokenProvider: RemoteTokenProvider | null): Promise<void> {
      if (session) throw new FlareError(ErrorCode.INVALID_STATE, 'init() was already called');
      const o = resolveOptions(options, () => crypto.randomUUID());
      // Three independent start-up steps (WASM compile, two IndexedDB opens) run side by side: the time to
      // the first connect is their longest, not their sum.
      const openStore = async (): Promise<IdbOutboxStore | null> => {
        if (!o.persistOutbox || !IdbOutboxStore.available) return null;
        try {
          return await IdbOutboxStore.open(`${o.url}|${o.userId ?? ''}`);
        } catch {
          return null; // private mode and the like: the outbox lives in memory only
        }
      };
      const storeOpening = openStore(); // never rejects, nor does openWinnerMemory
      const [loaded, opened, winnerMemory] = await Promise.all([loadCodecs({ preferWasm: o.preferWasm }), storeOpening, openWinnerMemory()]).catch(async (e: unknown) => {
        await (await storeOpening)?.close(); // the codecs failed: nothing may stay open
        throw e;
      });
      store = opened;
      const offered = (o.compression ?? ['lz4', 'gzip', 'none']).filter((n) => n === 'none' || ['gzip', 'lz4'].includes(n));
      const codecs: LinkCodecs = {
        json: loaded.json,
        protobuf: loaded.protobuf,
        compressions: offered,
        compressor: (name) => (name === 'none' ? null : createCompressor(name as CompressionName, { wasm: loaded.wasm })),
      };
      batcher = new EventBatcher<WorkerEvent>({ clock, urgent: isUrgent, deliver: (events, transfer) => guarded(() => deliverTo(sink, events, transfer)) });
      // One source for every WebTransport dial of this engine: a fetched hash serves the next dials too.
      const certHashSource = o.certHashUrl ? new FetchedCertHash({ url: o.certHashUrl, initial: o.certHash }) : null;
      session = new Session(
        { ...o, compression: offered },
        {
          clock,
          codecs,
          createTransport: (kind: TransportKind) => {
            // The JavaScript deframer on WebTransport: it hands out views into each read (no copy), and the
            // frames cross into WASM once, for decompression or decoding; the WASM one copies in and out first.
            const t: Transport =
              kind === 'webtransport'
                ? new WebTransportTransport(o.webTransportUrl, { certHash: o.certHash, certHashSource, WebTransportImpl: deps.WebTransportImpl })
                : new WebSocketTransport(o.websocketUrl, { WebSocketImpl: deps.WebSocketImpl });
            return deps.wrapTransport ? deps.wrapTransport(t) : t;
          },
          emit: (event, transfer) => batcher!.push(event, transfer),
          flush: () => batcher!.flush(),
          tokenProvider: tokenProvider ? (ctx) => tokenProvider(ctx) : null,
          outboxStore: store,
          winnerMemory,
        },
      );
      if (store) session.restoreOutbox(await store.claim());
      listen(true);
    },
    connect: () => need().connect(),
    disconnect: () => need().disconnect(),
    async send(message: OutboundMessage): Promise<SendReceipt> {
      return need().send(message);
    },
    openRequestPort(port: MessagePort): void {
      port.onmessage = (e: MessageEvent) => {
        const m = e.data as OutboundMessage;
        try {
          need().send(m);
        } catch (err) {
          batcher?.push({ type: 'message', message: failedRequest(m, err) });
        }
      };
    },
    trackRoom: (room, lastSeq) => need().trackRoom(room, lastSeq),
    untrackRoom: (room) => need().untrackRoom(room),
    pageSignal: (signal: PageSignal) => need().pageSignal(signal),
    switchTransport: (kind) => need().switchTransport(kind),
    stats: (): ConnectionStats => need().stats(),
    async close(): Promise<void> {
      listen(false);
      if (session) await session.disconnect();
      batcher?.flush();
      await store?.close();
    },
  };
}

/** The answer to an RPC request sent on the request port that could not be sent: an error answer for its id. */
function failedRequest(m: OutboundMessage, err: unknown): InboundMessage {
  const e = FlareError.is(err) ? err : new FlareError(ErrorCode.INTERNAL, String((err as Error)?.message ?? err));
  return {
    id: `failed-${m.metadata?.id ?? ''}`,
    kind: 'custom',
    type: 0,
    name: ExtCommand.RPC_RESPONSE,
    room: null,
    from: null,
    to: null,
    seq: 0,
    history: false,
    timestamp: Date.now(),
    payload: new Uint8Array(0),
    metadata: { id: m.metadata?.id ?? '', error: e.code, error_message: e.message },
    transport: 'websocket',
  };
}

/**
 * Events a caller is waiting on go out at the end of the task even while a
 * flood keeps the batcher busy: everything but messages and delivery progress
 * (nobody awaits `sent`; it rides with the next batch), and RPC answers.
 */
function isUrgent(e: WorkerEvent): boolean {
  if (e.type === 'message') return e.message.kind === 'custom' && e.message.name === ExtCommand.RPC_RESPONSE;
  return e.type !== 'delivery';
}

/** A one-way channel (worker-link.ts) gets a plain postMessage with the transfer list; anything else a call. */
function deliverTo(sink: EventSink, events: WorkerEvent[], transfer: Transferable[]): void {
  if (!postWith(sink, events, transfer)) void sink(transfer.length ? transferList(events, transfer) : events);
}

/**
 * Marks the batch for transfer. The sink is usually a comlink proxy, which
 * transfers what `Comlink.transfer` registered; a plain function gets the
 * events as they are (same realm, nothing to transfer).
 */
let transferList: (events: WorkerEvent[], transfer: Transferable[]) => WorkerEvent[] = (events) => events;

/** Installs the transfer marker (worker.ts passes `Comlink.transfer`). */
export function useTransfer(fn: (events: WorkerEvent[], transfer: Transferable[]) => WorkerEvent[]): void {
  transferList = fn;
}
