// Bad input for every FrameCodec: random bytes, mutated, truncated and padded
// valid frames, huge declared lengths, deep nesting. Every outcome is a frame
// or a CodecError; nothing else is thrown and nothing hangs.
import { expect } from 'chai';
import fc from 'fast-check';
import { CodecError, ErrorCode, SystemType, systemFrame } from '../../src/codec/index.ts';
import type { FrameCodec } from '../../src/codec/index.ts';
import { hexBytes } from '../fixtures/flare-core.ts';
import { codecsUnderTest } from './codecs-under-test.ts';
import { frameArb, normalize } from './frame-arbitraries.ts';

const impls = await codecsUnderTest();

/** Decodes; returns the frame, or the CodecError (anything else fails the test). */
function attempt(codec: FrameCodec, bytes: Uint8Array): unknown {
  try {
    return codec.decode(bytes);
  } catch (e) {
    if (!(e instanceof CodecError)) throw new Error(`decode threw a non-CodecError: ${String(e)}`);
    return e;
  }
}

function expectCode(codec: FrameCodec, bytes: Uint8Array, ...codes: string[]): void {
  const out = attempt(codec, bytes);
  expect(out, 'decode should fail').to.be.instanceOf(CodecError);
  expect(codes).to.include((out as CodecError).code);
}

/** A valid frame's bytes with one of several kinds of damage. */
const damaged = (codec: FrameCodec) =>
  fc.tuple(frameArb, fc.nat(), fc.integer({ min: 0, max: 255 }), fc.uint8Array({ minLength: 1, maxLength: 16 }), fc.nat(4)).map(
    ([frame, at, byte, extra, kind]) => {
      const b = codec.encode(frame);
      const i = b.length === 0 ? 0 : at % b.length;
      switch (kind) {
        case 0: { const c = b.slice(); if (c.length) c[i] = byte; return c; } // overwrite
        case 1: { const c = b.slice(); if (c.length) c[i]! ^= 1 << (byte & 7); return c; } // bit flip
        case 2: return b.slice(0, i); // truncate
        case 3: { const c = new Uint8Array(b.length + extra.length); c.set(b); c.set(extra, b.length); return c; } // trailing garbage
        default: { const c = new Uint8Array(b.length + extra.length); c.set(b.subarray(0, i)); c.set(extra, i); c.set(b.subarray(i), i + extra.length); return c; } // insertion
      }
    },
  );

for (const { name, codec } of impls) {
  describe(`FrameCodec on bad input: ${name}`, () => {
    it('random bytes give a frame or a CodecError', () => {
      fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => void attempt(codec, bytes)), { numRuns: 1000 });
    });

    it('damaged valid frames give a frame or a CodecError', () => {
      fc.assert(fc.property(damaged(codec), (bytes) => void attempt(codec, bytes)), { numRuns: 1000 });
    });

    it('a decoded frame re-encodes to an equivalent frame (decode is canonicalising)', () => {
      fc.assert(
        fc.property(damaged(codec), (bytes) => {
          const out = attempt(codec, bytes);
          if (out instanceof CodecError) return;
          const again = codec.decode(codec.encode(out as Parameters<FrameCodec['encode']>[0]));
          expect(normalize(again)).to.deep.equal(normalize(out as Parameters<FrameCodec['encode']>[0]));
        }),
        { numRuns: 500 },
      );
    });

    it('refuses input that is not a Uint8Array with INVALID_ARGUMENT', () => {
      for (const v of [null, undefined, 'abc', [1, 2], new ArrayBuffer(4)]) {
        try {
          codec.decode(v as unknown as Uint8Array);
          expect.fail('should throw');
        } catch (e) {
          expect(e).to.be.instanceOf(CodecError);
          expect((e as CodecError).code).to.equal(ErrorCode.INVALID_ARGUMENT);
        }
      }
    });

    if (codec.format === 'json') {
      it('every proper prefix of a JSON frame is a MALFORMED_FRAME', () => {
        const bytes = codec.encode(systemFrame(SystemType.CONNECT, { metadata: { user_id: 'alice' } }));
        for (let i = 0; i < bytes.length; i++) expectCode(codec, bytes.subarray(0, i), ErrorCode.MALFORMED_FRAME);
      });

      it('deeply nested JSON is a MALFORMED_FRAME, not a stack overflow', () => {
        const deep = '['.repeat(200_000) + ']'.repeat(200_000);
        expectCode(codec, new TextEncoder().encode(deep), ErrorCode.MALFORMED_FRAME);
        const deepCmd = `{"command":${'{"type":'.repeat(50_000)}null${'}'.repeat(50_000)},"message_id":"","reliability":0,"timestamp":0,"metadata":{}}`;
        expectCode(codec, new TextEncoder().encode(deepCmd), ErrorCode.MALFORMED_FRAME);
      });
    } else {
      it('huge declared lengths are TRUNCATED without allocating them', () => {
        const cases = [
          '0affffffff0f', // Frame.command, length 2^32 - 1
          '12ffffffffffffffff7f', // Frame.message_id, length near 2^63
          '128080808080808080800100', // Frame.message_id, length 2^63
          '0a0612ffffffff0f', // PayloadCommand inside a 6-byte command, length 2^32 - 1
          '2a050a83808001', // metadata entry whose key declares 2^21 + 3 bytes
        ];
        for (const hex of cases) expectCode(codec, hexBytes(hex), ErrorCode.TRUNCATED, ErrorCode.MALFORMED_FRAME);
        expectCode(codec, hexBytes('0affffffff0f'), ErrorCode.TRUNCATED);
      });

      it('refuses malformed wire data with MALFORMED_FRAME', () => {
        const cases = [
          '00', // field number 0
          '0e', // wire type 6
          '0f', // wire type 7
          '1005', // Frame.message_id (a string) sent as a varint
          '0c', // an end-group tag with no group
          '18ffffffffffffffffff7f', // a varint overflowing 64 bits
          '18ffffffffffffffffffff01', // an 11-byte varint
          '1202c328', // message_id that is not UTF-8
          '7b' + '7b'.repeat(150) + '7c'.repeat(151), // groups (field 15) nested 151 deep
          '7b8401', // a group of field 15 closed by an end-group of field 16
        ];
        for (const hex of cases) expectCode(codec, hexBytes(hex), ErrorCode.MALFORMED_FRAME, ErrorCode.TRUNCATED);
        expectCode(codec, hexBytes('00'), ErrorCode.MALFORMED_FRAME);
        expectCode(codec, hexBytes('1202c328'), ErrorCode.MALFORMED_FRAME);
      });

      it('skips unknown fields of every wire type, groups included', () => {
        const base = codec.encode(systemFrame(SystemType.PING, {}, { messageId: 'm-1', timestamp: 7 }));
        // field 15 varint, field 16 fixed64, field 17 LEN, field 18 fixed32, field 19 group with a varint inside
        const unknown = hexBytes('7801' + '8101' + '0102030405060708' + '8a0103616263' + '9501' + '01020304' + '9b01' + '0801' + '9c01');
        const both = new Uint8Array(base.length + unknown.length);
        both.set(unknown);
        both.set(base, unknown.length);
        expect(normalize(codec.decode(both))).to.deep.equal(normalize(codec.decode(base)));
      });

      it('merges a repeated command of the same case; another case replaces it', () => {
        // command{system{type=4}} then command{system{message="hi"}} merge into one PING with a message.
        const merged = codec.decode(hexBytes('0a040a020804' + '0a060a041a026869'));
        expect(merged.command?.case).to.equal('system');
        const sys = merged.command!.value as { type: number; message: string };
        expect([sys.type, sys.message]).to.deep.equal([4, 'hi']);
        // command{system{type=4}} then command{custom{name="x"}}: the custom replaces the system.
        const replaced = codec.decode(hexBytes('0a040a020804' + '0a052203' + '0a0178'));
        expect(replaced.command?.case).to.equal('custom');
        expect((replaced.command!.value as { name: string }).name).to.equal('x');
      });
    }
  });
}
