/**
 * Makes the CallController <flare-call> renders from a FlareClient: call signals travel as the SDK's
 * `flare.call` direct messages (`client.callSignaller()`), media through the built-in WebRTC engine
 * unless the options say otherwise.
 */
import { CallController, type CallControllerOptions } from '../../sdk/call/call-controller.ts';
import type { FlareClient } from '../../sdk/client.ts';

/** Options of {@link callControllerFromClient}. */
export interface ClientCallOptions extends Partial<Omit<CallControllerOptions, 'signaller'>> {
  /** The local user id, when the client does not know it. */
  user?: string;
}

/** A CallController over `client`, or null when `client` is not a FlareClient. */
export function callControllerFromClient(client: unknown, options: ClientCallOptions = {}): CallController | null {
  const c = client as Partial<FlareClient> | null;
  if (!c || typeof c.callSignaller !== 'function') return null;
  const flare = c as FlareClient;
  const { user, ...rest } = options;
  return new CallController({ ...rest, selfId: flare.userId ?? user ?? '', signaller: flare.callSignaller() });
}
