// Protobuf decoding of flare-core's Frame (proto3 wire format,
// https://protobuf.dev/programming-guides/encoding/) into a tape: a flat list
// of i32 words that the TypeScript side walks to build objects (see codes.ts
// for the layout). Rules as prost (flare-core's decoder) applies them: unknown
// fields are skipped (groups too, at most 100 deep), a known field with the
// wrong wire type is an error, strings must be valid UTF-8, keys fit 32 bits
// with field number >= 1. Repeated scalars and merged messages are resolved by
// the walker, which applies the tape in order (last one wins, same oneof case
// merges). Untrusted input only ever produces a negative return, never a trap.
// Large frames may be only partly in memory (see window.ts): reads stop at
// `lim(end)`, skips go through `jump`, strings through `ensure`.
import {
  BASE_COMMAND, E_FIELD, E_GROUP, E_NESTING, E_TAPE_FULL, E_TRUNCATED, E_UTF8, E_WIRE_TYPE,
  FLAG_ASCII, K_BYTES, K_CASE, K_COMMAND, K_ENUM, K_MAP, K_NONE, K_STR, K_U64, KINDS,
} from "./codes";
import { clearError, errAt, fail, pos, readVarint, seek, verr } from "./varint";
import { UTF8_ASCII, UTF8_INVALID, utf8Check } from "./utf8";
import { intern, internAbort, internFrame, internUse } from "./intern";
import { E_NEED, ensure, jump, lim, missing, needCount, needPage, windowFrame } from "./window";

const MAX_GROUP_DEPTH: i32 = 100;

/** Tape write pointer and its end (bytes). */
let tp: usize = 0;
let tapeEnd: usize = 0;

// Largest tape record: 5 words.
// @ts-ignore: decorator
@inline function room(): bool {
  return tp + 20 <= tapeEnd;
}

/** Reads a key at `pos`; returns it (>= 8, wire type <= 5) or 0 after setting `verr`. */
// @ts-ignore: decorator
@inline function readKey(end: usize): u32 {
  let start = pos;
  let key = readVarint(lim(end));
  if (verr != 0) return 0;
  if (key > 0xffffffff || key < 8) {
    fail(E_FIELD, start);
    return 0;
  }
  if ((<u32>key & 7) > 5) {
    fail(E_WIRE_TYPE, start);
    return 0;
  }
  return <u32>key;
}

/** Reads a length prefix; the delimited bytes must end by `end`. Returns the length or -1 (verr set). */
// @ts-ignore: decorator
@inline function readLength(end: usize): i32 {
  let start = pos;
  let n = readVarint(lim(end));
  if (verr != 0) return -1;
  if (n > <u64>(end - pos)) {
    fail(E_TRUNCATED, start);
    return -1;
  }
  return <i32>n;
}

/** Skips the unknown field whose key was just read. Returns 0 or an error code. */
function skipField(key: u32, end: usize, keyAt: usize): i32 {
  switch (key & 7) {
    case 0: {
      readVarint(lim(end));
      return verr;
    }
    case 1: {
      if (end - pos < 8) return fail(E_TRUNCATED, pos);
      jump(pos + 8);
      return 0;
    }
    case 2: {
      let n = readLength(end);
      if (n < 0) return verr;
      jump(pos + <usize>n);
      return 0;
    }
    case 3:
      return skipGroup(key >>> 3, end, 1);
    case 4:
      return fail(E_GROUP, keyAt);
    default: {
      if (end - pos < 4) return fail(E_TRUNCATED, pos);
      jump(pos + 4);
      return 0;
    }
  }
}

/** Skips the rest of a group opened by field `field` (`depth` groups are open). */
function skipGroup(field: u32, end: usize, depth: i32): i32 {
  while (true) {
    let at = pos;
    let key = readKey(end);
    if (key == 0) return verr;
    let wt = key & 7;
    if (wt == 4) return (key >>> 3) == field ? 0 : fail(E_GROUP, at);
    if (wt == 3) {
      if (depth >= MAX_GROUP_DEPTH) return fail(E_NESTING, at);
      let r = skipGroup(key >>> 3, end, depth + 1);
      if (r != 0) return r;
    } else {
      let r = skipField(key, end, at);
      if (r != 0) return r;
    }
  }
  return 0;
}

/** Reads one map<string,bytes> entry ending at `end` and emits it under `code`. */
function decodeEntry(code: i32, end: usize): i32 {
  let koff = pos;
  let klen = 0;
  let voff = pos;
  let vlen = 0;
  let ascii = FLAG_ASCII;
  while (pos < end) {
    let at = pos;
    let key = readKey(end);
    if (key == 0) return verr;
    let field = key >>> 3;
    if (field == 1 || field == 2) {
      if ((key & 7) != 2) return fail(E_WIRE_TYPE, at);
      let n = readLength(end);
      if (n < 0) return verr;
      if (field == 1) {
        if (!ensure(pos, <usize>n)) return E_NEED;
        let u = utf8Check(pos, <usize>n);
        if (u == UTF8_INVALID) return fail(E_UTF8, pos);
        ascii = u == UTF8_ASCII ? FLAG_ASCII : 0;
        koff = pos;
        klen = n;
      } else {
        voff = pos;
        vlen = n;
      }
      jump(pos + <usize>n);
    } else {
      let r = skipField(key, end, at);
      if (r != 0) return r;
    }
  }
  if (!room()) return E_TAPE_FULL;
  store<i32>(tp, code | ascii | intern(koff, klen));
  store<i32>(tp, <i32>koff, 4);
  store<i32>(tp, klen, 8);
  store<i32>(tp, <i32>voff, 12);
  store<i32>(tp, vlen, 16);
  tp += 20;
  return 0;
}

/**
 * Reads the fields of one message (Frame, Command or a command case, chosen by
 * `base`, see codes.ts) from `pos` to `end`, emitting tape records.
 */
function decodeMessage(base: i32, end: usize): i32 {
  while (pos < end) {
    let at = pos;
    let key = readKey(end);
    if (key == 0) return verr;
    let field = key >>> 3;
    let wt = key & 7;
    let kind = field <= 15 ? load<u8>(KINDS + <usize>(base + <i32>field)) : K_NONE;
    if (kind == K_NONE) {
      let r = skipField(key, end, at);
      if (r != 0) return r;
      continue;
    }
    let code = base + <i32>field;
    if (kind == K_ENUM || kind == K_U64) {
      if (wt != 0) return fail(E_WIRE_TYPE, at);
      let v = readVarint(lim(end));
      if (verr != 0) return verr;
      if (!room()) return E_TAPE_FULL;
      store<i32>(tp, code);
      store<i32>(tp, <i32>v, 4);
      if (kind == K_ENUM) {
        tp += 8;
      } else {
        store<i32>(tp, <i32>(v >>> 32), 8);
        tp += 12;
      }
      continue;
    }
    if (wt != 2) return fail(E_WIRE_TYPE, at);
    let n = readLength(end);
    if (n < 0) return verr;
    let start = pos;
    let stop = start + <usize>n;
    let r = 0;
    switch (kind) {
      case K_STR: {
        if (!ensure(start, <usize>n)) return E_NEED;
        let u = utf8Check(start, <usize>n);
        if (u == UTF8_INVALID) return fail(E_UTF8, start);
        if (u == UTF8_ASCII) code |= FLAG_ASCII;
        // fall through
      }
      case K_BYTES: {
        if (!room()) return E_TAPE_FULL;
        store<i32>(tp, code);
        store<i32>(tp, <i32>start, 4);
        store<i32>(tp, n, 8);
        tp += 12;
        jump(stop);
        break;
      }
      case K_MAP: {
        r = decodeEntry(code, stop);
        break;
      }
      case K_COMMAND: {
        r = decodeMessage(BASE_COMMAND, stop);
        break;
      }
      case K_CASE: {
        // A oneof member: its begin record, then its fields (case codes are 16 * field).
        if (!room()) return E_TAPE_FULL;
        let caseCode = <i32>field << 4;
        store<i32>(tp, caseCode);
        tp += 4;
        r = decodeMessage(caseCode, stop);
        break;
      }
      default:
        break;
    }
    if (r != 0) return r;
  }
  return 0;
}

/**
 * Decodes `count` frames. `spans` holds a (pointer, length, pages) u32 triple
 * per frame, `pages` being 0 for a frame wholly in memory, else the bitmap of
 * its loaded pages of `1 << pageShift` bytes (see window.ts). Records go to
 * the tape at `tape` (`tapeBytes` long). `results` gets 4 i32 per frame:
 * status (0 or a negative error), then on success the tape word index where
 * the frame's records end, on error the failing byte offset within the frame;
 * after E_NEED the first page to load and how many. A failed frame emits no
 * records; frame i's records start where frame i-1's end (0 for the first).
 * Returns how many frames are finished (decoded or failed). Fewer than
 * `count` means the next frame stopped with E_TAPE_FULL (grow the tape when
 * it is the first of the call) or E_NEED (load the pages): the caller walks
 * the finished ones and calls again from that frame. `keys` is the caller's
 * metadata-key intern table (see intern.ts), or 0.
 */
export function frameDecodeBatch(
  spans: usize, count: i32, tape: usize, tapeBytes: i32, results: usize, keys: usize, pageShift: u32,
): i32 {
  tp = tape;
  tapeEnd = tape + <usize>tapeBytes;
  internUse(keys);
  for (let i = 0; i < count; i++) {
    let span = spans + <usize>i * 12;
    let start = <usize>load<u32>(span);
    let len = <usize>load<u32>(span, 4);
    windowFrame(start, len, <usize>load<u32>(span, 8), pageShift);
    let mark = tp;
    clearError();
    internFrame();
    seek(start);
    let r = decodeMessage(0, start + len);
    let out = results + (<usize>i << 4);
    if (r == 0) {
      store<i32>(out, 0);
      store<i32>(out, <i32>((tp - tape) >> 2), 4);
      continue;
    }
    tp = mark;
    internAbort();
    if (r == E_TRUNCATED && missing(errAt)) r = E_NEED;
    store<i32>(out, r);
    if (r == E_TAPE_FULL || r == E_NEED) {
      store<i32>(out, needPage, 8);
      store<i32>(out, needCount, 12);
      return i;
    }
    store<i32>(out, <i32>(errAt - start), 4);
  }
  return count;
}
