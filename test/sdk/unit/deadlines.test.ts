import { expect } from 'chai';
import { Deadlines } from '../../../src/sdk/deadlines.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Counts setTimeout calls made while `fn` runs. */
function countTimers(fn: () => void): number {
  const real = globalThis.setTimeout;
  let n = 0;
  globalThis.setTimeout = ((...args: Parameters<typeof setTimeout>) => {
    n++;
    return real(...args);
  }) as typeof setTimeout;
  try {
    fn();
  } finally {
    globalThis.setTimeout = real;
  }
  return n;
}

describe('Deadlines (request timeouts on one timer)', () => {
  it('fires an entry after its time, and not one deleted before', async () => {
    const d = new Deadlines<string>();
    const fired: string[] = [];
    d.add('a', 20, () => fired.push('a'));
    d.add('b', 20, () => fired.push('b'));
    d.delete('b');
    await sleep(60);
    expect(fired).to.deep.equal(['a']);
    expect(d.size).to.equal(0);
  });

  it('arms one timer for many entries of the same timeout, and again only for an earlier one', async () => {
    const d = new Deadlines<number>();
    const fired: number[] = [];
    const timers = countTimers(() => {
      for (let i = 0; i < 100; i++) d.add(i, 10_000, () => fired.push(i));
    });
    expect(timers).to.equal(1);
    expect(countTimers(() => d.add(-1, 10, () => fired.push(-1)))).to.equal(1);
    await sleep(60);
    expect(fired).to.deep.equal([-1]);
    expect(d.size).to.equal(100);
    d.clear();
    expect(d.size).to.equal(0);
  });

  it('after firing, re-arms for the earliest entry still waiting', async () => {
    const d = new Deadlines<string>();
    const fired: string[] = [];
    d.add('soon', 10, () => fired.push('soon'));
    d.add('later', 50, () => fired.push('later'));
    await sleep(30);
    expect(fired).to.deep.equal(['soon']);
    await sleep(80);
    expect(fired).to.deep.equal(['soon', 'later']);
  });

  it('an entry added again replaces its deadline', async () => {
    const d = new Deadlines<string>();
    const fired: string[] = [];
    d.add('k', 10, () => fired.push('first'));
    d.add('k', 10, () => fired.push('second'));
    await sleep(50);
    expect(fired).to.deep.equal(['second']);
  });
});
