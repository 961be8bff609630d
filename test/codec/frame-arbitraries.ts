/**
 * fast-check arbitraries for valid frames, and a normal form to compare
 * frames by value (bytes as hex, metadata sorted) across codecs.
 */
import fc from 'fast-check';
import type { Command, Frame, Metadata } from '../../src/codec/frame-types.ts';
import { emptyMetadata } from '../../src/codec/metadata.ts';
import { toHex } from '../fixtures/flare-core.ts';

/** Well-formed Unicode text (no lone surrogates: they are not valid UTF-8). */
const text = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: 'grapheme-ascii', maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary-ascii', minLength: 40, maxLength: 300 }) },
);

const bytes = fc.oneof(
  { weight: 4, arbitrary: fc.uint8Array({ maxLength: 64 }) },
  { weight: 1, arbitrary: fc.uint8Array({ minLength: 100, maxLength: 2000 }) },
);

/** int32 enum values: mostly known ones, some open-enum values, negatives included. */
const enumValue = fc.oneof(
  { weight: 5, arbitrary: fc.integer({ min: 0, max: 12 }) },
  { weight: 1, arbitrary: fc.integer({ min: -2147483648, max: 2147483647 }) },
);

/** uint64 as numbers: small, around 2^32, and up to 2^53 - 1. */
const uint64 = fc.oneof(
  fc.integer({ min: 0, max: 300 }),
  fc.integer({ min: 0, max: 0xffffffff }),
  fc.constantFrom(0xffffffff, 0x100000000, 1795390572980),
  fc.maxSafeNat(),
);

const metaKey = fc.oneof(
  { weight: 1, arbitrary: fc.constantFrom('', '__proto__', 'constructor', 'toString', 'format', 'user_id', '0', '10') },
  { weight: 4, arbitrary: text },
);

/** A metadata record (null prototype), built by assignment as a decoder builds it. */
export const metadataArb: fc.Arbitrary<Metadata> = fc
  .array(fc.tuple(metaKey, bytes), { maxLength: 6 })
  .map((entries) => {
    const m = emptyMetadata();
    for (const [k, v] of entries) m[k] = v;
    return m;
  });

const commandArb: fc.Arbitrary<Command> = fc.oneof(
  fc.record({
    type: enumValue, format: enumValue, message: text, metadata: metadataArb, data: bytes, compression: text, encryption: text,
  }).map((value): Command => ({ case: 'system', value })),
  fc.record({ type: enumValue, messageId: text, payload: bytes, metadata: metadataArb, seq: uint64 })
    .map((value): Command => ({ case: 'payload', value })),
  fc.record({ type: enumValue, title: text, content: bytes, metadata: metadataArb })
    .map((value): Command => ({ case: 'notification', value })),
  fc.record({ name: text, data: bytes, metadata: metadataArb }).map((value): Command => ({ case: 'custom', value })),
);

/** Any valid frame. */
export const frameArb: fc.Arbitrary<Frame> = fc.record({
  command: fc.option(commandArb, { nil: null, freq: 8 }),
  messageId: text,
  reliability: enumValue,
  timestamp: uint64,
  metadata: metadataArb,
});

function normalMeta(m: Metadata): Array<[string, string]> {
  return Object.keys(m)
    .sort()
    .map((k) => [k, toHex(m[k]!)]);
}

/** A frame as a plain, comparable value. */
export function normalize(frame: Frame): unknown {
  const c = frame.command;
  let command: unknown = null;
  if (c) {
    const value: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(c.value)) {
      value[k] = v instanceof Uint8Array ? toHex(v) : k === 'metadata' ? normalMeta(v as Metadata) : v;
    }
    command = { case: c.case, value };
  }
  return {
    command,
    messageId: frame.messageId,
    reliability: frame.reliability,
    timestamp: frame.timestamp,
    metadata: normalMeta(frame.metadata),
  };
}
