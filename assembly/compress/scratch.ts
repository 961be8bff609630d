// The two buffers the gzip exports work in: an input area the JS side copies
// messages into, and an output area the exports write results to (the JS side
// copies them out before the next call). Both are raw heap blocks that live
// across calls, so a call allocates nothing unless a message is larger than
// any before it; a buffer that grew past SHRINK_ABOVE for one large message is
// given back once smaller ones follow.

const MIN_CAP: usize = 64 * 1024;
const SHRINK_ABOVE: usize = 4 * 1024 * 1024;

/** Start of the output buffer (moves when it grows). */
export let outBuf: usize = 0;
/** Capacity of the output buffer in bytes. */
export let outCap: usize = 0;
let inBuf: usize = 0;
let inCap: usize = 0;

/** Rounds a capacity up to a multiple of 64 KiB, at least MIN_CAP. */
// @ts-ignore: decorator
@inline function roundCap(n: usize): usize {
  return max(MIN_CAP, (n + 0xffff) & ~<usize>0xffff);
}

/** An input area of at least `size` bytes; its previous contents are not kept. */
export function inputArea(size: usize): usize {
  if (size > inCap || (inCap > SHRINK_ABOVE && size < inCap >> 2)) {
    if (inBuf) heap.free(inBuf);
    inCap = roundCap(size);
    inBuf = heap.alloc(inCap);
  }
  return inBuf;
}

/**
 * Makes the output buffer hold at least `need` bytes, keeping its first `keep`
 * bytes. Grows to at least twice the old capacity so that appends stay linear;
 * `ceiling` caps that doubling (it never cuts below `need`).
 */
export function reserveOut(keep: usize, need: usize, ceiling: usize): void {
  if (need <= outCap) return;
  let cap = max(need, min(outCap << 1, max(ceiling, need)));
  cap = roundCap(cap);
  if (outBuf == 0) {
    outBuf = heap.alloc(cap);
  } else if (keep == 0) {
    heap.free(outBuf);
    outBuf = heap.alloc(cap);
  } else {
    outBuf = heap.realloc(outBuf, cap);
  }
  outCap = cap;
}

/**
 * Called at the start of each export: gives back an output buffer that grew
 * large for an earlier message when the coming work is expected to be small.
 */
export function startOut(expected: usize): void {
  if (outCap > SHRINK_ABOVE && expected < outCap >> 2) {
    heap.free(outBuf);
    outBuf = 0;
    outCap = 0;
  }
  reserveOut(0, expected, expected);
}

/** Frees both buffers (they are allocated again on the next call). */
export function releaseScratch(): void {
  if (outBuf) heap.free(outBuf);
  if (inBuf) heap.free(inBuf);
  outBuf = inBuf = 0;
  outCap = inCap = 0;
}
