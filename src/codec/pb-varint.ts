/**
 * Protobuf varints over plain numbers, for the JavaScript codec. uint64 values
 * are JS numbers split into two 32-bit halves (exact below 2^53; integers above
 * that are written exactly as the doubles they are).
 */

const TWO_32 = 4294967296;

/** Bytes of the varint of an unsigned 32-bit value. */
export function varint32Size(v: number): number {
  return v < 0x80 ? 1 : v < 0x4000 ? 2 : v < 0x200000 ? 3 : v < 0x10000000 ? 4 : 5;
}

/** Bytes of the varint of a uint64 given as a non-negative integer number. */
export function uint64Size(n: number): number {
  if (n < TWO_32) return varint32Size(n);
  const hi = Math.floor(n / TWO_32);
  // 32 low bits take 4 full groups (28 bits) + 4 bits; each 7 more high bits add a byte.
  return hi < 0x8 ? 5 : hi < 0x400 ? 6 : hi < 0x20000 ? 7 : hi < 0x1000000 ? 8 : hi < 0x80000000 ? 9 : 10;
}

/** Bytes of an int32 enum value's varint (negative values sign-extend to 10 bytes). */
export function enumSize(v: number): number {
  return v < 0 ? 10 : varint32Size(v);
}

/** Writes an unsigned 32-bit varint at `pos`; returns the end. */
export function writeVarint32(buf: Uint8Array, pos: number, v: number): number {
  while (v > 0x7f) {
    buf[pos++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  buf[pos++] = v;
  return pos;
}

/** Writes a 64-bit varint from its halves at `pos`; returns the end. */
export function writeVarint64(buf: Uint8Array, pos: number, lo: number, hi: number): number {
  while (hi !== 0) {
    buf[pos++] = (lo & 0x7f) | 0x80;
    lo = ((lo >>> 7) | (hi << 25)) >>> 0;
    hi >>>= 7;
  }
  return writeVarint32(buf, pos, lo);
}

/** Writes a uint64 given as a non-negative integer number. */
export function writeUint64(buf: Uint8Array, pos: number, n: number): number {
  if (n < TWO_32) return writeVarint32(buf, pos, n);
  const lo = n % TWO_32;
  return writeVarint64(buf, pos, lo, (n - lo) / TWO_32);
}

/** Writes an int32 enum value (negative: 10-byte two's complement). */
export function writeEnum(buf: Uint8Array, pos: number, v: number): number {
  return v < 0 ? writeVarint64(buf, pos, v >>> 0, 0xffffffff) : writeVarint32(buf, pos, v);
}
