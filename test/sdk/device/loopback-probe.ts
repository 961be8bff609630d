/**
 * A real NetworkProbe for tests while the SDK's Flare probe does not exist: ping/pong over an
 * RTCDataChannel between two peer connections in this page (SCTP over loopback UDP). Each ping is a
 * real round trip through the browser's network stack; `dropEvery` makes the echo side ignore every
 * n-th ping, so loss is real too (the ping times out).
 */
import type { NetworkProbe } from '../../../src/sdk/device/network-test.ts';

export class LoopbackProbe implements NetworkProbe {
  readonly kind = 'datachannel-loopback';
  #a!: RTCPeerConnection;
  #b!: RTCPeerConnection;
  #channel!: RTCDataChannel;
  #next = 1;
  #pending = new Map<number, (ms: number) => void>();
  pings = 0;

  static async open(options: { dropEvery?: number } = {}): Promise<LoopbackProbe> {
    const probe = new LoopbackProbe();
    const a = (probe.#a = new RTCPeerConnection());
    const b = (probe.#b = new RTCPeerConnection());
    a.onicecandidate = (e) => e.candidate && void b.addIceCandidate(e.candidate);
    b.onicecandidate = (e) => e.candidate && void a.addIceCandidate(e.candidate);
    let seen = 0;
    b.ondatachannel = ({ channel }) => {
      channel.onmessage = ({ data }) => {
        seen++;
        if (options.dropEvery && seen % options.dropEvery === 0) return;
        channel.send(data);
      };
    };
    const channel = (probe.#channel = a.createDataChannel('ping'));
    channel.onmessage = ({ data }) => {
      const { id, t } = JSON.parse(data as string);
      probe.#pending.get(id)?.(performance.now() - t);
      probe.#pending.delete(id);
    };
    await a.setLocalDescription();
    await b.setRemoteDescription(a.localDescription!);
    await b.setLocalDescription();
    await a.setRemoteDescription(b.localDescription!);
    await new Promise<void>((resolve) => (channel.readyState === 'open' ? resolve() : (channel.onopen = () => resolve())));
    return probe;
  }

  ping(options: { signal?: AbortSignal } = {}): Promise<number> {
    this.pings++;
    const id = this.#next++;
    return new Promise<number>((resolve, reject) => {
      this.#pending.set(id, resolve);
      options.signal?.addEventListener('abort', () => {
        this.#pending.delete(id);
        reject(new DOMException('aborted', 'AbortError'));
      });
      this.#channel.send(JSON.stringify({ id, t: performance.now() }));
    });
  }

  close(): void {
    this.#a.close();
    this.#b.close();
  }
}
