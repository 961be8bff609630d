/**
 * UTF-8 for the JavaScript protobuf codec and metadata text: a plain loop for
 * short ASCII strings (message ids, metadata keys and values: the common case,
 * where TextEncoder / TextDecoder's per-call cost dominates) and the native
 * coders otherwise. The codec decodes strictly (invalid UTF-8 is an error, as
 * in prost); metadata text is read leniently (utf8Text).
 */

const encoder = new TextEncoder();
const strictDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const lenientDecoder = new TextDecoder('utf-8');

/** Strings up to this many characters take the hand-written paths. */
const SHORT = 48;

/**
 * UTF-8 byte length of `s`. Lone surrogates count as the 3-byte U+FFFD that
 * TextEncoder writes for them.
 */
export function utf8Length(s: string): number {
  const n = s.length;
  let len = n;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) len += 1;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < n) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        i++; // a pair: 2 UTF-16 units -> 4 bytes
        len += 2;
      } else len += 2;
    } else len += 2;
  }
  return len;
}

/**
 * Writes `s` (whose UTF-8 length is `byteLength`) at `pos`; returns the end.
 * `byteLength === s.length` means the string is ASCII.
 */
export function writeUtf8(buf: Uint8Array, pos: number, s: string, byteLength: number): number {
  const n = s.length;
  if (byteLength === n && n <= SHORT) {
    for (let i = 0; i < n; i++) buf[pos + i] = s.charCodeAt(i);
    return pos + n;
  }
  encoder.encodeInto(s, buf.subarray(pos, pos + byteLength));
  return pos + byteLength;
}

/**
 * Decodes UTF-8 bytes `buf[start, end)`. Returns null on invalid UTF-8 (the
 * caller turns that into a CodecError naming the field).
 */
export function readUtf8(buf: Uint8Array, start: number, end: number): string | null {
  return asciiText(buf, start, end) ?? decodeStrict(buf, start, end);
}

/** `s` as UTF-8 in a new array. */
export function utf8Bytes(s: string): Uint8Array<ArrayBuffer> {
  const n = s.length;
  if (n > SHORT) return encoder.encode(s);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) return encoder.encode(s);
    out[i] = c;
  }
  return out;
}

/** The text of UTF-8 bytes, invalid sequences read as U+FFFD (as TextDecoder does by default). */
export function utf8Text(bytes: Uint8Array): string {
  return asciiText(bytes, 0, bytes.length) ?? lenientDecoder.decode(bytes);
}

/** `buf[start, end)` as a string when it is short and all ASCII, else null. */
function asciiText(buf: Uint8Array, start: number, end: number): string | null {
  const n = end - start;
  if (n === 0) return '';
  if (n > SHORT) return null;
  // Measured fastest for short ASCII: codes into a plain array, then one fromCharCode.
  const codes: number[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const c = buf[start + i]!;
    if (c >= 0x80) return null;
    codes[i] = c;
  }
  return String.fromCharCode.apply(null, codes);
}

function decodeStrict(buf: Uint8Array, start: number, end: number): string | null {
  try {
    return strictDecoder.decode(buf.subarray(start, end));
  } catch {
    return null;
  }
}
