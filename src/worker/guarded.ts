/**
 * Calling code that must not throw into its caller: a transport's read loop
 * (one handler's bug would end the connection) or the event batcher (a
 * throwing event sink would end the receive path that pushed the event).
 */

/**
 * Calls `fn`; an exception is rethrown in a task of its own, where it is
 * reported like any uncaught error, instead of unwinding the caller.
 */
export function guarded(fn: () => void): void {
  try {
    fn();
  } catch (e) {
    setTimeout(() => {
      throw e;
    }, 0);
  }
}
