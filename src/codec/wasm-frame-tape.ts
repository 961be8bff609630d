/**
 * The contract between the WASM frame codec (assembly/frame/) and its
 * TypeScript wrapper: the field codes of tape records and encode ops, and the
 * WASM exports. Mirrors assembly/frame/codes.ts: change both together.
 *
 * A field code is `base + field number`: Frame fields are 1..5, a command's
 * oneof case is 16 (system), 32 (payload), 48 (notification) or 64 (custom),
 * and that case's fields follow at case + n. Tape records (decode output) and
 * encode ops (encode input) are runs of i32 words, the code first:
 * enums `[code, value]`, uint64 `[code, lo, hi]`, strings and bytes
 * `[code, offset, length]`, map entries `[code, keyOffset, keyLength,
 * valueOffset, valueLength]`, a case `[code]` on a tape and `[code, size]` in
 * ops. Decoded strings carry FLAG_ASCII in their code word when pure ASCII;
 * decoded metadata keys may carry FLAG_KEY_HIT / FLAG_KEY_MISS and a slot.
 */

/** Field codes. */
export const Code = {
  END: 0,
  MESSAGE_ID: 2,
  RELIABILITY: 3,
  TIMESTAMP: 4,
  METADATA: 5,
  SYSTEM: 16,
  SYSTEM_TYPE: 17,
  SYSTEM_FORMAT: 18,
  SYSTEM_MESSAGE: 19,
  SYSTEM_METADATA: 20,
  SYSTEM_DATA: 21,
  SYSTEM_COMPRESSION: 22,
  SYSTEM_ENCRYPTION: 23,
  PAYLOAD: 32,
  PAYLOAD_TYPE: 33,
  PAYLOAD_MESSAGE_ID: 34,
  PAYLOAD_PAYLOAD: 35,
  PAYLOAD_METADATA: 36,
  PAYLOAD_SEQ: 37,
  NOTIFICATION: 48,
  NOTIFICATION_TYPE: 49,
  NOTIFICATION_TITLE: 50,
  NOTIFICATION_CONTENT: 51,
  NOTIFICATION_METADATA: 52,
  CUSTOM: 64,
  CUSTOM_NAME: 65,
  CUSTOM_DATA: 66,
  CUSTOM_METADATA: 67,
} as const;

/** Set in a decoded string's code word when the string is pure ASCII. */
export const FLAG_ASCII = 0x100;
/** A metadata key equal to the interned string in slot `word >>> 16` (assembly/frame/intern.ts). */
export const FLAG_KEY_HIT = 0x200;
/** A metadata key just stored in slot `word >>> 16`: build it and keep it there. */
export const FLAG_KEY_MISS = 0x400;
/** Slots in a metadata-key intern table, and the bytes the table takes in WASM memory. */
export const INTERN_SLOTS = 256;
export const INTERN_BYTES = INTERN_SLOTS * 64;
/** In an encode op: the bytes stay outside WASM memory; WASM stores their output offset in the op. */
export const FLAG_EXTERNAL = 0x800;
/** Masks the code out of a tape word. */
export const CODE_MASK = 0xff;

/** Negative returns of the WASM exports. */
export const WasmStatus = {
  TRUNCATED: -1,
  VARINT: -2,
  WIRE_TYPE: -3,
  FIELD: -4,
  UTF8: -5,
  GROUP: -6,
  NESTING: -7,
  TAPE_FULL: -8,
  TOO_LARGE: -9,
  OUTPUT_FULL: -10,
  BAD_OP: -11,
  EMPTY: -12,
  NEED: -13,
} as const;

/** Why `streamScan` stopped (word 1 of its header). */
export const ScanState = { MORE: 0, ENDED: 1, TOO_LARGE: 2, FULL: 3 } as const;

/** The exports assembly/frame/ adds to the core (see the AssemblyScript for contracts). */
export interface FrameExports {
  readonly memory: WebAssembly.Memory;
  alloc(size: number): number;
  dealloc(ptr: number): void;
  frameDecodeBatch(
    spans: number,
    count: number,
    tape: number,
    tapeBytes: number,
    results: number,
    keys: number,
    pageShift: number,
  ): number;
  frameEncodeBatch(
    tape: number,
    tapeWords: number,
    count: number,
    data: number,
    out: number,
    outCap: number,
    ends: number,
    framed: number,
    limit: number,
  ): number;
  frameEncodeFailed(): number;
  streamScan(buf: number, len: number, limit: number, out: number, maxFrames: number): number;
  streamPack(buf: number, lens: number, count: number, limit: number): number;
  streamPackFailed(): number;
}
