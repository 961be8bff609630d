/**
 * UTF-8 for the JavaScript protobuf codec: a plain loop for short ASCII
 * strings (message ids, metadata keys: the common case, where TextEncoder /
 * TextDecoder's per-call cost dominates) and the native coders otherwise.
 * Decoding is strict: invalid UTF-8 is an error, as in prost.
 */

const encoder = new TextEncoder();
const strictDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

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
  const n = end - start;
  if (n === 0) return '';
  if (n <= SHORT) {
    // Measured fastest for short ASCII: codes into a plain array, then one fromCharCode.
    const codes: number[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const c = buf[start + i]!;
      if (c >= 0x80) return decodeStrict(buf, start, end);
      codes[i] = c;
    }
    return String.fromCharCode.apply(null, codes);
  }
  return decodeStrict(buf, start, end);
}

function decodeStrict(buf: Uint8Array, start: number, end: number): string | null {
  try {
    return strictDecoder.decode(buf.subarray(start, end));
  } catch {
    return null;
  }
}
