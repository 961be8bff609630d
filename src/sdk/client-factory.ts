/**
 * Lets elements used from a script tag (`<device-check server-url="..." user="...">`) get a client
 * from their attributes: registers a factory in src/elements/client-factory.ts that makes a
 * FlareClient and starts connecting. npm users who pass a `client` property do not need it.
 */
import { setClientFactory } from '../elements/client-factory.ts';
import { FlareClient } from './client.ts';
import type { FlareClientOptions } from './options.ts';

/** Registers the factory; `defaults` are merged into every client it makes (e.g. `certHash`, `shared`). */
export function registerClientFactory(defaults: Partial<FlareClientOptions> = {}): void {
  setClientFactory(({ serverUrl, user, token }) => {
    const client = new FlareClient({ ...defaults, url: serverUrl, userId: user || defaults.userId, token: token || defaults.token });
    client.connect().catch(() => {}); // state and events report the failure
    return client;
  });
}
