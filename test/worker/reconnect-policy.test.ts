import { expect } from 'chai';
import { BackoffReconnectPolicy, NEVER_RECONNECT } from '../../src/worker/reconnect-policy.ts';

/** A random source that returns the given values in turn. */
function seq(...values: number[]): () => number {
  let i = 0;
  return () => values[i++ % values.length]!;
}

describe('worker/reconnect-policy', () => {
  it('uses the seed defaults: bound 1 s, doubling, capped at 30 s', () => {
    const p = new BackoffReconnectPolicy();
    expect([0, 1, 2, 3, 4, 5, 6, 10].map((n) => p.boundFor(n))).to.deep.equal([
      1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000,
    ]);
    expect(p.boundFor(10_000)).to.equal(30000);
  });

  it('draws a full-jitter delay: random in [0, bound)', () => {
    const almostOne = 0.999999;
    const p = new BackoffReconnectPolicy({ random: seq(0, 0.5, almostOne) });
    expect(p.nextRetryDelayInMs({ retryCount: 3, elapsedMs: 0 })).to.equal(0);
    expect(p.nextRetryDelayInMs({ retryCount: 3, elapsedMs: 0 })).to.equal(4000);
    expect(p.nextRetryDelayInMs({ retryCount: 3, elapsedMs: 0 })).to.equal(7999);
  });

  it('spreads delays across the window (many draws with Math.random stay within bounds)', () => {
    const p = new BackoffReconnectPolicy({ initialDelayMs: 100, maxDelayMs: 1000 });
    const draws = Array.from({ length: 500 }, () => p.nextRetryDelayInMs({ retryCount: 2, elapsedMs: 0 })!);
    expect(Math.min(...draws)).to.be.at.least(0);
    expect(Math.max(...draws)).to.be.below(400);
    // Full jitter, not a fixed value: the draws are spread out.
    expect(new Set(draws).size).to.be.greaterThan(50);
  });

  it('gives up after maxAttempts or maxElapsedMs', () => {
    const p = new BackoffReconnectPolicy({ maxAttempts: 3, maxElapsedMs: 60_000, random: seq(0.5) });
    expect(p.nextRetryDelayInMs({ retryCount: 2, elapsedMs: 0 })).to.equal(2000);
    expect(p.nextRetryDelayInMs({ retryCount: 3, elapsedMs: 0 })).to.equal(null);
    expect(p.nextRetryDelayInMs({ retryCount: 0, elapsedMs: 60_000 })).to.equal(null);
    expect(new BackoffReconnectPolicy({ maxAttempts: 0 }).nextRetryDelayInMs({ retryCount: 0, elapsedMs: 0 })).to.equal(null);
  });

  it('never retries earlier than the server asked, with a little jitter on top', () => {
    const p = new BackoffReconnectPolicy({ random: seq(0.5) });
    expect(p.nextRetryDelayInMs({ retryCount: 0, elapsedMs: 0, serverRetryAfterMs: 5000 })).to.equal(5500);
    // A past suggestion (negative remaining) is no floor.
    expect(p.nextRetryDelayInMs({ retryCount: 1, elapsedMs: 0, serverRetryAfterMs: -100 })).to.equal(1000);
  });

  it('retries at once when the network comes back, unless the server asked for a wait', () => {
    const p = new BackoffReconnectPolicy({ random: seq(0.9) });
    expect(p.nextRetryDelayInMs({ retryCount: 7, elapsedMs: 100_000, networkRestored: true })).to.equal(0);
    expect(p.nextRetryDelayInMs({ retryCount: 7, elapsedMs: 0, networkRestored: true, serverRetryAfterMs: 800 })).to.equal(800);
    // Exhausted stays exhausted.
    const limited = new BackoffReconnectPolicy({ maxAttempts: 2 });
    expect(limited.nextRetryDelayInMs({ retryCount: 2, elapsedMs: 0, networkRestored: true })).to.equal(null);
  });

  it('rejects nonsense options and offers a never-retry policy', () => {
    expect(() => new BackoffReconnectPolicy({ multiplier: 0.5 })).to.throw(RangeError);
    expect(() => new BackoffReconnectPolicy({ initialDelayMs: 5000, maxDelayMs: 100 })).to.throw(RangeError);
    expect(() => new BackoffReconnectPolicy({ maxAttempts: -1 })).to.throw(RangeError);
    expect(NEVER_RECONNECT.nextRetryDelayInMs({ retryCount: 0, elapsedMs: 0 })).to.equal(null);
  });
});
