/**
 * Continues in a fresh task: a MessageChannel message (no timer clamping; a
 * `setTimeout(0)` nested a few levels deep waits at least 4 ms), or a timer
 * where MessageChannel does not exist. Used to cut long work into slices so
 * the thread's other tasks (input, rendering, timers) get their turn.
 */
export type YieldTask = (fn: () => void) => void;

/** A task scheduler with its own channel; continuations run in the order asked. */
export function channelYield(): YieldTask {
  if (typeof MessageChannel !== 'function') return (fn) => setTimeout(fn, 0);
  const ch = new MessageChannel();
  const queue: Array<() => void> = [];
  ch.port1.onmessage = () => queue.shift()?.();
  return (fn) => {
    queue.push(fn);
    ch.port2.postMessage(0);
  };
}
