// Constants shared by the frame decoder, encoder and stream framing. The
// TypeScript side mirrors them in src/codec/wasm-frame-tape.ts: change both.
//
// Field codes name one protobuf field of flare-core's Frame (proto/frame.proto,
// proto/commands.proto): `base + field number`, where the base says which
// message the field belongs to. Field numbers are at most 15 in every message,
// so each message owns a 16-code range and `code & 15` is the field number.

/** Frame's own fields: codes 1..5 (1 = command). */
export const BASE_FRAME: i32 = 0;
/** Command's oneof members: a pseudo-range, decoded only (never on a tape). */
export const BASE_COMMAND: i32 = 80;
/** Begin codes of the oneof cases; each case's fields follow at base + n. */
export const CASE_SYSTEM: i32 = 16;
export const CASE_PAYLOAD: i32 = 32;
export const CASE_NOTIFICATION: i32 = 48;
export const CASE_CUSTOM: i32 = 64;

/** Set in a tape word when the string it points to is pure ASCII (decode only). */
export const FLAG_ASCII: i32 = 0x100;
/**
 * Set in an encode op whose bytes (a bytes field, or a map entry's value) stay
 * outside WASM memory: the encoder writes tag and length, leaves the bytes'
 * room empty and stores its output offset in the op's offset word.
 */
export const FLAG_EXTERNAL: i32 = 0x800;
/** Ends a frame's ops on an encode tape. */
export const OP_END: i32 = 0;

// What a field holds (the decoder's wire-type check and the tape layout).
export const K_NONE: u8 = 0; // unknown field: skipped
export const K_ENUM: u8 = 1; // int32 enum, wire type 0; tape: [code, value]
export const K_U64: u8 = 2; // uint64, wire type 0; tape: [code, lo, hi]
export const K_STR: u8 = 3; // string, wire type 2; tape: [code|ascii, offset, length]
export const K_BYTES: u8 = 4; // bytes, wire type 2; tape: [code, offset, length]
export const K_MAP: u8 = 5; // map<string,bytes> entry, wire type 2; tape: [code|ascii, koff, klen, voff, vlen]
export const K_COMMAND: u8 = 6; // Frame.command (decoded in place, no tape word)
export const K_CASE: u8 = 7; // a oneof member; tape: [caseCode] (decode), [caseCode, size] (encode)

/** Kind of each code (96 entries: frame, four cases, command). */
// prettier-ignore
export const KINDS: usize = memory.data<u8>([
  // 0..15: Frame: 1 command, 2 message_id, 3 reliability, 4 timestamp, 5 metadata
  0, K_COMMAND, K_STR, K_ENUM, K_U64, K_MAP, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  // 16..31: SystemCommand: type, format, message, metadata, data, compression, encryption
  K_CASE, K_ENUM, K_ENUM, K_STR, K_MAP, K_BYTES, K_STR, K_STR, 0, 0, 0, 0, 0, 0, 0, 0,
  // 32..47: PayloadCommand: type, message_id, payload, metadata, seq
  K_CASE, K_ENUM, K_STR, K_BYTES, K_MAP, K_U64, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  // 48..63: NotificationCommand: type, title, content, metadata
  K_CASE, K_ENUM, K_STR, K_BYTES, K_MAP, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  // 64..79: CustomCommand: name, data, metadata
  K_CASE, K_STR, K_BYTES, K_MAP, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  // 80..95: Command: oneof type { system = 1, payload = 2, notification = 3, custom = 4 }
  0, K_CASE, K_CASE, K_CASE, K_CASE, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
]);
export const KINDS_LEN: i32 = 96;

// Error codes (negative returns). src/codec/wasm-frame-errors.ts maps them to CodecErrors.
/** Input ends inside a field, or a declared length runs past its message. */
export const E_TRUNCATED: i32 = -1;
/** A varint longer than 10 bytes or over 64 bits. */
export const E_VARINT: i32 = -2;
/** Wire type 6 or 7, or a known field with the wrong wire type. */
export const E_WIRE_TYPE: i32 = -3;
/** Field number 0, or a key over 32 bits. */
export const E_FIELD: i32 = -4;
/** A string field that is not valid UTF-8. */
export const E_UTF8: i32 = -5;
/** An end-group tag without its start, or with another field number. */
export const E_GROUP: i32 = -6;
/** Groups nested more than 100 deep. */
export const E_NESTING: i32 = -7;
/** The tape has no room for the frame (the caller grows it and retries). */
export const E_TAPE_FULL: i32 = -8;
/** A declared or actual frame length over the stream limit. */
export const E_TOO_LARGE: i32 = -9;
/** The output buffer is too small (the caller's size bound was wrong). */
export const E_OUTPUT_FULL: i32 = -10;
/** An encode tape op this module does not know. */
export const E_BAD_OP: i32 = -11;
/** A zero-length frame where a frame must not be empty (stream packing). */
export const E_EMPTY: i32 = -12;
/** The frame needs more of its pages in WASM memory (the caller loads them and retries). */
export const E_NEED: i32 = -13;
