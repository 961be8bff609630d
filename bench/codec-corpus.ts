/**
 * Frames for the codec benchmark, the same for every contender and every run
 * (seeded): chat-sized Payload MESSAGE frames (~200 bytes on the wire) and
 * large ones (~64 KB payload), both with realistic metadata.
 */
import { PayloadType, payloadFrame, type Frame } from '../src/codec/index.ts';
import { rng } from './harness.ts';

const WORDS = ['hello', 'are', 'you', 'coming', 'tonight', 'ok', 'see', 'you', 'at', 'eight', 'thanks', '👍', 'Zürich', 'meeting', 'moved'];

function chatText(rand: () => number, targetLength: number): string {
  let s = '';
  while (s.length < targetLength) s += `${WORDS[Math.floor(rand() * WORDS.length)]} `;
  return s.trim();
}

function frame(rand: () => number, i: number, payload: Uint8Array): Frame {
  const ts = 1795390572980 + i;
  return payloadFrame(
    PayloadType.MESSAGE,
    {
      payload,
      seq: 1000 + i,
      metadata: { conversation_id: `conv-${(i % 7) + 1}`, sender_id: `user-${Math.floor(rand() * 100)}`, content_type: 'text' },
    },
    { messageId: `${ts}-${i.toString(16).padStart(16, '0')}`, timestamp: ts },
  );
}

/** `count` chat frames with ~40-80 byte JSON payloads (~200 B encoded). */
export function smallFrames(count: number): Frame[] {
  const rand = rng(1);
  const enc = new TextEncoder();
  return Array.from({ length: count }, (_, i) =>
    frame(rand, i, enc.encode(JSON.stringify({ text: chatText(rand, 25 + Math.floor(rand() * 40)) }))),
  );
}

/** `count` frames with 64 KB binary payloads. */
export function largeFrames(count: number): Frame[] {
  const rand = rng(2);
  return Array.from({ length: count }, (_, i) => {
    const payload = new Uint8Array(64 * 1024);
    for (let j = 0; j < payload.length; j++) payload[j] = (rand() * 256) | 0;
    return frame(rand, i, payload);
  });
}
