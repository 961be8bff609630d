/**
 * The connection worker with timestamps (bench/e2e-profile.bench.ts): when a
 * `send` call or a request on the request port arrives from the page, when the WebSocket writes and reads, and
 * when an event batch is posted to the page, in absolute time
 * (timeOrigin + now, comparable across threads). The page fetches them on the
 * BroadcastChannel `flare-profile-marks`.
 */
const marks: Record<string, number[]> = { in: [], wssend: [], wsmsg: [], post: [] };
const now = () => performance.timeOrigin + performance.now();
self.addEventListener('message', (e: MessageEvent) => {
  if (e.data?.type === 'APPLY' && e.data?.path?.[0] === 'send') marks.in!.push(now());
});
const Base = globalThis.WebSocket;
class MarkedWebSocket extends Base {
  override send(data: Parameters<WebSocket['send']>[0]): void {
    marks.wssend!.push(now());
    super.send(data);
  }
  override set onmessage(fn: ((e: MessageEvent) => unknown) | null) {
    super.onmessage = fn
      ? (e: MessageEvent) => {
          marks.wsmsg!.push(now());
          return fn(e);
        }
      : null;
  }
  override get onmessage(): ((e: MessageEvent) => unknown) | null {
    return super.onmessage;
  }
}
globalThis.WebSocket = MarkedWebSocket;
const portPost = MessagePort.prototype.postMessage;
MessagePort.prototype.postMessage = function (this: MessagePort, message: unknown, transfer?: Transferable[]) {
  marks.post!.push(now());
  return portPost.call(this, message, { transfer: transfer ?? [] });
} as typeof MessagePort.prototype.postMessage;
// RPC requests arrive on the one-way request port (src/sdk/worker-link.ts).
const onmessageSetter = Object.getOwnPropertyDescriptor(MessagePort.prototype, 'onmessage')!;
Object.defineProperty(MessagePort.prototype, 'onmessage', {
  ...onmessageSetter,
  set(this: MessagePort, fn: ((e: MessageEvent) => unknown) | null) {
    const marked = fn
      ? (e: MessageEvent) => {
          if ((e.data as { name?: string } | null)?.name === 'flare.rpc.req') marks.in!.push(now());
          return fn.call(this, e);
        }
      : null;
    onmessageSetter.set!.call(this, marked);
  },
});
const channel = new BroadcastChannel('flare-profile-marks');
channel.onmessage = () => channel.postMessage(marks);
await import('../src/worker/worker.ts');
export {};
