import { expect } from 'chai';
import { EventBatcher, ownedBytes } from '../../src/worker/event-batcher.ts';
import { FakeClock } from './helpers/fake-clock.ts';

function setup(opts: { maxBatch?: number; minIntervalMs?: number } = {}) {
  const clock = new FakeClock();
  const micro: Array<() => void> = [];
  const batches: Array<{ events: number[]; transfer: Transferable[] }> = [];
  const b = new EventBatcher<number>({
    clock,
    deliver: (events, transfer) => batches.push({ events, transfer }),
    microtask: (fn) => micro.push(fn),
    ...opts,
  });
  const runMicrotasks = () => micro.splice(0).forEach((f) => f());
  return { clock, b, batches, runMicrotasks };
}

describe('worker/event-batcher', () => {
  it('delivers a lone event at the end of the task, and a burst in one batch', () => {
    const { b, batches, runMicrotasks } = setup();
    b.push(1);
    b.push(2);
    b.push(3);
    expect(batches).to.deep.equal([]);
    runMicrotasks();
    expect(batches.map((x) => x.events)).to.deep.equal([[1, 2, 3]]);
  });

  it('while busy, spaces deliveries by minIntervalMs and coalesces everything in between', () => {
    const { clock, b, batches, runMicrotasks } = setup({ minIntervalMs: 8 });
    b.push(1);
    runMicrotasks();
    // A flood: 100 events arriving 0.1 ms apart.
    for (let i = 0; i < 100; i++) {
      clock.advance(0.1);
      b.push(100 + i);
      runMicrotasks();
    }
    clock.advance(10);
    runMicrotasks();
    expect(batches.length).to.be.at.most(3);
    expect(batches.flatMap((x) => x.events)).to.have.length(101);
    expect(batches.flatMap((x) => x.events)).to.deep.equal([1, ...Array.from({ length: 100 }, (_, i) => 100 + i)]);
  });

  it('delivers a full batch at once and never exceeds maxBatch', () => {
    const { clock, b, batches, runMicrotasks } = setup({ maxBatch: 4 });
    for (let i = 0; i < 10; i++) b.push(i);
    runMicrotasks();
    expect(batches.map((x) => x.events.length)).to.deep.equal([4, 4]);
    clock.advance(8); // busy: the rest follows after the interval
    expect(batches.map((x) => x.events.length)).to.deep.equal([4, 4, 2]);
  });

  it('transfers each buffer once per batch', () => {
    const { b, batches, runMicrotasks } = setup();
    const shared = new ArrayBuffer(8);
    const other = new ArrayBuffer(4);
    b.push(1, [shared]);
    b.push(2, [shared, other]);
    runMicrotasks();
    expect(batches[0]!.transfer).to.deep.equal([shared, other]);
  });

  it('really moves the bytes across a MessageChannel (the buffer is detached here)', async () => {
    const ch = new MessageChannel();
    const got = new Promise<MessageEvent>((r) => (ch.port2.onmessage = r));
    const clock = new FakeClock();
    const b = new EventBatcher<{ data: Uint8Array }>({ clock, deliver: (events, transfer) => ch.port1.postMessage(events, transfer) });
    const bytes = ownedBytes(new Uint8Array([1, 2, 3]));
    b.push({ data: bytes }, [bytes.buffer]);
    await Promise.resolve();
    expect(bytes.buffer.byteLength).to.equal(0); // detached: moved, not copied
    const ev = await got;
    expect([...(ev.data as Array<{ data: Uint8Array }>)[0]!.data]).to.deep.equal([1, 2, 3]);
    ch.port1.close();
    ch.port2.close();
  });

  it('copies views into larger buffers before they may be transferred', () => {
    const big = new Uint8Array([9, 8, 7, 6]);
    const view = big.subarray(1, 3);
    const owned = ownedBytes(view);
    expect(owned.buffer).to.not.equal(big.buffer);
    expect([...owned]).to.deep.equal([8, 7]);
    const whole = new Uint8Array(3);
    expect(ownedBytes(whole)).to.equal(whole);
  });

  it('clear() drops what waits', () => {
    const { clock, b, batches, runMicrotasks } = setup();
    b.push(1);
    b.clear();
    runMicrotasks();
    clock.advance(100);
    expect(batches).to.deep.equal([]);
    expect(b.pending).to.equal(0);
  });
});
