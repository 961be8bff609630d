/**
 * The `NetworkProbe` the device check and the call layer use
 * (src/sdk/device/network-test.ts): one round trip per ping over the Flare
 * connection, timed on the main thread. Each ping is an `echo` RPC sent
 * best-effort, so it measures what app traffic sees (worker hop, codec,
 * transport, server) on the transport in use, and nothing is made up: a ping
 * that fails or is aborted rejects.
 */
import type { NetworkProbe } from './device/network-test.ts';
import type { Protocol } from './options.ts';

/** What the probe needs from the client. */
export interface ProbeClient {
  request<T>(method: string, data?: unknown, options?: { timeout?: number; signal?: AbortSignal; responseType?: 'bytes' }): Promise<T>;
  readonly state: { readonly protocol: { get(): Protocol | null } };
}

const PING = new Uint8Array([0x70, 0x69, 0x6e, 0x67]);

/** A probe over `client`; `kind` names the transport in use when it is made (`websocket-rpc`, `webtransport-rpc`). */
export function createNetworkProbe(client: ProbeClient, options: { timeoutMs?: number } = {}): NetworkProbe {
  const timeout = options.timeoutMs ?? 5000;
  return {
    kind: `${client.state.protocol.get() ?? 'flare'}-rpc`,
    async ping({ signal } = {}) {
      const start = performance.now();
      await client.request('echo', PING, { timeout, signal, responseType: 'bytes' });
      return performance.now() - start;
    },
  };
}
