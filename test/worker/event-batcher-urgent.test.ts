import { expect } from 'chai';
import { EventBatcher } from '../../src/worker/event-batcher.ts';
import { FakeClock } from './helpers/fake-clock.ts';

describe('worker/event-batcher: urgent events', () => {
  function setup() {
    const clock = new FakeClock();
    const micro: Array<() => void> = [];
    const batches: string[][] = [];
    const b = new EventBatcher<string>({ clock, minIntervalMs: 8, deliver: (events) => batches.push(events), microtask: (fn) => micro.push(fn), urgent: (e) => e.startsWith('answer') });
    return { clock, b, batches, run: () => micro.splice(0).forEach((f) => f()) };
  }

  it('an urgent event goes at the end of the task while busy, taking what waits with it', () => {
    const { clock, b, batches, run } = setup();
    b.push('m1');
    run();
    clock.advance(1);
    b.push('m2'); // busy: waits for the spacing
    run();
    expect(batches).to.deep.equal([['m1']]);
    clock.advance(0.5);
    b.push('answer-1');
    run();
    expect(batches).to.deep.equal([['m1'], ['m2', 'answer-1']]);
    clock.advance(10); // the cancelled timer delivers nothing more
    run();
    expect(batches).to.have.length(2);
  });

  it('ping-pong answers never wait for the spacing', () => {
    const { clock, b, batches, run } = setup();
    for (let i = 0; i < 20; i++) {
      clock.advance(0.4);
      b.push(`answer-${i}`);
      run();
      expect(batches.length).to.equal(i + 1);
    }
  });
});
