// DEFLATE decoder (RFC 1951): stored, fixed and dynamic Huffman blocks, any
// window up to 32 KiB.
//
// Decoding is table driven, in the manner of libdeflate: one lookup in an
// 11-bit (literal/length) or 8-bit (distance) table resolves most codes, with
// second-level subtables for the longer ones. Each entry also carries the
// extra bits of its symbol, so a length or distance costs one lookup and one
// shift. Bits come through a 64-bit buffer refilled 8 bytes at a time.
//
// Safety: the fast loop runs only while the input has 32 bytes left and the
// output has room for the longest thing one iteration writes, so it needs no
// other checks; near either end the careful loop checks every symbol, grows
// the output buffer (scratch.ts) and stops at the caller's limit. Reading past
// the input yields zero bits, counted so that consuming any of them reports
// Z_TRUNCATED. Nothing here writes outside the output buffer or throws.

import {
  CLEN_ORDER, DIST_BASE, DIST_EXTRA, END_OF_BLOCK, LEN_BASE, LEN_EXTRA, MAX_MATCH,
  NUM_CLEN, NUM_DIST, NUM_LITLEN, fixedLitLenLength,
} from "./deflate-tables";
import {
  Z_BAD_BLOCK, Z_BAD_CODE, Z_BAD_DISTANCE, Z_BAD_SYMBOL, Z_TOO_LARGE, Z_TRUNCATED,
} from "./errors";
import { outBuf, outCap, reserveOut } from "./scratch";

// Table entries (u32):
//   bits 0..5   bits to consume: codeword + extra bits (a subtable pointer: the main table's bits)
//   bits 8..11  codeword length (a subtable pointer: the subtable's index bits)
//   bit 12..14  INVALID, END, SUBTABLE; bit 31 LITERAL
//   bits 16..30 literal byte, base length or distance, or subtable start
// The count sits in the low bits so that `bitbuf >> entry` consumes a symbol
// (WebAssembly takes 64-bit shift counts modulo 64).
const LITERAL: u32 = 0x80000000;
const SUBTABLE: u32 = 0x4000;
const END: u32 = 0x2000;
const INVALID: u32 = 0x1000;
const EXCEPTIONAL: u32 = SUBTABLE | END | INVALID;

const LITLEN_BITS: u32 = 11;
const DIST_BITS: u32 = 8;
const CLEN_BITS: u32 = 7;
const LITLEN_MASK: usize = (1 << LITLEN_BITS) - 1;
const DIST_MASK: usize = (1 << DIST_BITS) - 1;
// Largest tables the given main-table bits can need for complete codes
// (zlib's `enough 288 11 15` and `enough 32 8 15`).
const LITLEN_ENOUGH: u32 = 2342;
const DIST_ENOUGH: u32 = 402;

const KIND_LITLEN = 0;
const KIND_DIST = 1;
const KIND_CLEN = 2;

const litTable: usize = memory.data(LITLEN_ENOUGH * 4, 64);
const distTable: usize = memory.data(DIST_ENOUGH * 4, 64);
const fixedLitTable: usize = memory.data((1 << LITLEN_BITS) * 4, 64);
const fixedDistTable: usize = memory.data((1 << DIST_BITS) * 4, 64);
const clenTable: usize = memory.data((1 << CLEN_BITS) * 4, 64);
const lens: usize = memory.data(320, 16);
const clens: usize = memory.data(32, 16);
const counts: usize = memory.data(16 * 4, 16);
const remaining: usize = memory.data(16 * 4, 16);
const offsets: usize = memory.data(16 * 4, 16);
const sorted: usize = memory.data(320 * 2, 16);
/** For a match distance below 8: the smallest multiple of it that is at least 8. */
const PERIOD_STEP: usize = memory.data<u8>([8, 8, 8, 9, 8, 10, 12, 14]);
let fixedReady = false;

// The iteration of the fast loop that writes the most: two literals, then a
// match of 258 bytes whose 8-byte copy runs up to 7 bytes past its end.
const FAST_OUT_ROOM: usize = 2 + MAX_MATCH + 8 + 16;
const FAST_IN_ROOM: isize = 32;

// Bit reader and output position while between blocks. The output is kept as
// offsets from `outBuf`, which moves when the buffer grows.
let gIn: usize = 0;
let gEnd: usize = 0;
let gBits: u64 = 0;
let gCount: u32 = 0;
let gOut: usize = 0;
let gStart: usize = 0;
let gLimit: usize = 0;

/** Bytes the last successful `inflate` produced. */
export let inflatedLength: usize = 0;

// @ts-ignore: decorator
@inline function entryFor(kind: i32, sym: u32, len: u32): u32 {
  if (kind == KIND_LITLEN) {
    if (sym < 256) return LITERAL | (sym << 16) | (len << 8) | len;
    if (sym == END_OF_BLOCK) return END | (len << 8) | len;
    if (sym < <u32>NUM_LITLEN) {
      const i = <usize>(sym - 257);
      return (<u32>load<u16>(LEN_BASE + (i << 1)) << 16) | (len << 8) | (len + <u32>load<u8>(LEN_EXTRA + i));
    }
    return INVALID | (len << 8) | len;
  }
  if (kind == KIND_DIST) {
    if (sym < <u32>NUM_DIST) {
      const i = <usize>sym;
      return (<u32>load<u16>(DIST_BASE + (i << 1)) << 16) | (len << 8) | (len + <u32>load<u8>(DIST_EXTRA + i));
    }
    return INVALID | (len << 8) | len;
  }
  return (sym << 16) | (len << 8) | len;
}

/**
 * Builds the decode table of the canonical code given by `num` code lengths at
 * `lengths`. Rejects over-subscribed codes and incomplete ones, except the
 * single one-bit code RFC 1951 allows for distances (and zlib for lengths).
 */
function buildTable(lengths: usize, num: i32, table: usize, tableBits: u32, kind: i32, enough: u32): bool {
  memory.fill(counts, 0, 16 * 4);
  for (let s = 0; s < num; s++) {
    const p = counts + (<usize>load<u8>(lengths + s) << 2);
    store<u32>(p, load<u32>(p) + 1);
  }
  let maxLen: u32 = 15;
  while (maxLen > 0 && load<u32>(counts + (<usize>maxLen << 2)) == 0) maxLen--;
  const mainSize: u32 = 1 << tableBits;
  if (maxLen == 0) {
    // No codes at all: legal for distances (a block of literals only); any use is an error.
    if (kind == KIND_CLEN) return false;
    for (let i: u32 = 0; i < mainSize; i++) store<u32>(table + (<usize>i << 2), INVALID | 0x101);
    return true;
  }
  let left: i32 = 1;
  for (let l: u32 = 1; l <= 15; l++) {
    left = (left << 1) - <i32>load<u32>(counts + (<usize>l << 2));
    if (left < 0) return false;
  }
  if (left > 0) {
    if (kind == KIND_CLEN || maxLen != 1) return false;
    // The one-bit codeword "1" is unused.
    store<u32>(table + 4, INVALID | 0x101);
  }
  // Sort the symbols by code length (then by symbol, as canonical codes are).
  store<u32>(offsets + 4, 0);
  for (let l: usize = 1; l < 15; l++) {
    store<u32>(offsets + ((l + 1) << 2), load<u32>(offsets + (l << 2)) + load<u32>(counts + (l << 2)));
  }
  for (let s = 0; s < num; s++) {
    const l = <usize>load<u8>(lengths + s);
    if (l) {
      const o = load<u32>(offsets + (l << 2));
      store<u16>(sorted + (<usize>o << 1), <u16>s);
      store<u32>(offsets + (l << 2), o + 1);
    }
  }
  memory.copy(remaining, counts, 16 * 4);
  // Codewords are walked in canonical order but kept bit-reversed (as the
  // decoder indexes by the next bits of the stream); a reversed codeword keeps
  // its value when the length grows by one. Short codes are written once into
  // a table of 2^len entries, which then doubles by copying itself (libdeflate's
  // way): every entry is written once, mostly by memory.copy.
  let len: u32 = 1;
  while (load<u32>(counts + (<usize>len << 2)) == 0) len++;
  let size: u32 = 1 << len;
  let codeword: u32 = 0;
  let k: usize = 0;
  let nextSub: u32 = mainSize;
  let prefix: u32 = 0xffffffff;
  let subStart: u32 = 0;
  let subBits: u32 = 0;
  while (true) {
    const n = load<u32>(counts + (<usize>len << 2));
    for (let j: u32 = 0; j < n; j++) {
      const sym = <u32>load<u16>(sorted + (k << 1));
      k++;
      if (len <= tableBits) {
        store<u32>(table + (<usize>codeword << 2), entryFor(kind, sym, len));
      } else {
        if ((codeword & (mainSize - 1)) != prefix) {
          // A new subtable, sized (as zlib does) to hold every code that shares this prefix.
          prefix = codeword & (mainSize - 1);
          let cur = len - tableBits;
          let room: i32 = 1 << cur;
          while (cur + tableBits < maxLen) {
            room -= <i32>load<u32>(remaining + (<usize>(cur + tableBits) << 2));
            if (room <= 0) break;
            cur++;
            room <<= 1;
          }
          subBits = cur;
          subStart = nextSub;
          nextSub += <u32>1 << cur;
          if (nextSub > enough) return false;
          store<u32>(table + (<usize>prefix << 2), SUBTABLE | (subStart << 16) | (subBits << 8) | tableBits);
        }
        const e = entryFor(kind, sym, len - tableBits);
        const step: u32 = 1 << (len - tableBits);
        for (let i = codeword >> tableBits; i < (<u32>1 << subBits); i += step) {
          store<u32>(table + (<usize>(subStart + i) << 2), e);
        }
      }
      const r = remaining + (<usize>len << 2);
      store<u32>(r, load<u32>(r) - 1);
      if (codeword == (<u32>1 << len) - 1) {
        // The last codeword: the code is complete. Grow the main table to full size.
        for (; size < mainSize; size <<= 1) memory.copy(table + (<usize>size << 2), table, <usize>size << 2);
        return true;
      }
      // Next codeword: increment the bit-reversed value.
      const bit: u32 = 1 << (31 - clz(codeword ^ ((<u32>1 << len) - 1)));
      codeword = (codeword & (bit - 1)) | bit;
    }
    if (len == maxLen) break;
    if (len < tableBits) {
      memory.copy(table + (<usize>size << 2), table, <usize>size << 2);
      size <<= 1;
    }
    len++;
  }
  // Only an incomplete code (one one-bit codeword) ends here.
  for (; size < mainSize; size <<= 1) memory.copy(table + (<usize>size << 2), table, <usize>size << 2);
  return true;
}

function buildFixedTables(): void {
  for (let s = 0; s < 288; s++) store<u8>(lens + s, fixedLitLenLength(s));
  buildTable(lens, 288, fixedLitTable, LITLEN_BITS, KIND_LITLEN, 1 << LITLEN_BITS);
  for (let s = 0; s < 32; s++) store<u8>(lens + s, 5);
  buildTable(lens, 32, fixedDistTable, DIST_BITS, KIND_DIST, 1 << DIST_BITS);
  fixedReady = true;
}

/** Makes at least `n` (<= 57) bits available, reading zero bytes past the input. */
function need(n: u32): void {
  while (gCount < n) {
    let b: u64 = 0;
    if (gIn < gEnd) b = <u64>load<u8>(gIn);
    gBits |= b << gCount;
    gIn++;
    gCount += 8;
  }
}

// @ts-ignore: decorator
@inline function take(n: u32): u32 {
  const v = <u32>gBits & ((<u32>1 << n) - 1);
  gBits >>= n;
  gCount -= n;
  return v;
}

/** Whether any of the zero bytes read past the input were consumed. */
// @ts-ignore: decorator
@inline function overran(): bool {
  return gIn > gEnd && (gIn - gEnd) << 3 > <usize>gCount;
}

/** Reads a dynamic block's code lengths and builds its tables. */
function readDynamicHeader(): i32 {
  need(14);
  const nlit = <i32>take(5) + 257;
  const ndist = <i32>take(5) + 1;
  const nclen = <i32>take(4) + 4;
  if (nlit > NUM_LITLEN || ndist > NUM_DIST) return Z_BAD_CODE;
  memory.fill(clens, 0, NUM_CLEN);
  for (let i = 0; i < nclen; i++) {
    need(3);
    store<u8>(clens + load<u8>(CLEN_ORDER + i), <u8>take(3));
  }
  if (!buildTable(clens, NUM_CLEN, clenTable, CLEN_BITS, KIND_CLEN, 1 << CLEN_BITS)) return Z_BAD_CODE;
  const n = nlit + ndist;
  let i = 0;
  while (i < n) {
    need(14);
    const e = load<u32>(clenTable + ((<usize>gBits & ((1 << CLEN_BITS) - 1)) << 2));
    take(e & 63);
    const sym = e >> 16;
    if (sym < 16) {
      store<u8>(lens + i, <u8>sym);
      i++;
      continue;
    }
    let value: u8 = 0;
    let rep: i32;
    if (sym == 16) {
      if (i == 0) return Z_BAD_SYMBOL;
      value = load<u8>(lens + i - 1);
      rep = 3 + <i32>take(2);
    } else if (sym == 17) {
      rep = 3 + <i32>take(3);
    } else {
      rep = 11 + <i32>take(7);
    }
    if (i + rep > n) return Z_BAD_SYMBOL;
    memory.fill(lens + i, value, rep);
    i += rep;
  }
  if (overran()) return Z_TRUNCATED;
  if (load<u8>(lens + END_OF_BLOCK) == 0) return Z_BAD_CODE;
  if (!buildTable(lens, nlit, litTable, LITLEN_BITS, KIND_LITLEN, LITLEN_ENOUGH)) return Z_BAD_CODE;
  if (!buildTable(lens + nlit, ndist, distTable, DIST_BITS, KIND_DIST, DIST_ENOUGH)) return Z_BAD_CODE;
  return 0;
}

/** Makes room for `n` more output bytes at offset `at`, or reports the limit. */
function room(at: usize, n: usize): i32 {
  if (at + n > gStart + gLimit) return Z_TOO_LARGE;
  reserveOut(at, at + n + FAST_OUT_ROOM, gStart + gLimit + FAST_OUT_ROOM);
  return 0;
}

function copyStored(): i32 {
  // Skip to the byte boundary, then give back the whole bytes the bit buffer holds.
  take(gCount & 7);
  const pos = gIn - (gCount >> 3);
  if (pos > gEnd) return Z_TRUNCATED;
  gIn = pos;
  gBits = 0;
  gCount = 0;
  if (gEnd - gIn < 4) return Z_TRUNCATED;
  const len = <usize>load<u16>(gIn);
  if ((len ^ <usize>load<u16>(gIn, 2)) != 0xffff) return Z_BAD_BLOCK;
  gIn += 4;
  if (gEnd - gIn < len) return Z_TRUNCATED;
  if (gOut + len > outCap) {
    const r = room(gOut, len);
    if (r < 0) return r;
  } else if (gOut + len > gStart + gLimit) {
    return Z_TOO_LARGE;
  }
  memory.copy(outBuf + gOut, gIn, len);
  gOut += len;
  gIn += len;
  return 0;
}

/** Decodes one Huffman-coded block with the given tables. */
function decodeHuffman(lt: usize, dt: usize): i32 {
  let inp = gIn;
  const inEnd = gEnd;
  let bitbuf = gBits;
  let bitcnt = gCount;
  let base = outBuf;
  let out = base + gOut;
  let start = base + gStart;
  const limit = gLimit;
  let lim = start + limit;
  let fastEnd = min(base + outCap - FAST_OUT_ROOM, lim - (MAX_MATCH + 2));

  while (true) {
    // Fast loop: no bounds checks needed (see FAST_IN_ROOM, FAST_OUT_ROOM).
    while (<isize>(inEnd - inp) >= FAST_IN_ROOM && out <= fastEnd) {
      bitbuf |= load<u64>(inp) << <u64>bitcnt;
      inp += <usize>((63 - bitcnt) >> 3);
      bitcnt |= 56;
      let e = load<u32>(lt + ((<usize>bitbuf & LITLEN_MASK) << 2));
      if (<i32>e < 0) {
        bitbuf >>= <u64>e;
        bitcnt -= e & 63;
        store<u8>(out, <u8>(e >> 16));
        out++;
        e = load<u32>(lt + ((<usize>bitbuf & LITLEN_MASK) << 2));
        if (<i32>e < 0) {
          bitbuf >>= <u64>e;
          bitcnt -= e & 63;
          store<u8>(out, <u8>(e >> 16));
          out++;
          e = load<u32>(lt + ((<usize>bitbuf & LITLEN_MASK) << 2));
          if (<i32>e < 0) {
            bitbuf >>= <u64>e;
            bitcnt -= e & 63;
            store<u8>(out, <u8>(e >> 16));
            out++;
            continue;
          }
        }
      }
      // At least 26 bits remain: enough for any length code and its extra bits.
      if (e & EXCEPTIONAL) {
        if (e & SUBTABLE) {
          bitbuf >>= <u64>e;
          bitcnt -= e & 63;
          e = load<u32>(lt + ((<usize>(e >> 16) + (<usize>bitbuf & ((<usize>1 << ((e >> 8) & 15)) - 1))) << 2));
          if (<i32>e < 0) {
            bitbuf >>= <u64>e;
            bitcnt -= e & 63;
            store<u8>(out, <u8>(e >> 16));
            out++;
            continue;
          }
        }
        if (e & EXCEPTIONAL) {
          if (e & END) {
            bitbuf >>= <u64>e;
            bitcnt -= e & 63;
            gIn = inp;
            gBits = bitbuf;
            gCount = bitcnt;
            gOut = out - base;
            return 0;
          }
          return Z_BAD_SYMBOL;
        }
      }
      let saved = bitbuf;
      bitbuf >>= <u64>e;
      bitcnt -= e & 63;
      const length = <usize>(e >> 16) + <usize>((saved & ~(<u64>-1 << <u64>e)) >> <u64>((e >> 8) & 15));
      if (bitcnt < 28) {
        bitbuf |= load<u64>(inp) << <u64>bitcnt;
        inp += <usize>((63 - bitcnt) >> 3);
        bitcnt |= 56;
      }
      e = load<u32>(dt + ((<usize>bitbuf & DIST_MASK) << 2));
      if (e & EXCEPTIONAL) {
        if (!(e & SUBTABLE)) return Z_BAD_SYMBOL;
        bitbuf >>= <u64>e;
        bitcnt -= e & 63;
        e = load<u32>(dt + ((<usize>(e >> 16) + (<usize>bitbuf & ((<usize>1 << ((e >> 8) & 15)) - 1))) << 2));
        if (e & EXCEPTIONAL) return Z_BAD_SYMBOL;
      }
      saved = bitbuf;
      bitbuf >>= <u64>e;
      bitcnt -= e & 63;
      const dist = <usize>(e >> 16) + <usize>((saved & ~(<u64>-1 << <u64>e)) >> <u64>((e >> 8) & 15));
      if (dist > out - start) return Z_BAD_DISTANCE;
      let src = out - dist;
      let dst = out;
      const end = out + length;
      if (dist >= 8) {
        store<u64>(dst, load<u64>(src));
        store<u64>(dst, load<u64>(src, 8), 8);
        dst += 16;
        src += 16;
        while (dst < end) {
          store<u64>(dst, load<u64>(src));
          store<u64>(dst, load<u64>(src, 8), 8);
          dst += 16;
          src += 16;
        }
      } else if (dist == 1) {
        const v = <u64>load<u8>(src) * 0x0101010101010101;
        do {
          store<u64>(dst, v);
          dst += 8;
        } while (dst < end);
      } else {
        // A period below 8: lay down 8 bytes one by one, then copy 8 at a time
        // from the nearest multiple of the period that is at least 8 back.
        for (let i: usize = 0; i < 8; i++) store<u8>(dst + i, load<u8>(src + i));
        dst += 8;
        src = dst - <usize>load<u8>(PERIOD_STEP + dist);
        while (dst < end) {
          store<u64>(dst, load<u64>(src));
          dst += 8;
          src += 8;
        }
      }
      out = end;
    }

    // Careful path: one symbol with every check, near the end of the input or output.
    while (bitcnt <= 56) {
      let b: u64 = 0;
      if (inp < inEnd) b = <u64>load<u8>(inp);
      bitbuf |= b << <u64>bitcnt;
      inp++;
      bitcnt += 8;
    }
    // Some of the zero bytes read past the input were consumed: cut short.
    if (inp > inEnd && (inp - inEnd) << 3 > <usize>bitcnt) return Z_TRUNCATED;
    let e = load<u32>(lt + ((<usize>bitbuf & LITLEN_MASK) << 2));
    if (e & SUBTABLE) {
      bitbuf >>= <u64>e;
      bitcnt -= e & 63;
      e = load<u32>(lt + ((<usize>(e >> 16) + (<usize>bitbuf & ((<usize>1 << ((e >> 8) & 15)) - 1))) << 2));
    }
    if (<i32>e < 0) {
      if (out >= lim) return Z_TOO_LARGE;
      if (out >= base + outCap) {
        const oo = out - base;
        gStart = start - base;
        const r = room(oo, 1);
        if (r < 0) return r;
        base = outBuf;
        out = base + oo;
        start = base + gStart;
        lim = start + limit;
        fastEnd = min(base + outCap - FAST_OUT_ROOM, lim - (MAX_MATCH + 2));
      }
      bitbuf >>= <u64>e;
      bitcnt -= e & 63;
      store<u8>(out, <u8>(e >> 16));
      out++;
      continue;
    }
    if (e & EXCEPTIONAL) {
      if (e & END) {
        bitbuf >>= <u64>e;
        bitcnt -= e & 63;
        gIn = inp;
        gBits = bitbuf;
        gCount = bitcnt;
        gOut = out - base;
        // Consumed zero bits from past the input: the stream was cut short.
        if (overran()) return Z_TRUNCATED;
        return 0;
      }
      return Z_BAD_SYMBOL;
    }
    let saved = bitbuf;
    bitbuf >>= <u64>e;
    bitcnt -= e & 63;
    const length = <usize>(e >> 16) + <usize>((saved & ~(<u64>-1 << <u64>e)) >> <u64>((e >> 8) & 15));
    e = load<u32>(dt + ((<usize>bitbuf & DIST_MASK) << 2));
    if (e & EXCEPTIONAL) {
      if (!(e & SUBTABLE)) return Z_BAD_SYMBOL;
      bitbuf >>= <u64>e;
      bitcnt -= e & 63;
      e = load<u32>(dt + ((<usize>(e >> 16) + (<usize>bitbuf & ((<usize>1 << ((e >> 8) & 15)) - 1))) << 2));
      if (e & EXCEPTIONAL) return Z_BAD_SYMBOL;
    }
    saved = bitbuf;
    bitbuf >>= <u64>e;
    bitcnt -= e & 63;
    const dist = <usize>(e >> 16) + <usize>((saved & ~(<u64>-1 << <u64>e)) >> <u64>((e >> 8) & 15));
    if (dist > out - start) return Z_BAD_DISTANCE;
    if (length > lim - out) return Z_TOO_LARGE;
    if (length > base + outCap - out) {
      const oo = out - base;
      gStart = start - base;
      const r = room(oo, length);
      if (r < 0) return r;
      base = outBuf;
      out = base + oo;
      start = base + gStart;
      lim = start + limit;
      fastEnd = min(base + outCap - FAST_OUT_ROOM, lim - (MAX_MATCH + 2));
    }
    const src = out - dist;
    for (let i: usize = 0; i < length; i++) store<u8>(out + i, load<u8>(src + i));
    out += length;
  }
  return 0;
}

/**
 * Decodes the raw DEFLATE stream at `src` (`len` bytes) into the output buffer
 * from offset `at`, producing at most `limit` bytes. Returns the input bytes
 * the stream took (it may be followed by other data) and leaves the output
 * size in `inflatedLength`; or returns a negative error code.
 */
export function inflate(src: usize, len: usize, at: usize, limit: usize): i32 {
  if (!fixedReady) buildFixedTables();
  gIn = src;
  gEnd = src + len;
  gBits = 0;
  gCount = 0;
  gOut = at;
  gStart = at;
  gLimit = limit;
  let last: u32 = 0;
  do {
    need(3);
    last = take(1);
    const type = take(2);
    if (overran()) return Z_TRUNCATED;
    let r: i32;
    if (type == 0) {
      r = copyStored();
    } else if (type == 1) {
      r = decodeHuffman(fixedLitTable, fixedDistTable);
    } else if (type == 2) {
      r = readDynamicHeader();
      if (r == 0) r = decodeHuffman(litTable, distTable);
    } else {
      r = Z_BAD_BLOCK;
    }
    if (r < 0) return r;
  } while (!last);
  const end = gIn - (gCount >> 3);
  if (end > gEnd) return Z_TRUNCATED;
  inflatedLength = gOut - gStart;
  return <i32>(end - src);
}
