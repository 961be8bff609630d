/**
 * Connection hooks (the EchoStream seed's `on_connect` / `on_disconnect`):
 * `Handlers.onConnect(fn)` runs when a connection opens (handshake done,
 * NEGOTIATION_READY received), `Handlers.onDisconnect(fn)` when that
 * connection closes, for any reason. Only connections that opened get an
 * `onDisconnect`. Hooks run in the order added and are not awaited by the
 * connection (frames keep flowing); a throw or rejection is logged.
 */
import type { Session } from './session.ts';

export interface ConnectContext {
  session: Session;
}

export interface DisconnectContext {
  session: Session;
  /** The close code (link.ts `CloseCode`) and reason. */
  code: number;
  reason: string;
}

export type ConnectHook = (ctx: ConnectContext) => void | Promise<void>;
export type DisconnectHook = (ctx: DisconnectContext) => void | Promise<void>;

/** The hooks of one server. */
export class SessionHooks {
  readonly connect: ConnectHook[] = [];
  readonly disconnect: DisconnectHook[] = [];

  /** A connection opened. */
  opened(session: Session): void {
    for (const h of this.connect) run(session, 'onConnect', () => h({ session }));
  }

  /** An opened connection closed. */
  closed(session: Session, code: number, reason: string): void {
    for (const h of this.disconnect) run(session, 'onDisconnect', () => h({ session, code, reason }));
  }
}

function run(session: Session, hook: string, fn: () => void | Promise<void>): void {
  const fail = (e: unknown) => session.ctx.log.error('connection hook failed', { hook, err: e, connection: session.id });
  try {
    const r = fn();
    if (r && typeof (r as Promise<void>).then === 'function') (r as Promise<void>).catch(fail);
  } catch (e) {
    fail(e);
  }
}
