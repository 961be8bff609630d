import { expect } from 'chai';
import { payloadFrame } from '../../src/codec/frames.ts';
import { PayloadType } from '../../src/codec/frame-types.ts';
import { FlareError } from '../../src/codec/errors.ts';
import { Outbox, type OutboxEntry, type OutboxEvent, type PriorityName } from '../../src/worker/outbox.ts';
import { createMessageIdGenerator } from '../../src/worker/message-id.ts';

const WALL = 1_700_000_000_000;
let n = 0;
function msg(bytes = 10) {
  return payloadFrame(PayloadType.MESSAGE, { payload: new Uint8Array(bytes) }, { messageId: `m${n++}` });
}
function ids(entries: OutboxEntry[]): string[] {
  return entries.map((e) => e.id);
}

describe('worker/outbox', () => {
  beforeEach(() => {
    n = 0;
  });

  it('sends highest priority first and FIFO within a priority', () => {
    const box = new Outbox();
    const order: Array<[PriorityName, string]> = [];
    for (const p of ['low', 'normal', 'critical', 'high', 'normal', 'critical', 'low'] as PriorityName[]) {
      const e = box.enqueue(msg(), WALL, { priority: p });
      order.push([p, e.id]);
    }
    expect(ids(box.takeSendable(0, WALL))).to.deep.equal(['m2', 'm5', 'm3', 'm1', 'm4', 'm0', 'm6']);
    expect(box.inFlight).to.equal(7);
    expect(box.takeSendable(1, WALL)).to.deep.equal([]);
  });

  it('keeps frames until ACKed and reports each ACK once', () => {
    const events: OutboxEvent[] = [];
    const box = new Outbox({ onEvent: (e) => events.push(e) });
    box.enqueue(msg(), WALL);
    box.enqueue(msg(), WALL);
    box.takeSendable(0, WALL);
    expect(box.ack('m1')?.id).to.equal('m1');
    expect(box.ack('m1')).to.equal(null); // duplicate ACK
    expect(box.ack('nope')).to.equal(null);
    expect(box.size).to.equal(1);
    expect(events.map((e) => `${e.type}:${e.entry.id}`)).to.deep.equal(['acked:m1']);
  });

  it('resends a frame not ACKed within resendAfterMs, before younger frames of its priority', () => {
    const box = new Outbox({ resendAfterMs: 1000 });
    box.enqueue(msg(), WALL);
    expect(ids(box.takeSendable(0, WALL))).to.deep.equal(['m0']);
    box.enqueue(msg(), WALL);
    // m1 is taken at 500 and m0 is not yet due.
    expect(ids(box.takeSendable(500, WALL))).to.deep.equal(['m1']);
    expect(box.nextWakeAt(500, WALL)).to.equal(1000);
    expect(ids(box.takeSendable(1000, WALL))).to.deep.equal(['m0']);
    expect(box.entries().find((e) => e.id === 'm0')!.attempts).to.equal(2);
    expect(ids(box.takeSendable(1500, WALL))).to.deep.equal(['m1']);
  });

  it('after a reconnect resends everything in flight first, in original order', () => {
    const box = new Outbox();
    for (let i = 0; i < 3; i++) box.enqueue(msg(), WALL);
    box.takeSendable(0, WALL);
    box.enqueue(msg(), WALL);
    box.ack('m1');
    box.requeueInFlight();
    expect(box.inFlight).to.equal(0);
    expect(ids(box.takeSendable(10, WALL))).to.deep.equal(['m0', 'm2', 'm3']);
  });

  it('limits frames in flight (maxInFlight) and sends the rest as ACKs arrive', () => {
    const box = new Outbox({ maxInFlight: 2 });
    for (let i = 0; i < 5; i++) box.enqueue(msg(), WALL);
    expect(ids(box.takeSendable(0, WALL))).to.deep.equal(['m0', 'm1']);
    expect(box.takeSendable(1, WALL)).to.deep.equal([]);
    box.ack('m0');
    expect(ids(box.takeSendable(2, WALL))).to.deep.equal(['m2']);
  });

  it('expires frames past their TTL with a MESSAGE_EXPIRED error event, queued or in flight', () => {
    const events: OutboxEvent[] = [];
    const box = new Outbox({ onEvent: (e) => events.push(e) });
    box.enqueue(msg(), WALL, { ttlMs: 1000 });
    box.enqueue(msg(), WALL, { ttlMs: 5000 });
    box.enqueue(msg(), WALL); // no TTL
    box.takeSendable(0, WALL);
    box.enqueue(msg(), WALL + 100, { ttlMs: 900 });
    expect(box.nextWakeAt(0, WALL + 100)).to.equal(900);
    expect(box.expire(WALL + 999)).to.equal(0);
    expect(box.expire(WALL + 1000)).to.equal(2);
    expect(events.map((e) => `${e.type}:${e.entry.id}`)).to.deep.equal(['expired:m0', 'expired:m3']);
    const first = events[0]!;
    expect(first.type === 'expired' && FlareError.is(first.error, 'message_expired')).to.equal(true);
    expect(box.ack('m0')).to.equal(null); // a late ACK of an expired frame is ignored
    expect(ids(box.entries())).to.deep.equal(['m1', 'm2']);
  });

  it('fails a frame on an error ACK instead of resending it', () => {
    const events: OutboxEvent[] = [];
    const box = new Outbox({ onEvent: (e) => events.push(e) });
    box.enqueue(msg(), WALL);
    box.takeSendable(0, WALL);
    box.ack('m0', 'room not found');
    expect(events).to.have.length(1);
    const e = events[0]!;
    expect(e.type).to.equal('failed');
    expect(e.type === 'failed' && e.error.code).to.equal('remote_error');
    expect(e.type === 'failed' && e.error.message).to.equal('room not found');
    expect(box.size).to.equal(0);
  });

  it('when full, evicts the oldest waiting frame of the lowest lower priority, else refuses', () => {
    const events: OutboxEvent[] = [];
    const box = new Outbox({ maxEntries: 3, onEvent: (e) => events.push(e) });
    box.enqueue(msg(), WALL, { priority: 'normal' }); // m0
    box.enqueue(msg(), WALL, { priority: 'low' }); // m1
    box.enqueue(msg(), WALL, { priority: 'low' }); // m2
    box.enqueue(msg(), WALL, { priority: 'high' }); // m3 evicts m1
    box.enqueue(msg(), WALL, { priority: 'normal' }); // m4 evicts m2
    expect(events.map((e) => `${e.type}:${e.entry.id}`)).to.deep.equal(['failed:m1', 'failed:m2']);
    expect(() => box.enqueue(msg(), WALL, { priority: 'normal' })).to.throw(FlareError).with.property('code', 'queue_full');
    expect(() => box.enqueue(msg(), WALL, { priority: 'low' })).to.throw(/full/);
    box.enqueue(msg(), WALL, { priority: 'critical' }); // evicts m0 (normal, oldest)
    expect(ids(box.entries())).to.deep.equal(['m7', 'm3', 'm4']);
  });

  it('bounds bytes as well as entries, and never evicts frames in flight', () => {
    const box = new Outbox({ maxBytes: 1000 });
    box.enqueue(msg(600), WALL, { priority: 'low' });
    box.takeSendable(0, WALL);
    expect(() => box.enqueue(msg(600), WALL, { priority: 'critical' })).to.throw(/full/);
    expect(() => box.enqueue(msg(5000), WALL, { priority: 'critical' })).to.throw(/full/);
    expect(box.size).to.equal(1);
    expect(box.bytes).to.be.greaterThan(600);
  });

  it('refuses duplicate ids and unknown priorities', () => {
    const box = new Outbox();
    const f = msg();
    box.enqueue(f, WALL);
    expect(() => box.enqueue(f, WALL)).to.throw(/already queued/);
    expect(() => box.enqueue(msg(), WALL, { priority: 'urgent' as PriorityName })).to.throw(/unknown priority/);
  });

  it('restores stored entries in their original order with their deadlines and attempts', () => {
    const a = new Outbox();
    a.enqueue(msg(), WALL, { priority: 'low' });
    a.enqueue(msg(), WALL + 1, { ttlMs: 60_000 });
    a.enqueue(msg(), WALL + 2);
    a.takeSendable(0, WALL);
    const stored = structuredClone(a.entries());
    const b = new Outbox();
    b.enqueue(msg(), WALL + 10);
    b.restore(stored);
    expect(ids(b.takeSendable(0, WALL + 20))).to.deep.equal(['m3', 'm1', 'm2', 'm0']);
    const m1 = b.entries().find((e) => e.id === 'm1')!;
    expect(m1.expiresAt).to.equal(WALL + 1 + 60_000);
    expect(m1.attempts).to.equal(2);
  });

  it('writes through to its store: put on enqueue, delete on ack / expiry / eviction', () => {
    const log: string[] = [];
    const box = new Outbox({ maxEntries: 2, store: { put: (e) => log.push(`put ${e.id}`), delete: (id) => log.push(`del ${id}`) } });
    box.enqueue(msg(), WALL, { priority: 'low' });
    box.enqueue(msg(), WALL, { ttlMs: 10 });
    box.enqueue(msg(), WALL, { priority: 'high' });
    box.takeSendable(0, WALL);
    box.ack('m2');
    box.expire(WALL + 10);
    expect(log).to.deep.equal(['put m0', 'put m1', 'del m0', 'put m2', 'del m2', 'del m1']);
  });
});

describe('worker/message-id', () => {
  it('keeps flare-core\'s shape and does not collide across generators started in the same millisecond', () => {
    const g1 = createMessageIdGenerator();
    const g2 = createMessageIdGenerator();
    const seen = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      for (const id of [g1(WALL), g2(WALL)]) {
        expect(id).to.match(/^1700000000000-[0-9a-f]{16}$/);
        seen.add(id);
      }
    }
    expect(seen.size).to.equal(2000);
    const fixed = createMessageIdGenerator(() => 0.5);
    expect(fixed(WALL)).to.equal('1700000000000-8000000000000000');
    expect(fixed(WALL)).to.equal('1700000000000-8000000000000001');
  });
});
