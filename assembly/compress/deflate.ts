// DEFLATE encoder (RFC 1951), tuned for small realtime frames.
//
// Matching follows zlib's levels, with 4-byte matches: hash chains walked 4
// deep with greedy parsing at level 1 (zlib's level-1 ratio at several times
// its speed), up to 4096 deep with one-step lazy evaluation at level 9; greedy
// levels step faster through incompressible runs. Positions are stored
// as `base + offset`, and `base` moves past each call's input by more than a
// window, so earlier calls' entries read as too far away: a 200-byte message
// costs no table clearing.
//
// Blocks: for every block the encoder works out the exact size as stored, as
// fixed Huffman and as dynamic Huffman, and writes the smallest, so output
// never grows by more than a stored block's 5 bytes per 64 KiB.
//
// Working memory (hash head and chains, symbol buffer, frequencies, codes) is
// static; the caller gives an output area of at least deflateBound(len) bytes.

import {
  CLEN_ORDER, DIST_BASE, DIST_EXTRA, LEN_BASE, LEN_EXTRA, MAX_MATCH, NUM_CLEN, NUM_DIST,
  NUM_LITLEN, WINDOW, fixedLitLenLength,
} from "./deflate-tables";
import { buildCodes, buildLengths } from "./huffman-encode";

const HASH_BITS: u32 = 15;
const HASH_SIZE: usize = 1 << HASH_BITS;
const WMASK: u32 = <u32>WINDOW - 1;
/** Positions per call are offset by at least the input plus this gap. */
const GAP: u32 = 1 << 16;
const BASE_RESET: u32 = 0xc0000000;
/** Largest input one call takes (keeps `base + offset` in u32). */
export const DEFLATE_MAX_INPUT: usize = 1 << 30;
/** Shortest match: 3-byte matches gain little on text and JSON and cost speed. */
const MIN_MATCH: u32 = 4;
/** Symbols per block before it is flushed. */
const SYM_MAX: u32 = 16384;

const head: usize = memory.data(<i32>HASH_SIZE * 4, 64);
const prev: usize = memory.data(WINDOW * 4, 64);
// Room for SYM_MAX symbols plus what one step of a matcher adds past it.
const syms: usize = memory.data((16384 + 64) * 4, 64);
const litFreq: usize = memory.data(288 * 4, 16);
const distFreq: usize = memory.data(32 * 4, 16);
/** Which literal/length and distance symbols the current block uses (bit sets). */
const litUsed: usize = memory.data(9 * 4, 16);
const distUsed: usize = memory.data(4, 16);
/** The used symbols, increasing (and room for a partner symbol). */
const litList: usize = memory.data(290 * 2, 16);
const distList: usize = memory.data(34 * 2, 16);
const clenList: usize = memory.data(22 * 2, 16);
const clenFreq: usize = memory.data(20 * 4, 16);
const litLen: usize = memory.data(288, 16);
const distLen: usize = memory.data(32, 16);
const clenLen: usize = memory.data(20, 16);
const litCode: usize = memory.data(288 * 2, 16);
const distCode: usize = memory.data(32 * 2, 16);
const clenCode: usize = memory.data(20 * 2, 16);
const fixedLitLen: usize = memory.data(288, 16);
const fixedLitCode: usize = memory.data(288 * 2, 16);
const fixedDistLen: usize = memory.data(32, 16);
const fixedDistCode: usize = memory.data(32 * 2, 16);
const allLens: usize = memory.data(320, 16);
const clenSyms: usize = memory.data(320 * 2, 16);
/** Length code index (0..28) of match length - 3. */
const LEN_CODE: usize = memory.data(256, 16);
/** Distance code of distance - 1 below 256, then of (distance - 1) >> 7 at 256 +. */
const DIST_CODE: usize = memory.data(512, 16);
const CLEN_EXTRA: usize = memory.data<u8>([2, 3, 7]);

let ready = false;
let base: u32 = GAP;
// Blocks that chose to be stored wait here, so that consecutive ones merge
// into stored blocks of up to 64 KiB (5 bytes of overhead each).
let pendingSrc: usize = 0;
let pendingLen: usize = 0;
let pending = false;

// Bit writer between blocks (the symbol loop keeps it in locals).
let wOut: usize = 0;
let wBits: u64 = 0;
let wCount: u32 = 0;

function init(): void {
  for (let s = 0; s < 288; s++) {
    store<u8>(fixedLitLen + s, fixedLitLenLength(s));
    store<u16>(litList + (<usize>s << 1), <u16>s);
  }
  buildCodes(fixedLitLen, litList, 288, fixedLitCode);
  memory.fill(fixedDistLen, 5, 32);
  buildCodes(fixedDistLen, litList, 32, fixedDistCode);
  for (let c: usize = 0; c < 29; c++) {
    const b = <usize>load<u16>(LEN_BASE + (c << 1));
    const n = <usize>1 << load<u8>(LEN_EXTRA + c);
    for (let l = b; l < b + n && l <= <usize>MAX_MATCH; l++) store<u8>(LEN_CODE + l - 3, <u8>c);
  }
  for (let c: usize = 0; c < 30; c++) {
    const b = <usize>load<u16>(DIST_BASE + (c << 1)) - 1;
    const n = <usize>1 << load<u8>(DIST_EXTRA + c);
    for (let d = b; d < b + n; d++) {
      if (d < 256) store<u8>(DIST_CODE + d, <u8>c);
      else store<u8>(DIST_CODE + 256 + (d >> 7), <u8>c);
    }
  }
  ready = true;
}

// @ts-ignore: decorator
@inline function distCodeOf(dist: u32): usize {
  const d = <usize>dist - 1;
  return <usize>load<u8>(DIST_CODE + (d < 256 ? d : 256 + (d >> 7)));
}

// @ts-ignore: decorator
@inline function hash4(v: u32): usize {
  return <usize>((v * 0x9e3779b1) >> (32 - HASH_BITS)) << 2;
}

// @ts-ignore: decorator
@inline function bump(table: usize, i: usize): void {
  const p = table + (i << 2);
  store<u32>(p, load<u32>(p) + 1);
}

/** Length of the common prefix of `a` and `b`, at most `max`. */
// @ts-ignore: decorator
@inline function matchLength(a: usize, b: usize, max: usize): usize {
  let n: usize = 0;
  while (n + 8 <= max) {
    const x = load<u64>(a + n) ^ load<u64>(b + n);
    if (x) return n + <usize>(ctz(x) >> 3);
    n += 8;
  }
  while (n < max && load<u8>(a + n) == load<u8>(b + n)) n++;
  return n;
}

/** Worst-case output of deflate() for `len` input bytes, with 8 bytes of slack for the bit writer. */
export function deflateBound(len: usize): usize {
  return len + (len >> 10) + 64;
}

function putBits(v: u32, n: u32): void {
  wBits |= <u64>v << <u64>wCount;
  wCount += n;
  if (wCount >= 32) {
    store<u64>(wOut, wBits);
    wOut += <usize>(wCount >> 3);
    wBits >>= <u64>(wCount & ~7);
    wCount &= 7;
  }
}

/** Pads to a byte boundary and writes out every pending bit. */
function alignBits(): void {
  store<u64>(wOut, wBits);
  wOut += <usize>((wCount + 7) >> 3);
  wBits = 0;
  wCount = 0;
}

function writeStored(src: usize, len: usize, last: bool): void {
  let p = src;
  const end = src + len;
  do {
    const n = min(end - p, 65535);
    putBits(last && p + n == end ? 1 : 0, 3);
    alignBits();
    store<u16>(wOut, <u16>n);
    store<u16>(wOut, <u16>~n, 2);
    memory.copy(wOut + 4, p, n);
    wOut += 4 + n;
    p += n;
  } while (p < end);
}

/** Bits of a stored rendering of `len` bytes, from the current bit position. */
function storedBits(len: usize): u64 {
  const chunks = max<usize>(1, (len + 65534) / 65535);
  // First header: 3 bits and padding to the byte; the others start aligned (3 + 5 bits).
  const first = <u64>(((wCount + 3 + 7) & ~7) - wCount);
  return first + <u64>(chunks - 1) * 8 + <u64>chunks * 32 + <u64>len * 8;
}

/** Run-length codes the code lengths (section 3.2.7) into clenSyms; returns their count. */
function encodeLengths(total: i32): i32 {
  memory.fill(clenFreq, 0, 20 * 4);
  let k = 0;
  let i = 0;
  while (i < total) {
    const v = load<u8>(allLens + i);
    let run = 1;
    while (i + run < total && load<u8>(allLens + i + run) == v) run++;
    i += run;
    if (v == 0) {
      while (run >= 11) {
        const r = min(run, 138);
        store<u16>(clenSyms + (<usize>(k++) << 1), <u16>(18 | ((r - 11) << 8)));
        bump(clenFreq, 18);
        run -= r;
      }
      if (run >= 3) {
        store<u16>(clenSyms + (<usize>(k++) << 1), <u16>(17 | ((run - 3) << 8)));
        bump(clenFreq, 17);
        run = 0;
      }
    } else {
      store<u16>(clenSyms + (<usize>(k++) << 1), <u16>v);
      bump(clenFreq, v);
      run--;
      while (run >= 3) {
        const r = min(run, 6);
        store<u16>(clenSyms + (<usize>(k++) << 1), <u16>(16 | ((r - 3) << 8)));
        bump(clenFreq, 16);
        run -= r;
      }
    }
    while (run > 0) {
      store<u16>(clenSyms + (<usize>(k++) << 1), <u16>v);
      bump(clenFreq, v);
      run--;
    }
  }
  return k;
}

/** Writes the symbols of the block with the given code. */
function writeSymbols(n: u32, lc: usize, ll: usize, dc: usize, dl: usize): void {
  let out = wOut;
  let bits = wBits;
  let count = wCount;
  // Start with at most 7 pending bits: a match then adds at most 48.
  store<u64>(out, bits);
  out += <usize>(count >> 3);
  bits >>= <u64>(count & ~7);
  count &= 7;
  for (let k: usize = 0; k < <usize>n; k++) {
    const v = load<u32>(syms + (k << 2));
    if (v < 256) {
      bits |= <u64>load<u16>(lc + (<usize>v << 1)) << <u64>count;
      count += <u32>load<u8>(ll + v);
    } else {
      const len = <usize>(v & 0xffff);
      const dist = v >> 16;
      const c = <usize>load<u8>(LEN_CODE + len - 3);
      const s: usize = 257 + c;
      const l = <u32>load<u8>(ll + s);
      bits |= (<u64>load<u16>(lc + (s << 1)) | (<u64>(len - <usize>load<u16>(LEN_BASE + (c << 1))) << <u64>l)) << <u64>count;
      count += l + <u32>load<u8>(LEN_EXTRA + c);
      const d = distCodeOf(dist);
      const m = <u32>load<u8>(dl + d);
      bits |= (<u64>load<u16>(dc + (d << 1)) | (<u64>(dist - <u32>load<u16>(DIST_BASE + (d << 1))) << <u64>m)) << <u64>count;
      count += m + <u32>load<u8>(DIST_EXTRA + d);
    }
    store<u64>(out, bits);
    out += <usize>(count >> 3);
    bits >>= <u64>(count & ~7);
    count &= 7;
  }
  // End of block.
  bits |= <u64>load<u16>(lc + (256 << 1)) << <u64>count;
  count += <u32>load<u8>(ll + 256);
  store<u64>(out, bits);
  out += <usize>(count >> 3);
  bits >>= <u64>(count & ~7);
  count &= 7;
  wOut = out;
  wBits = bits;
  wCount = count;
}

/** Lists the set bits of `words` u32 words at `bits` as u16 values, increasing; returns the count. */
function listBits(bits: usize, words: usize, list: usize): i32 {
  let m = 0;
  for (let w: usize = 0; w < words; w++) {
    let v = load<u32>(bits + (w << 2));
    while (v) {
      store<u16>(list + (<usize>m << 1), <u16>((w << 5) + <usize>ctz(v)));
      m++;
      v &= v - 1;
    }
  }
  return m;
}

/**
 * Ends a block of `n` symbols that encode the `len` input bytes at `src`:
 * writes it stored, fixed or dynamic, whichever is smallest. Costs and codes
 * are worked out over the symbols the block uses only.
 */
function flushBlock(src: usize, len: usize, n: u32, last: bool): void {
  bump(litFreq, 256);
  store<u32>(litUsed + 32, load<u32>(litUsed + 32) | 1);
  let nl = listBits(litUsed, 9, litList);
  let nd = listBits(distUsed, 1, distList);
  let extra: u64 = 0;
  let fixed: u64 = 3;
  for (let i = 0; i < nl; i++) {
    const s = <usize>load<u16>(litList + (<usize>i << 1));
    const f = <u64>load<u32>(litFreq + (s << 2));
    fixed += f * <u64>load<u8>(fixedLitLen + s);
    if (s > 256) extra += f * <u64>load<u8>(LEN_EXTRA + s - 257);
  }
  for (let i = 0; i < nd; i++) {
    const s = <usize>load<u16>(distList + (<usize>i << 1));
    const f = <u64>load<u32>(distFreq + (s << 2));
    fixed += f * 5;
    extra += f * <u64>load<u8>(DIST_EXTRA + s);
  }
  fixed += extra;

  nl = buildLengths(litFreq, litList, nl, litLen, NUM_LITLEN, 15);
  nd = buildLengths(distFreq, distList, nd, distLen, NUM_DIST, 15);
  const nlit = max(257, <i32>load<u16>(litList + (<usize>(nl - 1) << 1)) + 1);
  const ndist = <i32>load<u16>(distList + (<usize>(nd - 1) << 1)) + 1;
  memory.copy(allLens, litLen, nlit);
  memory.copy(allLens + nlit, distLen, ndist);
  const nsyms = encodeLengths(nlit + ndist);
  let nc = 0;
  for (let s = 0; s < NUM_CLEN; s++) {
    if (load<u32>(clenFreq + (<usize>s << 2))) store<u16>(clenList + (<usize>(nc++) << 1), <u16>s);
  }
  nc = buildLengths(clenFreq, clenList, nc, clenLen, NUM_CLEN, 7);
  let nclen = NUM_CLEN;
  while (nclen > 4 && load<u8>(clenLen + load<u8>(CLEN_ORDER + nclen - 1)) == 0) nclen--;
  let dynamic: u64 = 3 + 14 + 3 * <u64>nclen + extra;
  for (let s: usize = 0; s < <usize>NUM_CLEN; s++) {
    dynamic += <u64>load<u32>(clenFreq + (s << 2)) * <u64>load<u8>(clenLen + s);
  }
  dynamic += 2 * <u64>load<u32>(clenFreq + 16 * 4) + 3 * <u64>load<u32>(clenFreq + 17 * 4) + 7 * <u64>load<u32>(clenFreq + 18 * 4);
  for (let i = 0; i < nl; i++) {
    const s = <usize>load<u16>(litList + (<usize>i << 1));
    dynamic += <u64>load<u32>(litFreq + (s << 2)) * <u64>load<u8>(litLen + s);
  }
  for (let i = 0; i < nd; i++) {
    const s = <usize>load<u16>(distList + (<usize>i << 1));
    dynamic += <u64>load<u32>(distFreq + (s << 2)) * <u64>load<u8>(distLen + s);
  }
  const stored = storedBits(len);

  if (stored <= fixed && stored <= dynamic) {
    if (pending) {
      pendingLen += len;
    } else {
      pending = true;
      pendingSrc = src;
      pendingLen = len;
    }
    if (last) {
      writeStored(pendingSrc, pendingLen, true);
      pending = false;
    }
  } else {
    if (pending) {
      writeStored(pendingSrc, pendingLen, false);
      pending = false;
    }
    if (fixed <= dynamic) {
      putBits(last ? 3 : 2, 3);
      writeSymbols(n, fixedLitCode, fixedLitLen, fixedDistCode, fixedDistLen);
    } else {
      putBits(last ? 5 : 4, 3);
      putBits(<u32>(nlit - 257) | (<u32>(ndist - 1) << 5) | (<u32>(nclen - 4) << 10), 14);
      for (let i = 0; i < nclen; i++) putBits(load<u8>(clenLen + load<u8>(CLEN_ORDER + i)), 3);
      buildCodes(clenLen, clenList, nc, clenCode);
      for (let k = 0; k < nsyms; k++) {
        const v = <u32>load<u16>(clenSyms + (<usize>k << 1));
        const s = <usize>(v & 0xff);
        putBits(load<u16>(clenCode + (s << 1)), load<u8>(clenLen + s));
        if (s >= 16) putBits(v >> 8, load<u8>(CLEN_EXTRA + s - 16));
      }
      buildCodes(litLen, litList, nl, litCode);
      buildCodes(distLen, distList, nd, distCode);
      writeSymbols(n, litCode, litLen, distCode, distLen);
    }
  }
  // Clear what this block counted, for the next one.
  for (let i = 0; i < nl; i++) store<u32>(litFreq + (<usize>load<u16>(litList + (<usize>i << 1)) << 2), 0);
  for (let i = 0; i < nd; i++) store<u32>(distFreq + (<usize>load<u16>(distList + (<usize>i << 1)) << 2), 0);
  memory.fill(litUsed, 0, 9 * 4);
  store<u32>(distUsed, 0);
}

// @ts-ignore: decorator
@inline function mark(bits: usize, s: usize): void {
  const p = bits + ((s >> 5) << 2);
  store<u32>(p, load<u32>(p) | (<u32>1 << <u32>(s & 31)));
}

// @ts-ignore: decorator
@inline function putLiteral(n: u32, b: u32): void {
  store<u32>(syms + (<usize>n << 2), b);
  bump(litFreq, <usize>b);
  mark(litUsed, <usize>b);
}

// @ts-ignore: decorator
@inline function putMatch(n: u32, len: u32, dist: u32): void {
  store<u32>(syms + (<usize>n << 2), (dist << 16) | len);
  const s: usize = 257 + <usize>load<u8>(LEN_CODE + <usize>len - 3);
  bump(litFreq, s);
  mark(litUsed, s);
  const d = distCodeOf(dist);
  bump(distFreq, d);
  mark(distUsed, d);
}

let gMatchDist: u32 = 0;

/**
 * Inserts position `i` into the hash chains and returns the longest match
 * there longer than `better` (its distance in gMatchDist), or 0.
 */
function longestMatch(src: usize, i: usize, len: usize, better: u32, chain: u32, nice: u32): u32 {
  const cur = load<u32>(src + i);
  const slot = head + hash4(cur);
  let cand = load<u32>(slot);
  const pos = base + <u32>i;
  store<u32>(slot, pos);
  store<u32>(prev + (<usize>(pos & WMASK) << 2), cand);
  const max = min(<usize>MAX_MATCH, len - i);
  let best = <usize>better;
  if (best >= max) return 0;
  let bestDist: u32 = 0;
  const here = src + i;
  while (true) {
    const dist = pos - cand;
    if (dist - 1 >= <u32>WINDOW) break;
    const p = here - <usize>dist;
    if (load<u8>(p + best) == load<u8>(here + best) && load<u32>(p) == cur) {
      const l = matchLength(p, here, max);
      if (l > best) {
        best = l;
        bestDist = dist;
        if (l >= <usize>nice || l == max) break;
      }
    }
    if (--chain == 0) break;
    const next = load<u32>(prev + (<usize>(cand & WMASK) << 2));
    if (next >= cand) break;
    cand = next;
  }
  if (bestDist == 0) return 0;
  gMatchDist = bestDist;
  return <u32>best;
}

// @ts-ignore: decorator
@inline function insert(src: usize, i: usize): void {
  const slot = head + hash4(load<u32>(src + i));
  const pos = base + <u32>i;
  store<u32>(prev + (<usize>(pos & WMASK) << 2), load<u32>(slot));
  store<u32>(slot, pos);
}

/**
 * The matcher of every level but 0, with zlib's parameters: walk at most
 * `chain` entries of a hash chain, stop at a match of `nice`; look one byte on
 * for a longer match while the match is shorter than `lazy` (0: greedy), with a
 * quarter of the chain once it reaches `good`; index every position a match
 * covers up to `maxInsert` bytes long (0: always), only its last two past that.
 * Greedy levels step faster through runs where nothing matches (incompressible
 * data), as LZ4 does.
 */
function compressChains(src: usize, len: usize, chain: u32, nice: u32, good: u32, lazy: u32, maxInsert: u32): void {
  let i: usize = 0;
  let blockStart: usize = 0;
  let n: u32 = 0;
  let misses: u32 = 0;
  if (len >= 4) {
    const last = len - 4;
    while (i <= last) {
      if (n >= SYM_MAX) {
        flushBlock(src + blockStart, i - blockStart, n, false);
        blockStart = i;
        n = 0;
      }
      let l = longestMatch(src, i, len, MIN_MATCH - 1, chain, nice);
      let dist = gMatchDist;
      let indexed = i + 1;
      if (l == 0) {
        if (lazy) {
          putLiteral(n++, load<u8>(src + i++));
        } else {
          const stop = min(i + 1 + <usize>min<u32>(misses >> 5, 31), last + 1);
          misses++;
          while (i < stop) putLiteral(n++, load<u8>(src + i++));
        }
        continue;
      }
      misses = 0;
      // Lazy evaluation: a longer match one byte on wins over this one.
      while (l < lazy && i + 1 <= last) {
        const l2 = longestMatch(src, i + 1, len, l, l >= good ? chain >> 2 : chain, nice);
        indexed = i + 2;
        if (l2 == 0) break;
        putLiteral(n++, load<u8>(src + i++));
        l = l2;
        dist = gMatchDist;
        if (n >= SYM_MAX) break;
      }
      putMatch(n++, l, dist);
      // Index the positions the match covers that longestMatch has not.
      const end = min(i + <usize>l, last + 1);
      let p = maxInsert == 0 || l <= maxInsert ? indexed : max(indexed, i + <usize>l - 2);
      for (; p < end; p++) insert(src, p);
      i += <usize>l;
    }
  }
  while (i < len) {
    if (n >= SYM_MAX) {
      flushBlock(src + blockStart, i - blockStart, n, false);
      blockStart = i;
      n = 0;
    }
    putLiteral(n++, load<u8>(src + i++));
  }
  flushBlock(src + blockStart, len - blockStart, n, true);
}

/**
 * Compresses `len` bytes at `src` into a raw DEFLATE stream at `dst`, which
 * must have deflateBound(len) bytes. Level 0 stores, 1 is fastest, 9 smallest.
 * Returns the stream's size.
 */
export function deflate(src: usize, len: usize, dst: usize, level: i32): usize {
  if (!ready) init();
  if (base + <u32>len > BASE_RESET) {
    memory.fill(head, 0, HASH_SIZE * 4);
    base = GAP;
  }
  wOut = dst;
  wBits = 0;
  wCount = 0;
  pending = false;
  if (level <= 0) {
    writeStored(src, len, true);
  } else if (level == 1) {
    compressChains(src, len, 4, 8, 4, 0, 4);
  } else if (level == 2) {
    compressChains(src, len, 8, 16, 4, 0, 8);
  } else if (level == 3) {
    compressChains(src, len, 16, 16, 4, 4, 0);
  } else if (level == 4) {
    compressChains(src, len, 32, 32, 4, 0, 0);
  } else if (level == 5) {
    compressChains(src, len, 32, 32, 8, 16, 0);
  } else if (level == 6) {
    compressChains(src, len, 128, 128, 8, 32, 0);
  } else if (level == 7) {
    compressChains(src, len, 256, 258, 8, 64, 0);
  } else if (level == 8) {
    compressChains(src, len, 1024, 258, 32, 128, 0);
  } else {
    compressChains(src, len, 4096, 258, 32, 258, 0);
  }
  alignBits();
  base += <u32>len + GAP;
  return wOut - dst;
}
