import { expect } from 'chai';
import { runNetworkTest, type NetworkProbe } from '../../../src/sdk/device/network-test.ts';
import { FakeTimers } from '../call/fake-timers.ts';
import { LoopbackProbe } from './loopback-probe.ts';

describe('network test', () => {
  it('is skipped without a probe and invents no figures', async () => {
    expect(await runNetworkTest(null)).to.deep.equal({ status: 'skipped', reason: 'no-probe' });
    expect(await runNetworkTest(undefined)).to.deep.equal({ status: 'skipped', reason: 'no-probe' });
  });

  it('measures real round trips over a loopback data channel, with real loss', async function () {
    this.timeout(60_000);
    const probe = await LoopbackProbe.open({ dropEvery: 4 });
    try {
      const seen: Array<number | null> = [];
      const result = await runNetworkTest(probe, { samples: 12, intervalMs: 10, timeoutMs: 2000, onSample: (s) => seen.push(s.rttMs) });
      expect(result.status).to.equal('measured');
      if (result.status !== 'measured') return;
      expect(result.probe).to.equal('datachannel-loopback');
      expect(result.samples).to.deep.equal(seen);
      expect(probe.pings).to.equal(12);
      // Every 4th ping is not echoed: 3 of 12 lost.
      expect(result.samples.filter((s) => s === null)).to.have.length(3);
      expect(result.quality.packetLoss).to.equal(0.25);
      expect(result.quality.rttMs).to.be.a('number').and.greaterThan(0);
      expect(result.quality.jitterMs).to.be.a('number').and.at.least(0);
      expect(result.quality.level).to.equal(5); // 25 % loss dominates: "very bad"
    } finally {
      probe.close();
    }
  });

  it('counts timeouts and rejections as lost, paced by the injected clock', async () => {
    const timers = new FakeTimers();
    const replies = [30, 'reject', 'hang', 50, 40] as const;
    let i = 0;
    const probe: NetworkProbe = {
      kind: 'scripted',
      ping: () => {
        const r = replies[i++];
        if (r === 'reject') return Promise.reject(new Error('lost'));
        if (r === 'hang') return new Promise(() => {});
        return Promise.resolve(r!);
      },
    };
    const running = runNetworkTest(probe, { samples: 5, intervalMs: 100, timeoutMs: 1000, timers });
    await timers.advance(10_000);
    const result = await running;
    expect(result).to.deep.include({ status: 'measured', probe: 'scripted', samples: [30, null, null, 50, 40] });
    if (result.status === 'measured') expect(result.quality).to.deep.include({ rttMs: 40, packetLoss: 0.4, jitterMs: 15 });
  });

  it('stops when aborted', async () => {
    const abort = new AbortController();
    const probe: NetworkProbe = { ping: () => new Promise((r) => setTimeout(() => r(5), 5)) };
    const running = runNetworkTest(probe, { samples: 100, intervalMs: 5, signal: abort.signal });
    setTimeout(() => abort.abort(), 30);
    let error: unknown;
    await running.catch((e) => (error = e));
    expect((error as DOMException).name).to.equal('AbortError');
  });
});
