/**
 * The connection worker with timestamps (bench/e2e-profile.bench.ts): when a
 * `send` call arrives from the page, when the WebSocket writes and reads, and
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
const channel = new BroadcastChannel('flare-profile-marks');
channel.onmessage = () => channel.postMessage(marks);
await import('../src/worker/worker.ts');
export {};
