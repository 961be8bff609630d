import { expect } from 'chai';
import fc from 'fast-check';
import { gradeNetworkQuality, scoreOfLevel, summarizeRoundTrips } from '../../../src/sdk/call/network-quality.ts';
import { NetworkQualityLevel } from '../../../src/sdk/call/call-types.ts';

describe('network quality grading', () => {
  it('grades each metric against the documented thresholds and keeps the worst', () => {
    expect(gradeNetworkQuality({ rttMs: 20, packetLoss: 0, jitterMs: 2 })).to.equal(NetworkQualityLevel.Excellent);
    expect(gradeNetworkQuality({ rttMs: 100, packetLoss: 0.009, jitterMs: 10 })).to.equal(1);
    expect(gradeNetworkQuality({ rttMs: 101 })).to.equal(2);
    expect(gradeNetworkQuality({ rttMs: 250 })).to.equal(3);
    expect(gradeNetworkQuality({ rttMs: 500 })).to.equal(4);
    expect(gradeNetworkQuality({ rttMs: 2000 })).to.equal(5);
    expect(gradeNetworkQuality({ packetLoss: 0.01 })).to.equal(2);
    expect(gradeNetworkQuality({ packetLoss: 0.05 })).to.equal(3);
    expect(gradeNetworkQuality({ packetLoss: 0.1 })).to.equal(4);
    expect(gradeNetworkQuality({ packetLoss: 0.3 })).to.equal(5);
    expect(gradeNetworkQuality({ packetLoss: 0.5 })).to.equal(NetworkQualityLevel.Down);
    expect(gradeNetworkQuality({ jitterMs: 40 })).to.equal(3);
    expect(gradeNetworkQuality({ rttMs: 20, packetLoss: 0, jitterMs: 80 })).to.equal(4);
    expect(gradeNetworkQuality({ rttMs: null })).to.equal(NetworkQualityLevel.Down);
  });

  it('is monotonic: worse figures never give a better level', () => {
    const metric = fc.record({ rttMs: fc.double({ min: 0, max: 3000, noNaN: true }), packetLoss: fc.double({ min: 0, max: 1, noNaN: true }), jitterMs: fc.double({ min: 0, max: 500, noNaN: true }) });
    fc.assert(
      fc.property(metric, fc.double({ min: 0, max: 500, noNaN: true }), fc.double({ min: 0, max: 0.5, noNaN: true }), (m, dRtt, dLoss) => {
        const worse = { rttMs: m.rttMs + dRtt, packetLoss: Math.min(1, m.packetLoss + dLoss), jitterMs: m.jitterMs };
        expect(gradeNetworkQuality(worse)).to.be.at.least(gradeNetworkQuality(m));
      }),
    );
  });

  it("maps levels onto the seed's coarse verdict", () => {
    expect(scoreOfLevel(1)).to.equal('excellent');
    expect(scoreOfLevel(2)).to.equal('good');
    expect(scoreOfLevel(3)).to.equal('good');
    expect(scoreOfLevel(4)).to.equal('poor');
    expect(scoreOfLevel(6)).to.equal('poor');
  });

  it('summarises round trips: median RTT, mean successive difference as jitter, lost fraction', () => {
    const q = summarizeRoundTrips([10, 30, null, 20, 40, null, 10, 20, 30, 10]);
    expect(q).to.not.equal(null);
    expect(q!.packetLoss).to.equal(0.2);
    expect(q!.rttMs).to.equal(20);
    // replies 10,30,20,40,10,20,30,10 -> |diffs| 20,10,20,30,10,10,20 = 120 / 7
    expect(q!.jitterMs).to.be.closeTo(120 / 7, 1e-9);
    expect(q!.level).to.equal(gradeNetworkQuality({ rttMs: 20, packetLoss: 0.2, jitterMs: 120 / 7 }));
    expect(summarizeRoundTrips([])).to.equal(null);
    const down = summarizeRoundTrips([null, null, null]);
    expect(down).to.deep.equal({ rttMs: null, jitterMs: null, packetLoss: 1, level: 6 });
  });
});
