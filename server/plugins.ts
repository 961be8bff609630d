/**
 * Server plugins (the EchoStream seed's `ServerPlugin` and the builder's
 * `on_start` / `on_stop`): a named bundle that installs handlers and
 * middleware, and may start and stop with the server.
 *
 * ```ts
 * const audit: ServerPlugin = {
 *   name: 'audit',
 *   install(h) {
 *     h.addRpc('audit.count', () => ({ n }));
 *     h.use({ name: 'audit', processRequest: (f) => { n++; return f; } });
 *   },
 *   async onStart(ctx) { await openSink(); },
 *   async onStop(ctx) { await flushSink(); },
 * };
 * await startServer(config, { plugins: [audit] });
 * ```
 *
 * Order: every `install` in the order given (after the built-ins, before
 * `configure`); then every `onStart`, in order, before the server accepts
 * connections; at graceful shutdown, once the clients have been sent away,
 * every started plugin's `onStop` in the reverse order, while the broker is
 * still open. A failing `onStart` stops the plugins started before it and
 * fails `startServer`; a failing `onStop` is logged and the others still run.
 */
import { ErrorCode, FlareError } from '../src/codec/errors.ts';
import type { ServerContext } from './context.ts';
import type { Handlers } from './handlers.ts';
import type { Logger } from './log.ts';

export interface ServerPlugin {
  /** Unique among the server's plugins. */
  readonly name: string;
  /** Adds RPC methods, events, streams (`addRpc`, ...) and middleware (`use`). */
  install(handlers: Handlers, ctx: ServerContext): void;
  /** Before the server accepts connections; awaited. */
  onStart?(ctx: ServerContext): void | Promise<void>;
  /** During graceful shutdown, after the clients are gone; awaited. */
  onStop?(ctx: ServerContext): void | Promise<void>;
}

/** The plugins of one server and which of them have started. */
export class ServerPlugins {
  readonly #list: readonly ServerPlugin[];
  #started: ServerPlugin[] = [];

  /** Checks names (non-empty, unique) and shapes; FlareError INVALID_ARGUMENT naming the plugin. */
  constructor(list: readonly ServerPlugin[], private readonly log: Logger) {
    const seen = new Set<string>();
    for (const p of list) {
      if (!p || typeof p.name !== 'string' || p.name === '' || typeof p.install !== 'function') {
        throw new FlareError(ErrorCode.INVALID_ARGUMENT, 'a server plugin needs a non-empty name and an install(handlers, ctx) function');
      }
      if (seen.has(p.name)) throw new FlareError(ErrorCode.INVALID_ARGUMENT, `plugin "${p.name}" is given twice`, { details: { plugin: p.name } });
      seen.add(p.name);
    }
    this.#list = [...list];
  }

  get names(): string[] {
    return this.#list.map((p) => p.name);
  }

  /** Runs every `install`, in order. */
  install(handlers: Handlers, ctx: ServerContext): void {
    for (const p of this.#list) {
      try {
        p.install(handlers, ctx);
      } catch (cause) {
        throw wrap(p, 'install', cause);
      }
    }
  }

  /** Runs every `onStart`, in order; on a failure, stops the ones started and rejects naming the plugin. */
  async start(ctx: ServerContext): Promise<void> {
    for (const p of this.#list) {
      try {
        await p.onStart?.(ctx);
      } catch (cause) {
        await this.stop(ctx);
        throw wrap(p, 'onStart', cause);
      }
      this.#started.push(p);
      this.log.debug('plugin started', { plugin: p.name });
    }
  }

  /** Runs `onStop` of every started plugin, last started first. Never rejects. */
  async stop(ctx: ServerContext): Promise<void> {
    const started = this.#started.reverse();
    this.#started = [];
    for (const p of started) {
      try {
        await p.onStop?.(ctx);
      } catch (e) {
        this.log.error('plugin onStop failed', { plugin: p.name, err: e });
      }
    }
  }
}

function wrap(p: ServerPlugin, step: string, cause: unknown): FlareError {
  const why = cause instanceof Error ? cause.message : String(cause);
  const code = cause instanceof FlareError ? cause.code : ErrorCode.INTERNAL;
  return new FlareError(code, `plugin "${p.name}" failed in ${step}: ${why}`, { cause, details: { plugin: p.name, step } });
}
