// Protobuf encoding of flare-core's Frame (proto3 wire format,
// https://protobuf.dev/programming-guides/encoding/) from an encode tape that
// the TypeScript side writes: per frame, ops in field-number order (the
// command's case op and its fields first, then Frame fields 2..5), then
// OP_END. Op layouts are in codes.ts; string and bytes ops point into a data
// area (offsets relative to `data`). Output is byte-for-byte what prost writes:
// proto3 defaults omitted, a set oneof case always written, map entries
// omitting an empty key or value. Two passes per frame: sizes (nested lengths
// stored back into the case op), then bytes. Ops flagged FLAG_EXTERNAL get
// their room left empty, and its offset in `out` stored back in the op.
import {
  E_BAD_OP, E_EMPTY, E_OUTPUT_FULL, E_TOO_LARGE, FLAG_EXTERNAL, K_BYTES, K_CASE, K_ENUM, K_MAP, K_STR, K_U64, KINDS, KINDS_LEN, OP_END,
} from "./codes";
import { varintSize32, varintSize64, writeVarint32, writeVarint64 } from "./varint";

/** Index of the frame that failed in the last call (see frameEncodeFailed). */
let failedFrame: i32 = -1;

// @ts-ignore: decorator
@inline function kindOf(code: i32): u8 {
  return <u32>code < <u32>KINDS_LEN ? load<u8>(KINDS + <usize>code) : 0;
}

// @ts-ignore: decorator
@inline function entrySize(klen: u32, vlen: u32): u32 {
  let n: u32 = 0;
  if (klen != 0) n += 1 + varintSize32(klen) + klen;
  if (vlen != 0) n += 1 + varintSize32(vlen) + vlen;
  return n;
}

/** Words an op takes, by kind (0: unknown op). */
// @ts-ignore: decorator
@inline function opWords(kind: u8): usize {
  return kind == K_ENUM || kind == K_CASE ? 2 : kind == K_MAP ? 5 : kind == 0 ? 0 : 3;
}

/**
 * Pass 1 over one frame's ops from `t`: returns the frame's encoded size (or a
 * negative error) and stores the case's body size in its op. `opsEnd` is set
 * to the word after OP_END.
 */
let opsEnd: usize = 0;
function frameSize(t: usize, tEnd: usize): i32 {
  let size: u32 = 0;
  let body: u32 = 0;
  let caseOp: usize = 0;
  let caseCode: i32 = -1;
  let first = t;
  while (true) {
    if (t >= tEnd) return E_BAD_OP;
    let code = load<i32>(t) & ~FLAG_EXTERNAL;
    if (code == OP_END) break;
    let kind = kindOf(code);
    let words = opWords(kind);
    if (words == 0 || t + (words << 2) > tEnd) return E_BAD_OP;
    let n: u32 = 0;
    switch (kind) {
      case K_ENUM: {
        let v = load<i32>(t, 4);
        if (v != 0) n = 1 + <u32>varintSize64(<u64><i64>v);
        break;
      }
      case K_U64: {
        let v = <u64>load<u32>(t, 4) | (<u64>load<u32>(t, 8) << 32);
        if (v != 0) n = 1 + <u32>varintSize64(v);
        break;
      }
      case K_STR:
      case K_BYTES: {
        let len = load<u32>(t, 8);
        if (len != 0) n = 1 + <u32>varintSize32(len) + len;
        break;
      }
      case K_MAP: {
        let e = entrySize(load<u32>(t, 8), load<u32>(t, 16));
        n = 1 + <u32>varintSize32(e) + e;
        break;
      }
      case K_CASE: {
        // Only first, and only one: the case's fields follow it contiguously.
        if (t != first || code > 64) return E_BAD_OP;
        caseOp = t;
        caseCode = code;
        break;
      }
      default:
        return E_BAD_OP;
    }
    if (code >= 16) {
      if (kind != K_CASE && (code & ~15) != caseCode) return E_BAD_OP;
      body += n;
    } else {
      caseCode = -1; // Frame fields end the case's fields
      size += n;
    }
    t += words << 2;
  }
  opsEnd = t + 4;
  if (caseOp != 0) {
    store<u32>(caseOp, body, 4);
    let command = 1 + <u32>varintSize32(body) + body;
    size += 1 + <u32>varintSize32(command) + command;
  }
  if (size > 0x7fffffff) return E_OUTPUT_FULL;
  return <i32>size;
}

/** Pass 2: writes one frame's ops (checked by pass 1) from `t` at `o`; returns the end. */
function writeFrame(t: usize, data: usize, o: usize, out: usize): usize {
  while (true) {
    let word = load<i32>(t);
    let code = word & ~FLAG_EXTERNAL;
    let external = word != code;
    if (code == OP_END) return o;
    let kind = load<u8>(KINDS + <usize>code);
    let tag = <u8>((code & 15) << 3);
    switch (kind) {
      case K_ENUM: {
        let v = load<i32>(t, 4);
        if (v != 0) {
          store<u8>(o++, tag);
          o = writeVarint64(o, <u64><i64>v);
        }
        t += 8;
        break;
      }
      case K_U64: {
        let v = <u64>load<u32>(t, 4) | (<u64>load<u32>(t, 8) << 32);
        if (v != 0) {
          store<u8>(o++, tag);
          o = writeVarint64(o, v);
        }
        t += 12;
        break;
      }
      case K_STR:
      case K_BYTES: {
        let len = load<u32>(t, 8);
        if (len != 0) {
          store<u8>(o++, tag | 2);
          o = writeVarint32(o, len);
          if (external) store<i32>(t, <i32>(o - out), 4);
          else memory.copy(o, data + <usize>load<u32>(t, 4), <usize>len);
          o += <usize>len;
        }
        t += 12;
        break;
      }
      case K_MAP: {
        let koff = load<u32>(t, 4);
        let klen = load<u32>(t, 8);
        let voff = load<u32>(t, 12);
        let vlen = load<u32>(t, 16);
        store<u8>(o++, tag | 2);
        o = writeVarint32(o, entrySize(klen, vlen));
        if (klen != 0) {
          store<u8>(o++, 0x0a);
          o = writeVarint32(o, klen);
          memory.copy(o, data + <usize>koff, <usize>klen);
          o += <usize>klen;
        }
        if (vlen != 0) {
          store<u8>(o++, 0x12);
          o = writeVarint32(o, vlen);
          if (external) store<i32>(t, <i32>(o - out), 12);
          else memory.copy(o, data + <usize>voff, <usize>vlen);
          o += <usize>vlen;
        }
        t += 20;
        break;
      }
      default: {
        // K_CASE: Frame.command (field 1), then the Command's oneof member (field code / 16).
        let body = load<u32>(t, 4);
        store<u8>(o++, 0x0a);
        o = writeVarint32(o, 1 + <u32>varintSize32(body) + body);
        store<u8>(o++, <u8>(((code >> 4) << 3) | 2));
        o = writeVarint32(o, body);
        t += 8;
        break;
      }
    }
  }
  return o;
}

/**
 * Encodes `count` frames from the encode tape at `tape` (`tapeWords` words),
 * string and bytes contents in the area at `data`, into `out` (`outCap` bytes),
 * one after the other. `ends[i]` (i32) receives the byte offset in `out` where
 * frame i ends. With `framed` != 0 each frame is preceded by its length as a
 * 4-byte big-endian integer and must be 1..`limit` bytes long. Returns the
 * total bytes written, or a negative error (E_BAD_OP, E_EMPTY, E_OUTPUT_FULL or
 * E_TOO_LARGE) for the frame `frameEncodeFailed()` names.
 */
export function frameEncodeBatch(
  tape: usize, tapeWords: i32, count: i32, data: usize, out: usize, outCap: i32, ends: usize, framed: i32, limit: i32,
): i32 {
  let t = tape;
  let tEnd = tape + (<usize>tapeWords << 2);
  let o = out;
  let oEnd = out + <usize>outCap;
  failedFrame = -1;
  for (let i = 0; i < count; i++) {
    let size = frameSize(t, tEnd);
    if (size < 0) {
      failedFrame = i;
      return size;
    }
    let need = <usize>size + (framed != 0 ? 4 : 0);
    if (need > oEnd - o) {
      failedFrame = i;
      return E_OUTPUT_FULL;
    }
    if (framed != 0) {
      if (size == 0) {
        failedFrame = i; // a zero length would end the stream
        return E_EMPTY;
      }
      if (size > limit) {
        failedFrame = i;
        return E_TOO_LARGE;
      }
      store<u32>(o, bswap<u32>(<u32>size));
      o += 4;
    }
    o = writeFrame(t, data, o, out);
    store<i32>(ends + (<usize>i << 2), <i32>(o - out));
    t = opsEnd;
  }
  return <i32>(o - out);
}

/** The index of the frame that made the last frameEncodeBatch call fail (-1: none). */
export function frameEncodeFailed(): i32 {
  return failedFrame;
}
