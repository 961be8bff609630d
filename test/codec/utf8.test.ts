// The short-ASCII fast paths of src/codec/utf8.ts agree with TextEncoder / TextDecoder on any input.
import { expect } from 'chai';
import fc from 'fast-check';
import { readUtf8, utf8Bytes, utf8Text } from '../../src/codec/utf8.ts';
import { metaText, textMeta } from '../../src/codec/metadata.ts';

const encoder = new TextEncoder();
const lenient = new TextDecoder('utf-8');
const strings = fc.oneof(fc.string({ maxLength: 60 }), fc.string({ unit: 'binary', maxLength: 60 }), fc.string({ unit: 'grapheme', maxLength: 60 }));
const bytes = fc.oneof(fc.uint8Array({ maxLength: 60 }), fc.uint8Array({ maxLength: 60, max: 0x7f }));

describe('utf8', () => {
  it('utf8Bytes writes what TextEncoder writes (ASCII, any Unicode, lone surrogates)', () => {
    fc.assert(
      fc.property(strings, (s) => {
        expect([...utf8Bytes(s)]).to.deep.equal([...encoder.encode(s)]);
      }),
    );
    expect([...utf8Bytes('\ud800x')]).to.deep.equal([0xef, 0xbf, 0xbd, 0x78]);
  });

  it('utf8Text reads what a default TextDecoder reads, invalid bytes as U+FFFD', () => {
    fc.assert(
      fc.property(bytes, (b) => {
        expect(utf8Text(b)).to.equal(lenient.decode(b));
      }),
    );
    expect(utf8Text(new Uint8Array([0x61, 0xff]))).to.equal('a\ufffd');
  });

  it('readUtf8 stays strict: invalid UTF-8 is null', () => {
    fc.assert(fc.property(bytes, (b) => {
      let expected: string | null;
      try {
        expected = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(b);
      } catch {
        expected = null;
      }
      expect(readUtf8(b, 0, b.length)).to.equal(expected);
    }));
  });

  it('metadata text round-trips through the fast paths', () => {
    fc.assert(fc.property(fc.dictionary(fc.string({ minLength: 1, maxLength: 10 }), strings), (d) => {
      const m = textMeta(d);
      for (const [k, v] of Object.entries(d)) expect(metaText(m, k)).to.equal(lenient.decode(encoder.encode(v)));
    }));
  });
});
