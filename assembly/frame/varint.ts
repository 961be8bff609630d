// Protobuf base-128 varints (https://protobuf.dev/programming-guides/encoding/#varints),
// read as prost reads them: at most 10 bytes, the 10th at most 1 (64 bits).
import { E_TRUNCATED, E_VARINT } from "./codes";

/** Read cursor shared by the decoders (a global: one decode at a time). */
export let pos: usize = 0;
/** Set by a failed read: an error code (0 = none) and the byte where it arose. */
export let verr: i32 = 0;
export let errAt: usize = 0;

/** Moves the read cursor. */
// @ts-ignore: decorator
@inline export function seek(p: usize): void {
  pos = p;
}

/** Clears the error state before a frame. */
// @ts-ignore: decorator
@inline export function clearError(): void {
  verr = 0;
}

/** Records an error at `at` and returns its code. */
export function fail(code: i32, at: usize): i32 {
  verr = code;
  errAt = at;
  return code;
}

/**
 * Reads a varint at `pos` that must end before `end`. On failure returns 0 and
 * sets `verr`; callers test `verr` after every read.
 */
// @ts-ignore: decorator
@inline export function readVarint(end: usize): u64 {
  let p = pos;
  if (p < end) {
    let b = load<u8>(p);
    if (b < 0x80) {
      pos = p + 1;
      return <u64>b;
    }
  }
  return readVarintSlow(end);
}

function readVarintSlow(end: usize): u64 {
  let p = pos;
  let result: u64 = 0;
  let shift: u64 = 0;
  for (let i = 0; i < 10; i++) {
    if (p >= end) {
      fail(E_TRUNCATED, p);
      return 0;
    }
    let b = <u64>load<u8>(p++);
    if (i == 9 && b > 1) {
      fail(E_VARINT, p - 1);
      return 0;
    }
    result |= (b & 0x7f) << shift;
    if (b < 0x80) {
      pos = p;
      return result;
    }
    shift += 7;
  }
  fail(E_VARINT, p);
  return 0;
}

/** Bytes a varint of `v` takes. */
// @ts-ignore: decorator
@inline export function varintSize32(v: u32): i32 {
  return v < 0x80 ? 1 : v < 0x4000 ? 2 : v < 0x200000 ? 3 : v < 0x10000000 ? 4 : 5;
}

/** Bytes a varint of `v` takes. */
// @ts-ignore: decorator
@inline export function varintSize64(v: u64): i32 {
  return (<i32>(64 - clz<u64>(v | 1)) + 6) / 7;
}

/** Writes `v` at `o`; returns the end. */
// @ts-ignore: decorator
@inline export function writeVarint32(o: usize, v: u32): usize {
  while (v >= 0x80) {
    store<u8>(o++, <u8>(v | 0x80));
    v >>>= 7;
  }
  store<u8>(o++, <u8>v);
  return o;
}

/** Writes `v` at `o`; returns the end. */
export function writeVarint64(o: usize, v: u64): usize {
  while (v >= 0x80) {
    store<u8>(o++, <u8>(v | 0x80));
    v >>>= 7;
  }
  store<u8>(o++, <u8>v);
  return o;
}
