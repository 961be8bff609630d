import { expect } from 'chai';
import { SlicedQueue } from '../../../src/sdk/sliced-queue.ts';

describe('SlicedQueue', () => {
  function setup(costMs: number) {
    let t = 0;
    const tasks: Array<() => void> = [];
    const seen: number[] = [];
    const q = new SlicedQueue<number>(
      (n) => {
        seen.push(n);
        t += costMs;
      },
      { budgetMs: 8, slice: 4, now: () => t, yieldTask: (fn) => tasks.push(fn) },
    );
    return { q, seen, tasks, runTask: () => tasks.shift()!() };
  }

  it('handles a small batch at once, in the same task', () => {
    const { q, seen, tasks } = setup(0.01);
    q.push([1, 2, 3]);
    expect(seen).to.deep.equal([1, 2, 3]);
    expect(tasks).to.have.length(0);
  });

  it('splits a flood into tasks within the budget, keeping order across batches', () => {
    const { q, seen, tasks, runTask } = setup(1); // 1 ms per item: 8 fit a task
    q.push([...Array(20).keys()]);
    expect(seen).to.have.length(8);
    q.push([100, 101]); // arrives while a backlog waits: queued behind it
    expect(seen).to.have.length(8);
    expect(q.backlog).to.equal(14);
    while (tasks.length) runTask();
    expect(seen).to.deep.equal([...Array(20).keys(), 100, 101]);
    expect(q.backlog).to.equal(0);
  });

  it('a handler that throws does not stop the queue', () => {
    const errors: unknown[] = [];
    const saved = globalThis.reportError;
    globalThis.reportError = (e) => errors.push(e);
    try {
      const seen: number[] = [];
      const q = new SlicedQueue<number>((n) => {
        if (n === 2) throw new Error('boom');
        seen.push(n);
      });
      q.push([1, 2, 3]);
      expect(seen).to.deep.equal([1, 3]);
      expect(errors).to.have.length(1);
    } finally {
      globalThis.reportError = saved;
    }
  });
});
