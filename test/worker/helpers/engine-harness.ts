/**
 * Integration-test helpers: an engine (engine.ts) in this page, talking to the
 * real reference server started by scripts/test.mjs, with its events
 * collected, plus RPC over the session (the server's built-in methods).
 */
import { createEngine, type EngineDeps } from '../../../src/worker/engine.ts';
import type { InboundMessage, SessionOptions, WorkerEvent } from '../../../src/worker/api.ts';
import { ExtCommand } from '../../../src/protocol/extensions.ts';

interface FlareTestConfig {
  serverUrl: string | null;
  certHash: string | null;
}

/** The server started for the test run, or null (then integration tests skip). */
export function testServer(): FlareTestConfig {
  return (globalThis as unknown as { __FLARE_TEST__?: FlareTestConfig }).__FLARE_TEST__ ?? { serverUrl: null, certHash: null };
}

const enc = new TextEncoder();
const dec = new TextDecoder();
let rpcCounter = 0;

export class Harness {
  readonly engine: ReturnType<typeof createEngine>;
  readonly events: WorkerEvent[] = [];
  readonly #watchers = new Set<() => void>();

  constructor(deps: EngineDeps = {}) {
    this.engine = createEngine(deps);
  }

  /** Creates and inits an engine for the test server (persistOutbox off unless asked). */
  static async create(
    options: Partial<SessionOptions> = {},
    tokenProvider: Parameters<ReturnType<typeof createEngine>['init']>[2] = null,
    deps: EngineDeps = {},
  ): Promise<Harness> {
    const h = new Harness(deps);
    const { serverUrl, certHash } = testServer();
    await h.engine.init({ url: serverUrl!, certHash, persistOutbox: false, ...options }, (batch) => h.#push(batch), tokenProvider);
    return h;
  }

  #push(batch: WorkerEvent[]): void {
    this.events.push(...batch);
    for (const w of [...this.#watchers]) w();
  }

  /** Events of one type. */
  of<T extends WorkerEvent['type']>(type: T): Array<Extract<WorkerEvent, { type: T }>> {
    return this.events.filter((e): e is Extract<WorkerEvent, { type: T }> => e.type === type);
  }

  /** Messages received, optionally filtered. */
  messages(filter: (m: InboundMessage) => boolean = () => true): InboundMessage[] {
    return this.of('message').map((e) => e.message).filter(filter);
  }

  /** Resolves when `cond()` holds (checked on every event batch), or rejects after `timeoutMs`. */
  until(cond: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
    if (cond()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!cond()) return;
        this.#watchers.delete(check);
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.#watchers.delete(check);
        reject(new Error(`timed out waiting for ${what}; last events: ${JSON.stringify(this.events.slice(-5).map((e) => e.type))}`));
      }, timeoutMs);
      this.#watchers.add(check);
    });
  }

  /** Calls a server method (flare.rpc.req) and resolves with the parsed JSON result. */
  async rpc<T = unknown>(method: string, body: unknown = {}, timeoutMs = 10_000): Promise<T> {
    const id = `t${++rpcCounter}`;
    await this.engine.send({ kind: 'custom', name: ExtCommand.RPC_REQUEST, metadata: { id, method }, payload: enc.encode(JSON.stringify(body)), reliable: false });
    const isRes = (m: InboundMessage) => m.kind === 'custom' && m.name === ExtCommand.RPC_RESPONSE && m.metadata.id === id;
    await this.until(() => this.messages(isRes).length > 0, timeoutMs, `rpc ${method}`);
    const res = this.messages(isRes)[0]!;
    if (res.metadata.error) throw new Error(`${res.metadata.error}: ${res.metadata.error_message}`);
    return JSON.parse(dec.decode(res.payload || new Uint8Array())) as T;
  }

  async close(): Promise<void> {
    await this.engine.close();
  }
}

export const text = (s: string) => enc.encode(s);
export const untext = (b: Uint8Array) => dec.decode(b);
