// Length-limited Huffman codes for the DEFLATE encoder (RFC 1951 section 3.2.2:
// canonical codes, at most 15 bits; 7 for the code-length code).
//
// Code lengths come from Moffat and Katajainen's in-place algorithm over the
// symbols sorted by frequency, then the lengths past the limit are folded back
// the way miniz does it (move codes down until the Kraft sum is exact). Every
// code built here is complete: a lone symbol gets a one-bit partner, as zlib
// does, so that every decoder accepts it.
//
// The caller passes the symbols in use, in increasing order: a small block
// uses a few dozen of the 286 literal/length symbols, and the work here is
// proportional to those.

const keys: usize = memory.data(320 * 4, 16);
const tmp: usize = memory.data(320 * 4, 16);
const hist: usize = memory.data(256 * 4, 16);
const numCodes: usize = memory.data(64 * 4, 16);
const nextCode: usize = memory.data(16 * 4, 16);
/** REV8[b]: the 8 bits of b in reverse order. */
const REV8: usize = memory.data(256, 16);
let ready = false;

function init(): void {
  for (let b: u32 = 0; b < 256; b++) {
    let v = b;
    v = ((v >> 1) & 0x55) | ((v & 0x55) << 1);
    v = ((v >> 2) & 0x33) | ((v & 0x33) << 2);
    v = ((v >> 4) & 0x0f) | ((v & 0x0f) << 4);
    store<u8>(REV8 + b, <u8>v);
  }
  ready = true;
}

/** One counting pass over the frequency bits at `shift` (the `bits` wide digit). */
function countingPass(from: usize, to: usize, m: i32, shift: u32, buckets: usize): void {
  memory.fill(hist, 0, buckets << 2);
  const mask = <u32>buckets - 1;
  for (let i = 0; i < m; i++) {
    const b = hist + (<usize>((load<u32>(from + (<usize>i << 2)) >> shift) & mask) << 2);
    store<u32>(b, load<u32>(b) + 1);
  }
  let sum: u32 = 0;
  for (let b: usize = 0; b < buckets; b++) {
    const c = load<u32>(hist + (b << 2));
    store<u32>(hist + (b << 2), sum);
    sum += c;
  }
  for (let i = 0; i < m; i++) {
    const k = load<u32>(from + (<usize>i << 2));
    const b = hist + (<usize>((k >> shift) & mask) << 2);
    const o = load<u32>(b);
    store<u32>(to + (<usize>o << 2), k);
    store<u32>(b, o + 1);
  }
}

/** Sorts the m keys (freq << 9 | symbol) by frequency, stably; `maxFreq` bounds the frequencies. */
function sortKeys(m: i32, maxFreq: u32): void {
  if (m <= 16) {
    for (let i = 1; i < m; i++) {
      const k = load<u32>(keys + (<usize>i << 2));
      let j = i - 1;
      while (j >= 0 && load<u32>(keys + (<usize>j << 2)) > k) {
        store<u32>(keys + (<usize>(j + 1) << 2), load<u32>(keys + (<usize>j << 2)));
        j--;
      }
      store<u32>(keys + (<usize>(j + 1) << 2), k);
    }
    return;
  }
  if (maxFreq < 256) {
    // One counting pass over as many buckets as the frequencies need.
    let buckets: usize = 16;
    while (buckets <= <usize>maxFreq) buckets <<= 1;
    countingPass(keys, tmp, m, 9, buckets);
    memory.copy(keys, tmp, <usize>m << 2);
    return;
  }
  // Two passes of 8 bits (frequencies stay below 2^15).
  countingPass(keys, tmp, m, 9, 256);
  countingPass(tmp, keys, m, 17, 256);
}

// @ts-ignore: decorator
@inline function A(i: i32): u32 {
  return load<u32>(tmp + (<usize>i << 2));
}
// @ts-ignore: decorator
@inline function setA(i: i32, v: u32): void {
  store<u32>(tmp + (<usize>i << 2), v);
}

/**
 * Sets the code lengths (u8 at `lens`, `n` symbols) from the frequencies (u32
 * at `freqs`) of the `m` symbols listed (u16, increasing) at `list`; the other
 * symbols get 0. No code is longer than `maxBits`. If fewer than two symbols
 * are used, symbols are added to the list (as used, with length 1) so that the
 * code is complete; returns the list's new length.
 */
export function buildLengths(freqs: usize, list: usize, m: i32, lens: usize, n: i32, maxBits: i32): i32 {
  memory.fill(lens, 0, n);
  if (m < 2) {
    // A code needs two codewords: pair the lone symbol (or 0) with 0 or 1.
    const s = m ? <i32>load<u16>(list) : 0;
    const t = s == 0 ? 1 : 0;
    store<u8>(lens + s, 1);
    store<u8>(lens + t, 1);
    store<u16>(list, <u16>min(s, t));
    store<u16>(list, <u16>max(s, t), 2);
    return 2;
  }
  let maxFreq: u32 = 0;
  for (let i = 0; i < m; i++) {
    const s = <u32>load<u16>(list + (<usize>i << 1));
    const f = min(load<u32>(freqs + (<usize>s << 2)), 0x7fff);
    maxFreq = max(maxFreq, f);
    store<u32>(keys + (<usize>i << 2), (f << 9) | s);
  }
  sortKeys(m, maxFreq);
  for (let i = 0; i < m; i++) setA(i, load<u32>(keys + (<usize>i << 2)) >> 9);

  // Moffat-Katajainen: turns sorted weights into code lengths in place.
  setA(0, A(0) + A(1));
  let root = 0;
  let leaf = 2;
  for (let next = 1; next < m - 1; next++) {
    if (leaf >= m || A(root) < A(leaf)) {
      setA(next, A(root));
      setA(root++, <u32>next);
    } else {
      setA(next, A(leaf++));
    }
    if (leaf >= m || (root < next && A(root) < A(leaf))) {
      setA(next, A(next) + A(root));
      setA(root++, <u32>next);
    } else {
      setA(next, A(next) + A(leaf++));
    }
  }
  setA(m - 2, 0);
  for (let next = m - 3; next >= 0; next--) setA(next, A(<i32>A(next)) + 1);
  let avail = 1;
  let used = 0;
  let depth: u32 = 0;
  root = m - 2;
  let next = m - 1;
  while (avail > 0) {
    while (root >= 0 && A(root) == depth) {
      used++;
      root--;
    }
    while (avail > used) {
      setA(next--, depth);
      avail--;
    }
    avail = 2 * used;
    depth++;
    used = 0;
  }

  // Count codes per length, folding lengths past the limit back (miniz's method).
  memory.fill(numCodes, 0, 64 * 4);
  for (let i = 0; i < m; i++) {
    const p = numCodes + (<usize>min(A(i), 63) << 2);
    store<u32>(p, load<u32>(p) + 1);
  }
  const top = numCodes + (<usize>maxBits << 2);
  for (let i = maxBits + 1; i < 64; i++) store<u32>(top, load<u32>(top) + load<u32>(numCodes + (<usize>i << 2)));
  let total: u32 = 0;
  for (let i = maxBits; i > 0; i--) total += load<u32>(numCodes + (<usize>i << 2)) << <u32>(maxBits - i);
  while (total != <u32>1 << <u32>maxBits) {
    store<u32>(top, load<u32>(top) - 1);
    for (let i = maxBits - 1; i > 0; i--) {
      const p = numCodes + (<usize>i << 2);
      if (load<u32>(p)) {
        store<u32>(p, load<u32>(p) - 1);
        store<u32>(p + 4, load<u32>(p + 4) + 2);
        break;
      }
    }
    total--;
  }
  // The most frequent symbols (at the end of the sorted keys) get the shortest codes.
  let j = m;
  for (let len = 1; len <= maxBits; len++) {
    for (let c = load<u32>(numCodes + (<usize>len << 2)); c > 0; c--) {
      j--;
      store<u8>(lens + (load<u32>(keys + (<usize>j << 2)) & 511), <u8>len);
    }
  }
  return m;
}

/**
 * Sets the canonical codes (u16 at `codes`, bit-reversed so that they can be
 * written LSB first) of the `m` symbols listed (u16, increasing) at `list`,
 * whose code lengths are at `lens`.
 */
export function buildCodes(lens: usize, list: usize, m: i32, codes: usize): void {
  if (!ready) init();
  memory.fill(numCodes, 0, 16 * 4);
  for (let i = 0; i < m; i++) {
    const p = numCodes + (<usize>load<u8>(lens + load<u16>(list + (<usize>i << 1))) << 2);
    store<u32>(p, load<u32>(p) + 1);
  }
  store<u32>(numCodes, 0);
  let code: u32 = 0;
  for (let b: usize = 1; b < 16; b++) {
    code = (code + load<u32>(numCodes + ((b - 1) << 2))) << 1;
    store<u32>(nextCode + (b << 2), code);
  }
  for (let i = 0; i < m; i++) {
    const s = <usize>load<u16>(list + (<usize>i << 1));
    const l = <u32>load<u8>(lens + s);
    const p = nextCode + (<usize>l << 2);
    const c = load<u32>(p);
    store<u32>(p, c + 1);
    const rev = (<u32>load<u8>(REV8 + (c & 0xff)) << 8) | <u32>load<u8>(REV8 + (c >> 8));
    store<u16>(codes + (s << 1), <u16>(rev >> (16 - l)));
  }
}
