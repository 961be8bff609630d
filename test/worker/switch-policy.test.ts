import { expect } from 'chai';
import { SwitchPolicy } from '../../src/worker/switch-policy.ts';

const wt = (score: number) => ({ kind: 'webtransport' as const, score });
const ws = (score: number) => ({ kind: 'websocket' as const, score });

describe('worker/switch-policy', () => {
  it('leaves WebTransport only for a lead above the away margin held for sustainMs', () => {
    const p = new SwitchPolicy({ sustainMs: 10_000, cooldownMs: 0 });
    expect(p.observe(0, wt(80), ws(90))).to.equal(null); // lead 10 = margin: not enough
    expect(p.leading).to.equal(false);
    expect(p.observe(0, wt(70), ws(90))).to.equal(null); // lead 20: the clock starts
    expect(p.leading).to.equal(true);
    expect(p.observe(9_999, wt(70), ws(90))).to.equal(null);
    expect(p.observe(10_000, wt(70), ws(90))).to.equal('websocket');
  });

  it('restarts the sustain clock when the lead is lost, even briefly', () => {
    const p = new SwitchPolicy({ sustainMs: 10_000, cooldownMs: 0 });
    p.observe(0, wt(50), ws(90));
    p.observe(5_000, wt(85), ws(90)); // lead gone
    expect(p.observe(10_000, wt(50), ws(90))).to.equal(null);
    expect(p.observe(20_000, wt(50), ws(90))).to.equal('websocket');
  });

  it('comes back to WebTransport as soon as it is at least as good (bonus included)', () => {
    const p = new SwitchPolicy({ sustainMs: 0, cooldownMs: 0 });
    expect(p.observe(0, ws(80), wt(79))).to.equal(null);
    expect(p.observe(0, ws(80), wt(80))).to.equal('webtransport');
  });

  it('never flaps between equal scores, and honours the cooldown', () => {
    const p = new SwitchPolicy({ sustainMs: 0, cooldownMs: 60_000, awayMargin: 0 });
    expect(p.observe(0, wt(80), ws(80))).to.equal(null);
    expect(p.observe(0, ws(80), wt(80))).to.equal('webtransport');
    p.switched(0);
    expect(p.observe(1000, wt(50), ws(90))).to.equal(null); // cooling down
    expect(p.observe(60_000, wt(50), ws(90))).to.equal('websocket');
  });

  it('a band between the thresholds keeps the current transport whichever it is', () => {
    const p = new SwitchPolicy({ sustainMs: 0, cooldownMs: 0 });
    // Effective scores 85 vs 80: inside the band [back 0, away 10].
    expect(p.observe(0, wt(80), ws(85))).to.equal(null);
    expect(p.observe(0, ws(85), wt(80))).to.equal(null);
    expect(p.observe(0, ws(85), null)).to.equal(null);
  });
});
