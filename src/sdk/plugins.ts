/**
 * Client plugins and lifecycle hooks (the EchoStream seed's `ClientPlugin`,
 * `on_connect`, `on_disconnect`). A plugin is a named bundle of builder
 * calls: its `install(builder)` adds middleware, options and hooks exactly as
 * an app would, so everything a plugin can do is also visible in the builder.
 *
 * ```ts
 * const tracing: ClientPlugin = {
 *   name: 'tracing',
 *   install: (b) => b.middleware({ name: 'trace', outgoing: (f) => ({ ...f, metadata: { ...f.metadata, trace: newId() } }) })
 *     .onConnect(({ event }) => console.log('up', event.connectionId)),
 * };
 * FlareClient.builder('alice', url).plugin(tracing).build();
 * ```
 */
import { ErrorCode, FlareError } from '../codec/errors.ts';
import type { FlareClientBuilder } from './builder.ts';
import type { FlareClient } from './client.ts';
import type { ClientEventMap } from './events.ts';

/** A named extension of the builder. Names are unique per builder. */
export interface ClientPlugin {
  readonly name: string;
  /** Adds what the plugin brings; returns the builder it was given (for chaining) or nothing. */
  install(builder: FlareClientBuilder): FlareClientBuilder | void;
}

/** What an `onConnect` hook receives: the client and its `connected` event. */
export interface ConnectHookContext {
  client: FlareClient;
  event: ClientEventMap['connected'];
}

/** What an `onDisconnect` hook receives: the client and the state change that left `connected`. */
export interface DisconnectHookContext {
  client: FlareClient;
  /** `to` is `reconnecting` (a drop; the client retries), `disconnected`, `failed` or `kicked`. */
  event: ClientEventMap['state'];
}

export type ConnectHook = (ctx: ConnectHookContext) => void | Promise<void>;
export type DisconnectHook = (ctx: DisconnectHookContext) => void | Promise<void>;

/** The hooks a builder collected, in the order they were added. */
export interface ClientHooks {
  connect: ConnectHook[];
  disconnect: DisconnectHook[];
}

/**
 * The seed's `ReconnectPlugin` (section 7.3): automatic reconnection as a
 * plugin. Reconnecting is already this SDK's default; the plugin makes it
 * explicit and sets the attempt limit (Infinity: keep trying).
 */
export function reconnectPlugin(options: { maxAttempts?: number } = {}): ClientPlugin {
  return {
    name: 'reconnect',
    install(b) {
      b.autoReconnect(true);
      if (options.maxAttempts !== undefined) b.maxReconnectAttempts(options.maxAttempts);
    },
  };
}

/** Checks a plugin's shape and that its name is new; the message names the plugin. */
export function checkPlugin(p: ClientPlugin, installed: ReadonlySet<string>): void {
  if (!p || typeof p.name !== 'string' || p.name === '' || typeof p.install !== 'function') {
    throw new FlareError(ErrorCode.INVALID_ARGUMENT, 'a plugin needs a non-empty name and an install(builder) function', { details: { option: 'plugin' } });
  }
  if (installed.has(p.name)) {
    throw new FlareError(ErrorCode.INVALID_ARGUMENT, `plugin "${p.name}" is already installed`, { details: { option: 'plugin', plugin: p.name } });
  }
}

/** Runs `p.install(builder)`; a throw or a foreign return value becomes INVALID_ARGUMENT naming the plugin. */
export function installPlugin(p: ClientPlugin, builder: FlareClientBuilder): void {
  let out: unknown;
  try {
    out = p.install(builder);
  } catch (cause) {
    const why = cause instanceof Error ? cause.message : String(cause);
    throw new FlareError(ErrorCode.INVALID_ARGUMENT, `plugin "${p.name}" failed to install: ${why}`, { cause, details: { option: 'plugin', plugin: p.name } });
  }
  if (out !== undefined && out !== builder) {
    throw new FlareError(ErrorCode.INVALID_ARGUMENT, `plugin "${p.name}": install() must return the builder it was given, or nothing`, { details: { option: 'plugin', plugin: p.name } });
  }
}

/** Checks a hook argument. */
export function checkHook(fn: unknown, which: string): void {
  if (typeof fn !== 'function') throw new FlareError(ErrorCode.INVALID_ARGUMENT, `${which} needs a function`, { details: { option: which } });
}

/**
 * Subscribes the hooks to a built client: `onConnect` on every `connected`
 * event (first connect, reconnect, and the new link after a transport
 * switch), `onDisconnect` whenever the state leaves `connected`. A hook that
 * throws or rejects is reported (`reportError`) and does not stop the others.
 */
export function attachHooks(client: FlareClient, hooks: ClientHooks): void {
  if (hooks.connect.length > 0) {
    const list = [...hooks.connect];
    client.on('connected', (event) => {
      for (const h of list) run(() => h({ client, event }));
    });
  }
  if (hooks.disconnect.length > 0) {
    const list = [...hooks.disconnect];
    client.on('state', (event) => {
      if (event.from !== 'connected' || event.to === 'connected') return;
      for (const h of list) run(() => h({ client, event }));
    });
  }
}

function run(fn: () => void | Promise<void>): void {
  try {
    const r = fn();
    if (r && typeof (r as Promise<void>).then === 'function') (r as Promise<void>).catch(report);
  } catch (e) {
    report(e);
  }
}

function report(e: unknown): void {
  const r = (globalThis as { reportError?: (e: unknown) => void }).reportError;
  if (r) r(e);
  else setTimeout(() => {
    throw e;
  });
}
