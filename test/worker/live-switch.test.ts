import { expect } from 'chai';
import { LiveSwitch } from '../../src/worker/live-switch.ts';
import { SwitchPolicy } from '../../src/worker/switch-policy.ts';
import type { ProtocolMetrics } from '../../src/worker/scorer.ts';
import type { TransportKind } from '../../src/worker/transport.ts';
import { FakeClock, advanceAsync } from './helpers/fake-clock.ts';

const m = (kind: TransportKind, score: number, samples = 5): ProtocolMetrics => ({
  kind,
  connectMs: 10,
  rttMs: 5,
  p50Ms: 5,
  p99Ms: 5,
  jitterMs: 1,
  lossRate: 0,
  successRate: 1,
  samples,
  score,
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
    score: (x) => x.score,
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

  it('measures the link in use first when it has too few samples to judge', async () => {
    const clock = new FakeClock();
    let refreshed = 0;
    const measured: TransportKind[] = [];
    const live = new LiveSwitch({
      clock,
      policy: new SwitchPolicy(),
      intervalMs: 1000,
      healthyScore: 60,
      kinds: ['webtransport', 'websocket'],
      current: () => ({ kind: 'webtransport', metrics: m('webtransport', 0, 0) }),
      refresh: () => refreshed++,
      score: (x) => x.score,
      measure: async (kind) => (measured.push(kind), m(kind, 90)),
      switchTo: async () => {},
    });
    expect(await live.check()).to.equal(null);
    expect(refreshed).to.equal(1);
    expect(measured).to.deep.equal([]);
  });
});
