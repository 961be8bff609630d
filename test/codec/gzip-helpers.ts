/**
 * Inputs and hand-made DEFLATE streams for the gzip tests: deterministic
 * corpora, a bit writer to craft blocks no encoder would write, and the
 * browser's own gzip (CompressionStream) as a reference.
 */
import { crc32 } from '../../src/codec/gzip-js.ts';

/** mulberry32: the same corpus in every run. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NAMES = ['alice', 'bob', 'carol', 'dmitri', 'eve', 'fatima', 'guo', 'hana', 'ines', 'jun'];
const WORDS = 'the a to and of you is in it that for on are with this be at have not can we our will your just see'.split(' ');
const EMOJI = ['😀', '🎉', '👍', '🚀', '❤️', '中文', 'ñ'];

/** Chat messages as JSON, about `bytes` long in total. */
export function chatJson(bytes: number, seed = 1): string {
  const r = rng(seed);
  const parts: string[] = [];
  let n = 0;
  let i = 0;
  while (n < bytes) {
    const words = Array.from({ length: 3 + Math.floor(r() * 14) }, () => WORDS[Math.floor(r() * WORDS.length)]);
    if (r() < 0.3) words.push(EMOJI[Math.floor(r() * EMOJI.length)]!);
    const m = JSON.stringify({
      id: `${1795390476283 + i * 37}-${i.toString(16).padStart(16, '0')}`,
      from: NAMES[Math.floor(r() * NAMES.length)],
      ts: 1795390476283 + i * 1234,
      text: words.join(' '),
    });
    parts.push(m);
    n += m.length + 1;
    i++;
  }
  return `[${parts.join(',')}]`;
}

export function randomBytes(n: number, seed = 7): Uint8Array {
  const r = rng(seed);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (r() * 256) | 0;
  return out;
}

export const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

/** LSB-first bit writer, as DEFLATE packs its fields. */
export class BitWriter {
  bytes: number[] = [];
  #bit = 0;
  /** Writes `n` bits of `v`, least significant first (header fields, extra bits). */
  bits(v: number, n: number): this {
    for (let i = 0; i < n; i++) {
      if (this.#bit === 0) this.bytes.push(0);
      if ((v >>> i) & 1) this.bytes[this.bytes.length - 1]! |= 1 << this.#bit;
      this.#bit = (this.#bit + 1) & 7;
    }
    return this;
  }
  /** Writes a Huffman code of `n` bits, most significant first. */
  code(c: number, n: number): this {
    for (let i = n - 1; i >= 0; i--) this.bits((c >>> i) & 1, 1);
    return this;
  }
  /** A symbol of the fixed literal/length code (RFC 1951 3.2.6). */
  fixed(sym: number): this {
    if (sym < 144) return this.code(0x30 + sym, 8);
    if (sym < 256) return this.code(0x190 + sym - 144, 9);
    if (sym < 280) return this.code(sym - 256, 7);
    return this.code(0xc0 + sym - 280, 8);
  }
  toBytes(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}

/** Wraps a raw DEFLATE stream in a gzip member for `data` (or a given CRC/size). */
export function member(deflate: Uint8Array, data: Uint8Array | { crc: number; size: number }): Uint8Array {
  const out = new Uint8Array(18 + deflate.length);
  out.set([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255]);
  out.set(deflate, 10);
  const v = new DataView(out.buffer);
  const crc = data instanceof Uint8Array ? crc32(data) : data.crc;
  const size = data instanceof Uint8Array ? data.length : data.size;
  v.setUint32(10 + deflate.length, crc, true);
  v.setUint32(14 + deflate.length, size >>> 0, true);
  return out;
}

/** A fixed-Huffman stream of one zero then `n` matches of 258 zeros (13 bits each). */
export function zeroBomb(n: number): Uint8Array {
  const w = new BitWriter().bits(1, 1).bits(1, 2).fixed(0);
  for (let i = 0; i < n; i++) w.fixed(285).code(0, 5);
  return w.fixed(256).toBytes();
}

/** BTYPE of the first block of a gzip member with a plain 10-byte header. */
export function firstBlockType(gz: Uint8Array): number {
  return (gz[10]! >> 1) & 3;
}

/** Runs `data` through the browser's own CompressionStream or DecompressionStream. */
export async function viaStream(data: Uint8Array, stream: CompressionStream | DecompressionStream): Promise<Uint8Array> {
  const s = new Blob([data as Uint8Array<ArrayBuffer>]).stream().pipeThrough(stream);
  return new Uint8Array(await new Response(s).arrayBuffer());
}
