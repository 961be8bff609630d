/**
 * Makes the CallController <flare-call> renders from a FlareClient. Until the SDK's FlareClient
 * exists this recognises only clients that offer `createCallController()`; the adapter over the
 * SDK's call signaller replaces this body when the SDK lands.
 */
import type { CallController } from '../../sdk/call/call-controller.ts';

/** Options of {@link callControllerFromClient}. */
export interface ClientCallOptions {
  /** The local user id, when the client does not know it. */
  user?: string;
}

interface CallCapableClient {
  createCallController(): CallController;
}

/** A CallController over `client`, or null when the client cannot provide one. */
export function callControllerFromClient(client: unknown, _options: ClientCallOptions = {}): CallController | null {
  const c = client as Partial<CallCapableClient> | null;
  if (c && typeof c.createCallController === 'function') return c.createCallController();
  return null;
}
