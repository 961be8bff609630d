import { expect } from 'chai';
import { Heartbeat, type HeartbeatDeathReason } from '../../src/worker/heartbeat.ts';
import { ClockOffsetEstimator } from '../../src/worker/clock-offset.ts';
import { FakeClock } from './helpers/fake-clock.ts';

function setup(opts: { interval?: number; timeout?: number; recheck?: number; pong?: number } = {}) {
  const clock = new FakeClock();
  const pings: string[] = [];
  const deaths: Array<{ reason: HeartbeatDeathReason; silentMs: number }> = [];
  const rtts: number[] = [];
  let n = 0;
  const hb = new Heartbeat({
    clock,
    intervalMs: opts.interval ?? 30_000,
    timeoutMs: opts.timeout ?? 90_000,
    recheckTimeoutMs: opts.recheck ?? 5000,
    pongTimeoutMs: opts.pong ?? 10_000,
    sendPing: () => {
      const id = `p${n++}`;
      pings.push(id);
      return id;
    },
    onDead: (info) => deaths.push(info),
    onRtt: (s) => rtts.push(s.rttMs),
  });
  return { clock, hb, pings, deaths, rtts };
}

describe('worker/heartbeat', () => {
  it('pings every interval and stays alive while PONGs come back', () => {
    const { clock, hb, pings, deaths, rtts } = setup();
    hb.start();
    clock.advance(30_000);
    for (let i = 0; i < 10; i++) {
      clock.advance(40);
      hb.notePong(null, clock.wallNow());
      clock.advance(29_960);
    }
    expect(pings).to.have.length(11);
    expect(deaths).to.deep.equal([]);
    expect(rtts).to.deep.equal(Array(10).fill(40));
  });

  it('declares death after timeoutMs of silence on punctual ticks', () => {
    const { clock, hb, pings, deaths } = setup({ pong: 1_000_000 });
    hb.start();
    clock.advance(89_999);
    expect(deaths).to.deep.equal([]);
    clock.advance(1);
    expect(deaths).to.deep.equal([{ reason: 'timeout', silentMs: 90_000 }]);
    expect(pings).to.have.length(2);
    expect(hb.running).to.equal(false);
    expect(clock.pending).to.equal(0);
  });

  it('counts any frame as life, not only PONGs', () => {
    const { clock, hb, deaths } = setup();
    hb.start();
    for (let i = 0; i < 20; i++) {
      clock.advance(20_000);
      hb.noteActivity();
    }
    expect(deaths).to.deep.equal([]);
  });

  it('does not declare death from a late (throttled) tick even after long silence; re-checks instead', () => {
    const { clock, hb, pings, deaths } = setup();
    hb.start();
    // The tab is in the background: no timer fires for 10 minutes, frames may be queued behind the tick.
    clock.stall(600_000);
    clock.fireOverdue();
    expect(deaths).to.deep.equal([]);
    expect(hb.rechecking).to.equal(true);
    expect(pings).to.have.length(1);
    // The queued PONG is delivered right after.
    clock.advance(3);
    hb.notePong(pings[0]!, clock.wallNow());
    expect(hb.rechecking).to.equal(false);
    clock.advance(35_000);
    expect(deaths).to.deep.equal([]);
  });

  it('re-checks when a PING goes unanswered for pongTimeoutMs, finding a dead link long before timeoutMs', () => {
    const { clock, hb, pings, deaths } = setup({ pong: 10_000 });
    hb.start();
    clock.advance(30_000); // p0
    expect(pings).to.have.length(1);
    clock.advance(9_999);
    expect(hb.rechecking).to.equal(false);
    clock.advance(1); // p0 unanswered for 10 s: re-check sends p1
    expect(hb.rechecking).to.equal(true);
    expect(pings).to.have.length(2);
    clock.advance(5000);
    expect(deaths).to.deep.equal([{ reason: 'recheck_failed', silentMs: 45_000 }]);
  });

  it('any frame after the PING counts as an answer for the PONG deadline', () => {
    const { clock, hb, deaths } = setup({ pong: 10_000 });
    hb.start();
    clock.advance(30_000); // PING
    clock.advance(5_000);
    hb.noteActivity(); // a message, not the PONG
    clock.advance(20_000);
    expect(hb.rechecking).to.equal(false);
    expect(deaths).to.deep.equal([]);
  });

  it('a late tick on a dead connection is noticed within the re-check timeout', () => {
    const { clock, hb, deaths } = setup();
    hb.start();
    clock.stall(600_000);
    clock.fireOverdue();
    clock.advance(4999);
    expect(deaths).to.deep.equal([]);
    clock.advance(1);
    expect(deaths).to.have.length(1);
    expect(deaths[0]!.reason).to.equal('recheck_failed');
  });

  it('allows one fresh re-check when the re-check deadline itself fires late, then judges by elapsed time', () => {
    const { clock, hb, pings, deaths } = setup();
    hb.start();
    hb.recheck();
    clock.stall(60_000);
    clock.fireOverdue();
    expect(deaths).to.deep.equal([]);
    expect(pings).to.have.length(2);
    clock.stall(60_000);
    clock.fireOverdue();
    expect(deaths.map((d) => d.reason)).to.deep.equal(['recheck_failed']);
  });

  it('re-checks at once on demand (online / visible / resume) and detects a dead link in seconds', () => {
    const { clock, hb, pings, deaths } = setup();
    hb.start();
    clock.advance(10_000);
    hb.recheck();
    hb.recheck(); // a second signal while waiting sends nothing more
    expect(pings).to.have.length(1);
    clock.advance(5000);
    expect(deaths).to.have.length(1);
    expect(deaths[0]).to.deep.equal({ reason: 'recheck_failed', silentMs: 15_000 });
  });

  it('matches PONGs by echoed id and drops older unanswered PINGs', () => {
    const { clock, hb, pings, rtts } = setup({ interval: 1000, timeout: 10_000 });
    hb.start();
    clock.advance(1000); // p0
    clock.advance(1000); // p1
    clock.advance(1000); // p2
    clock.advance(50);
    hb.notePong(pings[1]!, clock.wallNow());
    expect(rtts).to.deep.equal([1050]);
    hb.notePong(pings[0]!, clock.wallNow()); // p0 was dropped as older than p1
    expect(rtts).to.have.length(1);
    hb.notePong(null, clock.wallNow()); // takes the oldest pending: p2
    expect(rtts).to.deep.equal([1050, 50]);
  });

  it('stop() cancels everything', () => {
    const { clock, hb, pings, deaths } = setup();
    hb.start();
    hb.stop();
    clock.advance(1_000_000);
    expect(pings).to.deep.equal([]);
    expect(deaths).to.deep.equal([]);
    expect(clock.pending).to.equal(0);
  });
});

describe('worker/clock-offset', () => {
  it('estimates the offset from the lowest-RTT sample (NTP min filter)', () => {
    const est = new ClockOffsetEstimator(4);
    expect(est.estimate).to.equal(null);
    // True offset +500 ms. Symmetric fast sample, asymmetric slow ones.
    est.add(10_000, 100, 10_000 + 50 + 500, 0); // symmetric: exact
    est.add(20_000, 400, 20_000 + 350 + 500, 1); // slow reply path skews it
    est.add(30_000, 300, 30_000 + 20 + 500, 2);
    expect(est.estimate).to.deep.equal({ offsetMs: 500, errorMs: 50, samples: 3 });
  });

  it('forgets samples beyond its window and rejects unusable ones', () => {
    const est = new ClockOffsetEstimator(2);
    est.add(0, 10, 1005, 0); // offset 1000, best RTT
    est.add(0, 40, 2020, 1);
    est.add(0, 30, 3015, 2); // pushes the first one out
    expect(est.estimate!.offsetMs).to.equal(3000);
    expect(est.add(0, -1, 5, 3)).to.equal(null);
    expect(est.add(0, 10, 0, 3)).to.equal(null);
    est.reset();
    expect(est.estimate).to.equal(null);
  });
});
