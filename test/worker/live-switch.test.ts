import { expect } from 'chai';
import { LiveSwitch } from '../../src/worker/live-switch.ts';
import { SwitchPolicy } from '../../src/worker/switch-policy.ts';
import type { ProtocolMetrics } from '../../src/worker/scorer.ts';
import type { TransportKind } from '../../src/worker/transport.ts';
import { FakeClock, advanceAsync } from './helpers/fake-clock.ts';

const m = (kind: TransportKind, score: number): ProtocolMetrics => ({
  kind,
  connectMs: score, // the test's scorer reads the score from here
  rttMs: null,
  jitterMs: null,
  lossRate: 0,
  throughputMsgsPerSec: null,
  successRate: 1,
  samples: 1,
});

function setup(current: { kind: TransportKind; score: number }, otherScore: number | 'down') {
  const clock = new FakeClock();
  const measured: TransportKind[] = [];
  const switches: string[] = [];
  let cur = { ...current };
  const live = new LiveSwitch({
    clock,
    policy: new SwitchPolicy({ sustainMs: 20_000, cooldownMs: 60_000 }),
    intervalMs: 10_000,
    healthyScore: 60,
    kinds: ['webtransport', 'websocket'],
    current: () => ({ kind: cur.kind, metrics: m(cur.kind, cur.score) }),
    score: (x) => x.connectMs!,
    measure: async (kind) => {
      measured.push(kind);
      if (otherScore === 'down') throw new Error('unreachable');
      return m(kind, otherScore);
    },
    switchTo: async (kind, reason) => {
      switches.push(`${cur.kind}>${kind} (${reason})`);
      cur = { kind, score: otherScore as number };
    },
  });
  return { clock, live, measured, switches, setCurrent: (score: number) => (cur.score = score) };
}

describe('worker/live-switch', () => {
  it('leaves a healthy preferred link alone: no extra dials', async () => {
    const s = setup({ kind: 'webtransport', score: 90 }, 95);
    s.live.start();
    await advanceAsync(s.clock, 60_000);
    expect(s.measured).to.deep.equal([]);
    expect(s.switches).to.deep.equal([]);
    s.live.stop();
  });

  it('measures the other transport when the preferred one degrades and switches once the lead has held', async () => {
    const s = setup({ kind: 'webtransport', score: 40 }, 80);
    s.live.start();
    await advanceAsync(s.clock, 10_000); // first look: the lead starts
    expect(s.measured).to.deep.equal(['websocket']);
    expect(s.switches).to.deep.equal([]);
    await advanceAsync(s.clock, 20_000); // held for 20 s
    expect(s.switches).to.deep.equal(['webtransport>websocket (score 80.0 vs 40.0)']);
    s.live.stop();
  });

  it('keeps re-measuring from the non-preferred transport, and does nothing while the other is down', async () => {
    const s = setup({ kind: 'websocket', score: 90 }, 'down');
    s.live.start();
    await advanceAsync(s.clock, 30_000);
    expect(s.measured).to.deep.equal(['webtransport', 'webtransport', 'webtransport']);
    expect(s.switches).to.deep.equal([]);
    s.live.stop();
    await advanceAsync(s.clock, 30_000);
    expect(s.measured).to.have.length(3); // stopped
  });

  it('does not switch on a brief dip', async () => {
    const s = setup({ kind: 'webtransport', score: 40 }, 80);
    s.live.start();
    await advanceAsync(s.clock, 10_000);
    s.setCurrent(90); // recovered before the lead could hold
    await advanceAsync(s.clock, 30_000);
    expect(s.switches).to.deep.equal([]);
  });
});
