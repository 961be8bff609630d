/**
 * Broker values as bytes for Redis (the "envelope" of broker.ts): log entries
 * for streams and pub/sub, and every other BrokerMessage.
 *
 * - An entry *body* is `<header JSON>\n<payload bytes>`; the header holds the
 *   log name and every LogEntry field but `seq` and `payload`. JSON never
 *   contains a raw newline, so the first `\n` ends it. Streams store bodies
 *   under the id `<seq>-0`, so the seq is the stream id.
 * - A pub/sub *message* is `E<seq>\n<body>` for an entry (the append script
 *   builds it in Lua from the body and the seq it just assigned), or
 *   `J<JSON>` for the other kinds, with byte fields as `{"$b": base64}`.
 * Metadata values are text when they are valid UTF-8, else `{"$b": base64}`.
 */
import type { Metadata } from '../../src/codec/frame-types.ts';
import type { BrokerMessage, LogEntry, PresenceMember } from './broker.ts';

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const NL = 0x0a;
const TAG_ENTRY = 0x45; // 'E'
const TAG_JSON = 0x4a; // 'J'

export function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

export function fromBase64(text: string): Uint8Array {
  const s = atob(text);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

type Wire = string | { $b: string };

function encodeMeta(metadata: Metadata): Record<string, Wire> {
  const out: Record<string, Wire> = {};
  for (const k of Object.keys(metadata)) {
    const v = metadata[k]!;
    try {
      out[k] = strictUtf8.decode(v);
    } catch {
      out[k] = { $b: toBase64(v) };
    }
  }
  return out;
}

function decodeMeta(wire: Record<string, Wire> | undefined): Metadata {
  const out: Metadata = Object.create(null);
  if (!wire) return out;
  for (const k of Object.keys(wire)) {
    const v = wire[k]!;
    out[k] = typeof v === 'string' ? encoder.encode(v) : fromBase64(v.$b);
  }
  return out;
}

interface EntryHeader {
  l: string;
  m: string;
  t: number;
  md: Record<string, Wire>;
  f: string;
  c: string;
  ts: number;
  r: number;
}

function concat(head: Uint8Array, tail: Uint8Array): Uint8Array {
  const out = new Uint8Array(head.length + 1 + tail.length);
  out.set(head, 0);
  out[head.length] = NL;
  out.set(tail, head.length + 1);
  return out;
}

/** The body of an entry (stream value, and pub/sub message after `E<seq>\n`). */
export function encodeEntryBody(log: string, e: Omit<LogEntry, 'seq'>): Uint8Array {
  const h: EntryHeader = { l: log, m: e.messageId, t: e.type, md: encodeMeta(e.metadata), f: e.from, c: e.fromConnection, ts: e.timestamp, r: e.reliability };
  return concat(encoder.encode(JSON.stringify(h)), e.payload);
}

/** Reads an entry body; `seq` comes from the stream id or the message prefix. */
export function decodeEntryBody(body: Uint8Array, seq: number): { log: string; entry: LogEntry } {
  const nl = body.indexOf(NL);
  if (nl < 0) throw new Error('broker entry without a header');
  const h = JSON.parse(decoder.decode(body.subarray(0, nl))) as EntryHeader;
  return {
    log: h.l,
    entry: {
      seq,
      messageId: h.m,
      type: h.t,
      payload: body.slice(nl + 1),
      metadata: decodeMeta(h.md),
      from: h.f,
      fromConnection: h.c,
      timestamp: h.ts,
      reliability: h.r,
    },
  };
}

/** The seq of a stream id `<seq>-0`. */
export function seqOfId(id: Uint8Array | string): number {
  const s = typeof id === 'string' ? id : decoder.decode(id);
  const dash = s.indexOf('-');
  return Number(dash < 0 ? s : s.slice(0, dash));
}

function replacer(_key: string, value: unknown): unknown {
  return value instanceof Uint8Array ? { $b: toBase64(value) } : value;
}

function reviver(_key: string, value: unknown): unknown {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === '$b' && typeof (value as { $b: unknown }).$b === 'string') return fromBase64((value as { $b: string }).$b);
  }
  return value;
}

/** A pub/sub message. Entries are normally built by the append script instead (same bytes). */
export function encodeMessage(message: BrokerMessage): Uint8Array {
  if (message.kind === 'entry') {
    const head = encoder.encode(`E${message.entry.seq}`);
    return concat(head, encodeEntryBody(message.log, message.entry));
  }
  const json = encoder.encode(JSON.stringify(message, replacer));
  const out = new Uint8Array(json.length + 1);
  out[0] = TAG_JSON;
  out.set(json, 1);
  return out;
}

export function decodeMessage(bytes: Uint8Array): BrokerMessage {
  if (bytes[0] === TAG_ENTRY) {
    const nl = bytes.indexOf(NL);
    if (nl < 0) throw new Error('broker entry message without a seq');
    const seq = Number(decoder.decode(bytes.subarray(1, nl)));
    const { log, entry } = decodeEntryBody(bytes.subarray(nl + 1), seq);
    return { kind: 'entry', log, entry };
  }
  if (bytes[0] === TAG_JSON) return JSON.parse(decoder.decode(bytes.subarray(1)), reviver) as BrokerMessage;
  throw new Error(`unknown broker message tag ${bytes[0]}`);
}

export function encodeMember(m: PresenceMember): string {
  return JSON.stringify(m);
}

export function decodeMember(text: string | Uint8Array): PresenceMember {
  return JSON.parse(typeof text === 'string' ? text : decoder.decode(text)) as PresenceMember;
}
