/**
 * RPC to a user wherever they are connected: the request goes out on the
 * broker's `rpc` channel (every process listens), each process holding an
 * open connection of that user asks its newest one (`flare.rpc.req`, as
 * `test.call_me` does), and the answer comes back on the caller's own
 * `node:<serverId>` channel; the first answer wins. With the in-memory broker
 * this is simply the one process; with Redis it crosses processes.
 *
 * Built-in method `user.call {user, method, body?, timeout_ms?}` -> `{answer}`
 * (the callee's result as text); errors keep the callee's code, or
 * `request_timeout` when no connection of the user answered in time.
 */
import { ErrorCode, FlareError } from '../src/codec/errors.ts';
import { Keys, type BrokerMessage, type Unsubscribe } from './broker/broker.ts';
import type { ServerContext } from './context.ts';
import type { Handlers } from './handlers.ts';
import type { Session } from './session.ts';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

interface Pending {
  resolve: (body: Uint8Array) => void;
  reject: (e: FlareError) => void;
  timer: ReturnType<typeof setTimeout>;
}

export class UserRpc {
  readonly #pending = new Map<string, Pending>();
  readonly #subs: Unsubscribe[] = [];
  #next = 0;

  constructor(private readonly ctx: ServerContext) {}

  async start(): Promise<void> {
    this.#subs.push(await this.ctx.broker.subscribe(Keys.rpc, (m) => this.#onRequest(m)));
    this.#subs.push(await this.ctx.broker.subscribe(Keys.node(this.ctx.serverId), (m) => this.#onResult(m)));
  }

  /** Calls `method` on a connection of `userId`, in whichever process it is. */
  call(userId: string, method: string, body: Uint8Array, timeoutMs = 10_000): Promise<Uint8Array> {
    const id = `${this.ctx.serverId}-u${++this.#next}`;
    return new Promise<Uint8Array>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new FlareError(ErrorCode.REQUEST_TIMEOUT, `no connection of user '${userId}' answered ${method} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#pending.set(id, { resolve, reject, timer });
      this.ctx.broker
        .publish(Keys.rpc, { kind: 'rpc', id, origin: this.ctx.serverId, userId, method, body, timeoutMs })
        .catch((e) => this.#settle(id, null, new FlareError(ErrorCode.UNAVAILABLE, `cannot reach other processes: ${(e as Error).message}`)));
    });
  }

  #settle(id: string, body: Uint8Array | null, error: FlareError | null): void {
    const p = this.#pending.get(id);
    if (!p) return; // answered already (first answer wins) or timed out
    this.#pending.delete(id);
    clearTimeout(p.timer);
    if (error) p.reject(error);
    else p.resolve(body!);
  }

  #onRequest(m: BrokerMessage): void {
    if (m.kind !== 'rpc') return;
    let target: Session | null = null;
    for (const s of this.ctx.hub.sessions.values()) {
      if (s.userId === m.userId && s.isOpen && (!target || s.createdAt >= target.createdAt)) target = s;
    }
    if (!target) return;
    const reply = (r: Omit<Extract<BrokerMessage, { kind: 'rpc-result' }>, 'kind' | 'id'>) =>
      this.ctx.broker.publish(Keys.node(m.origin), { kind: 'rpc-result', id: m.id, ...r }).catch((e) => this.ctx.log.warn('user rpc answer lost', { err: e }));
    target.rpc.request(m.method, m.body, m.timeoutMs).then(
      (body) => reply({ body }),
      (e) => reply({ body: new Uint8Array(0), error: e instanceof FlareError ? e.code : ErrorCode.INTERNAL, message: e instanceof Error ? e.message : String(e) }),
    );
  }

  #onResult(m: BrokerMessage): void {
    if (m.kind !== 'rpc-result') return;
    if (m.error) this.#settle(m.id, null, new FlareError(m.error as ErrorCode, m.message ?? m.error));
    else this.#settle(m.id, m.body, null);
  }

  async stop(): Promise<void> {
    for (const p of this.#pending.values()) {
      clearTimeout(p.timer);
      p.reject(new FlareError(ErrorCode.TRANSPORT_CLOSED, 'the server is shutting down'));
    }
    this.#pending.clear();
    for (const u of this.#subs.splice(0)) await u().catch(() => {});
  }
}

/** Registers `user.call` and starts listening for RPCs to this process's users. */
export async function installUserRpc(handlers: Handlers, ctx: ServerContext): Promise<UserRpc> {
  const rpc = new UserRpc(ctx);
  await rpc.start();
  handlers.addRpc('user.call', async ({ body }) => {
    const b = body.json<{ user?: unknown; method?: unknown; body?: unknown; timeout_ms?: unknown }>();
    if (typeof b.user !== 'string' || b.user === '') throw new FlareError(ErrorCode.INVALID_ARGUMENT, 'user must be a non-empty string');
    if (typeof b.method !== 'string' || b.method === '') throw new FlareError(ErrorCode.INVALID_ARGUMENT, 'method must be a non-empty string');
    const t = b.timeout_ms ?? 10_000;
    if (typeof t !== 'number' || !Number.isInteger(t) || t < 1 || t > 60_000) throw new FlareError(ErrorCode.INVALID_ARGUMENT, 'timeout_ms must be an integer in [1, 60000]');
    const arg = typeof b.body === 'string' ? encoder.encode(b.body) : encoder.encode(JSON.stringify(b.body ?? null));
    return { answer: decoder.decode(await rpc.call(b.user, b.method, arg, t)) };
  });
  return rpc;
}
