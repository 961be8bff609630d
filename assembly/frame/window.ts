// Which bytes of the frame being decoded are present in WASM memory. A large
// frame is copied in by pages on demand: the decoder never reads the contents
// of bytes fields (it only skips them), so the payload of a 64 KB frame need
// not cross into WASM at all. Reads stop at `okEnd`, the end of the run of
// loaded pages around the read position; hitting it before the data ends asks
// the caller for more pages (E_NEED) and the frame is decoded again.
import { E_NEED } from "./codes";
import { pos, seek } from "./varint";

let frameStart: usize = 0;
let frameEnd: usize = 0;
/** Reads must stay below this: the end of the loaded run holding `pos`. */
export let okEnd: usize = 0;
/** Bit i set: page i (of 1 << pageShift bytes, from frameStart) is loaded. 0: all loaded. */
let bitmap: usize = 0;
let pageShift: u32 = 12;
/** The pages the caller should load after E_NEED. */
export let needPage: i32 = 0;
export let needCount: i32 = 0;

/** Starts a frame of `len` bytes at `start`; `pages` is its bitmap (0: wholly loaded). */
export function windowFrame(start: usize, len: usize, pages: usize, shift: u32): void {
  frameStart = start;
  frameEnd = start + len;
  bitmap = pages;
  pageShift = shift;
  okEnd = pages == 0 ? frameEnd : runEnd(start);
}

// @ts-ignore: decorator
@inline function loaded(page: usize): bool {
  return (load<u8>(bitmap + (page >> 3)) & (<u8>1 << <u8>(page & 7))) != 0;
}

/** End of the run of loaded pages holding `p` (`p` itself when its page is missing). */
function runEnd(p: usize): usize {
  let page = (p - frameStart) >> pageShift;
  let last = (frameEnd - frameStart - 1) >> pageShift;
  if (p >= frameEnd || !loaded(page)) return p;
  while (page < last && loaded(page + 1)) page++;
  let end = frameStart + ((page + 1) << pageShift);
  return end < frameEnd ? end : frameEnd;
}

/** The read limit inside a message ending at `end`. */
// @ts-ignore: decorator
@inline export function lim(end: usize): usize {
  return end < okEnd ? end : okEnd;
}

/** Moves the read position forward to `p` (past skipped bytes) and finds what is loaded there. */
// @ts-ignore: decorator
@inline export function jump(p: usize): void {
  seek(p);
  if (p >= okEnd && okEnd < frameEnd) okEnd = runEnd(p);
}

/** Whether `n` bytes at `p` are loaded; if not, sets the pages to load and returns false. */
export function ensure(p: usize, n: usize): bool {
  if (p + n <= okEnd) return true;
  let first = (p - frameStart) >> pageShift;
  let last = (p + n - 1 - frameStart) >> pageShift;
  while (first <= last && loaded(first)) first++;
  if (first > last) return true; // another loaded run covers it (cannot happen: runs are maximal)
  needPage = <i32>first;
  needCount = <i32>(last - first + 1);
  return false;
}

/**
 * After a frame failed with E_TRUNCATED at `at`: whether the data may just be
 * missing (a read hit `okEnd` before the frame's end). Sets the page to load.
 */
export function missing(at: usize): bool {
  if (at < okEnd || okEnd >= frameEnd) return false;
  needPage = <i32>((okEnd - frameStart) >> pageShift);
  needCount = 1;
  return true;
}

export { E_NEED };
