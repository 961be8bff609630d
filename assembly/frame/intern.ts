// A direct-mapped cache of decoded metadata keys, so that the TypeScript side
// builds each distinct key string once and then reuses it (metadata keys come
// from a small set: `format`, `user_id`, `conversation_id`, ...). The table
// lives in a caller-owned buffer (INTERN_BYTES, zero-filled) and mirrors the
// caller's array of strings: slot i holds the bytes of the string at index i.
// Hash: FNV-1a (http://www.isthe.com/chongo/tech/comp/fnv/), 32-bit.

/** Slots in a table; the slot index travels in bits 16..23 of a tape word. */
export const INTERN_SLOTS: i32 = 256;
/** Longest key interned, in bytes. */
export const INTERN_MAX: i32 = 60;
/** Bytes per slot: a u32 (length + 1; 0 = empty) and the key bytes. */
const SLOT_BYTES: usize = 64;
/** Bytes a table takes. */
export const INTERN_BYTES: i32 = INTERN_SLOTS * <i32>SLOT_BYTES;

/** The key equals the string in its slot. */
export const FLAG_KEY_HIT: i32 = 0x200;
/** The key was stored in its slot: the caller builds the string and keeps it there. */
export const FLAG_KEY_MISS: i32 = 0x400;

let table: usize = 0;
/** Slots the current frame stored keys in (emptied again if the frame fails or restarts). */
const UNDO_MAX: i32 = 16;
const undo: usize = memory.data(UNDO_MAX * 4);
let stored: i32 = 0;

/** Uses the table at `ptr` (0: no interning) for the next frames. */
export function internUse(ptr: usize): void {
  table = ptr;
  stored = 0;
}

/** Starts a frame. */
// @ts-ignore: decorator
@inline export function internFrame(): void {
  stored = 0;
}

/**
 * After a frame failed or must be decoded again: empties the slots it stored
 * keys in, since the caller never saw those keys (its strings there are stale).
 */
export function internAbort(): void {
  if (table != 0 && stored > 0) {
    if (stored > UNDO_MAX) {
      for (let i: usize = 0; i < <usize>INTERN_SLOTS; i++) store<u32>(table + i * SLOT_BYTES, 0);
    } else {
      for (let i = 0; i < stored; i++) store<u32>(table + <usize>load<u32>(undo + (<usize>i << 2)) * SLOT_BYTES, 0);
    }
  }
  stored = 0;
}

/** Looks the `len` key bytes at `p` up; returns FLAG_KEY_HIT or FLAG_KEY_MISS with the slot, or 0. */
export function intern(p: usize, len: i32): i32 {
  if (table == 0 || len == 0 || len > INTERN_MAX) return 0;
  let h: u32 = 0x811c9dc5;
  for (let i = 0; i < len; i++) h = (h ^ <u32>load<u8>(p + <usize>i)) * 0x01000193;
  let slot = <i32>((h ^ (h >>> 16)) & <u32>(INTERN_SLOTS - 1));
  let e = table + <usize>slot * SLOT_BYTES;
  if (load<u32>(e) == <u32>(len + 1) && memory.compare(e + 4, p, <usize>len) == 0) {
    return FLAG_KEY_HIT | (slot << 16);
  }
  store<u32>(e, <u32>(len + 1));
  memory.copy(e + 4, p, <usize>len);
  if (stored < UNDO_MAX) store<u32>(undo + (<usize>stored << 2), <u32>slot);
  stored++;
  return FLAG_KEY_MISS | (slot << 16);
}
