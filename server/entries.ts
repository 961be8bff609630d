/**
 * Room and direct messages between frames and log entries: a published
 * PayloadCommand becomes a LogEntry (the broker assigns its seq); an entry
 * becomes the PayloadCommand delivered to members, with `seq` set and `from`
 * added to its metadata.
 */
import { Reliability, type Frame, type PayloadCommand } from '../src/codec/frame-types.ts';
import { payloadFrame } from '../src/codec/frames.ts';
import { textMeta } from '../src/codec/metadata.ts';
import { RouteKey } from '../src/protocol/extensions.ts';
import type { LogEntry } from './broker/broker.ts';
import { SharedFrame } from './wire.ts';

/** The entry for a published payload frame (seq is assigned by the broker). */
export function entryFromFrame(frame: Frame, from: string, fromConnection: string, now = Date.now()): Omit<LogEntry, 'seq'> {
  const p = frame.command!.value as PayloadCommand;
  return {
    messageId: p.messageId || frame.messageId,
    type: p.type,
    payload: p.payload,
    metadata: p.metadata,
    from,
    fromConnection,
    timestamp: now,
    reliability: frame.reliability,
  };
}

/** The frame that delivers an entry; `history` marks replays. */
export function entryFrame(entry: LogEntry, history = false): Frame {
  const metadata = Object.assign(Object.create(null), entry.metadata, textMeta({ [RouteKey.FROM]: entry.from, [RouteKey.FROM_CONNECTION]: entry.fromConnection }));
  if (history) metadata[RouteKey.HISTORY] = new TextEncoder().encode('1');
  return payloadFrame(
    entry.type,
    { messageId: entry.messageId, payload: entry.payload, seq: entry.seq, metadata },
    { messageId: entry.messageId, timestamp: entry.timestamp, reliability: entry.reliability === Reliability.BEST_EFFORT ? Reliability.BEST_EFFORT : Reliability.AT_LEAST_ONCE },
  );
}

const shared = new WeakMap<LogEntry, SharedFrame>();

/**
 * A live entry as a frame encoded once for all its receivers in this process
 * (memoized per entry object); best-effort entries may be dropped from full queues.
 */
export function sharedEntry(entry: LogEntry): SharedFrame {
  let f = shared.get(entry);
  if (!f) {
    f = new SharedFrame(entryFrame(entry), entry.reliability === Reliability.BEST_EFFORT);
    shared.set(entry, f);
  }
  return f;
}
