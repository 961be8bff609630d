/**
 * How elements used from a script tag get a client from their attributes (`server-url`, `user`,
 * `token`): the SDK registers a factory here when it is loaded (`setClientFactory`), so elements do
 * not import the SDK's connection code themselves and stay usable with a `client` property alone.
 */

/** What elements pass to the factory. */
export interface ClientConnectOptions {
  serverUrl: string;
  user?: string;
  token?: string;
}

/** Makes a client from attributes; the returned object is whatever the SDK's client is. */
export type ClientFactory = (options: ClientConnectOptions) => unknown;

let factory: ClientFactory | null = null;

/** Registers (or with null, removes) the factory elements use for `server-url`. */
export function setClientFactory(next: ClientFactory | null): void {
  factory = next;
}

/** A client for `options`, or null when no SDK has registered a factory. */
export function createClientFromAttributes(options: ClientConnectOptions): unknown {
  return factory ? factory(options) : null;
}
