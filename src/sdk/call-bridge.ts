/**
 * The call layer's `CallSignaller` (src/sdk/call/call-signals.ts) over the
 * Flare connection: each signal is a reliable direct message to the other
 * user, typed `flare.call`, with high priority. Direct messages are
 * sequenced per user by the server and ordered by the worker's inbox, so one
 * sender's signals arrive in order, exactly once. Messages of this type go to
 * the signaller only, never to `messageReceived`.
 */
import type { CallSignal, CallSignaller, IncomingCallSignal } from './call/call-signals.ts';
import type { ReceivedMessage } from './message.ts';

/** Message type of call signals. */
export const CALL_SIGNAL_TYPE = 'flare.call';

/** What the bridge needs from the client. */
export interface SignallingClient {
  sendMessage(target: { user: string }, message: { type: string; data: unknown }, options?: { priority?: 'high' }): Promise<unknown>;
  onMessageType(type: string, handler: (m: ReceivedMessage) => void): () => void;
}

/** A CallSignaller over `client`. */
export function createCallSignaller(client: SignallingClient): CallSignaller {
  return {
    async send(to: string, signal: CallSignal): Promise<void> {
      await client.sendMessage({ user: to }, { type: CALL_SIGNAL_TYPE, data: signal }, { priority: 'high' });
    },
    onSignal(handler: (event: IncomingCallSignal) => void): () => void {
      return client.onMessageType(CALL_SIGNAL_TYPE, (m) => {
        let signal: CallSignal;
        try {
          signal = m.json<CallSignal>();
        } catch {
          return; // not a signal: ignore rather than break the call
        }
        if (signal && typeof signal === 'object' && typeof signal.type === 'string') handler({ from: m.from ?? '', signal });
      });
    },
  };
}
