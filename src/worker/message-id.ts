/**
 * Message ids in flare-core's form `{unix ms}-{16 hex digits}`.
 *
 * flare-core fills the 16 digits with a per-process counter. Several tabs of
 * one origin each run a worker with its own counter, and their ids may meet
 * the same server (which de-duplicates by id), so ours put 32 random bits in
 * the high half and the counter in the low half: same shape, no collisions
 * between realms.
 */

/** Makes message ids; `now` is Unix ms, `random` a uniform [0, 1) source. */
export function createMessageIdGenerator(random: () => number = Math.random): (now: number) => string {
  const prefix = Math.floor(random() * 0x1_0000_0000)
    .toString(16)
    .padStart(8, '0');
  let counter = 0;
  return (now) => {
    const n = counter;
    counter = (counter + 1) >>> 0;
    return `${Math.floor(now)}-${prefix}${n.toString(16).padStart(8, '0')}`;
  };
}
