// TransportScorer on both backends (WASM core and the JavaScript twin): histogram
// percentiles against exact sorted percentiles, finite scores over the whole
// range, monotonicity, windows and decay, hysteresis under seeded noise with an
// injected clock, and bit-for-bit agreement of the two backends.
import { expect } from 'chai';
import fc from 'fast-check';
import { loadWasmCore } from '../../src/codec/wasm-core.ts';
import { ErrorCode, FlareError } from '../../src/codec/errors.ts';
import { SampleKind, TransportScorer, type TransportScorerOptions, type TransportSnapshot } from '../../src/codec/scoring.ts';

const core = await loadWasmCore();
const backends = [
  { name: 'wasm', core },
  { name: 'js', core: null },
] as const;

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Exact nearest-rank percentile, with the rank rule the scorer uses. */
function exactPercentile(sorted: number[], p: number): number {
  const n = sorted.length;
  const k = Math.max(1, Math.ceil(p * n - n * 1e-9));
  return sorted[k - 1]!;
}

const snapshotFields: (keyof TransportSnapshot)[] = ['p50', 'p95', 'p99', 'ewma', 'jitter', 'throughput', 'successRate', 'loss', 'score', 'samples'];

for (const { name, core: c } of backends) {
  const make = (o: TransportScorerOptions = {}) => new TransportScorer({ core: c, clock: () => 0, ...o });

  describe(`TransportScorer (${name})`, () => {
    it('runs on the requested backend', () => {
      expect(make().backend).to.equal(name);
    });

    it('fuzz: p50/p95/p99 are within bucket precision (1/32) of the exact sorted percentiles', () => {
      const rtt = fc.oneof(
        fc.double({ min: 0, max: 4_000_000, noNaN: true }), // up to ~66 minutes
        fc.double({ min: 0, max: 5, noNaN: true }),
        fc.integer({ min: 0, max: 300 }),
        fc.constant(0),
      );
      const scorer = make();
      fc.assert(
        fc.property(fc.array(rtt, { minLength: 1, maxLength: 400 }), (xs) => {
          scorer.reset(3);
          for (const x of xs) expect(scorer.recordRtt(3, x, 0)).to.equal(true);
          const snap = scorer.snapshot(3, 0);
          const sorted = [...xs].sort((a, b) => a - b);
          for (const [p, est] of [[0.5, snap.p50], [0.95, snap.p95], [0.99, snap.p99]] as const) {
            const exact = exactPercentile(sorted, p);
            const tolerance = Math.max(exact / 32 + 1e-9, 0.001); // below 1 µs the bucket is [0, 1 µs)
            expect(Math.abs(est - exact), `p${p * 100} of ${xs.length}: ${est} vs ${exact}`).to.be.at.most(tolerance);
          }
          expect(snap.samples).to.equal(xs.length);
        }),
        { numRuns: 300 },
      );
    });

    it('keeps scores finite and in [0, 100] from 0 µs to hours, with NaN only for missing latency', () => {
      const s = make();
      const empty = s.snapshot(0, 0);
      expect(empty.score).to.equal(0);
      expect(empty.p50).to.be.NaN;
      expect(empty.ewma).to.be.NaN;
      expect(empty.successRate).to.equal(1);
      expect(empty.loss).to.equal(0);
      s.recordRtt(0, 0, 0);
      s.recordRtt(0, 0, 1);
      const zero = s.snapshot(0, 1);
      expect(zero.score).to.equal(100);
      expect(zero.p50).to.equal(0);
      for (const huge of [60_000, 3_600_000, 1e12, Number.MAX_VALUE, Infinity]) {
        s.reset(1);
        s.recordRtt(1, huge, 0);
        s.recordRtt(1, huge, 1);
        const snap = s.snapshot(1, 1);
        for (const f of snapshotFields) expect(Number.isFinite(snap[f]), `${f} for ${huge}`).to.equal(true);
        expect(snap.score).to.be.greaterThan(0).and.lessThan(0.5);
        expect(snap.p99).to.be.at.most(4294967.296);
      }
      const minute = make();
      minute.recordRtt(0, 60_000, 0);
      const second = make();
      second.recordRtt(0, 1000, 0);
      expect(minute.score(0, 0)).to.be.lessThan(second.score(0, 0));
    });

    it('fuzz: the score is monotone in latency, jitter, throughput, successes, failures and probes', () => {
      const state = fc.record({
        rtts: fc.array(fc.double({ min: 0, max: 10_000, noNaN: true }), { minLength: 1, maxLength: 30 }),
        bytes: fc.array(fc.integer({ min: 0, max: 1e6 }), { maxLength: 10 }),
        ok: fc.nat(20),
        fail: fc.nat(20),
        answered: fc.nat(20),
        lost: fc.nat(20),
      });
      type State = typeof state extends fc.Arbitrary<infer T> ? T : never;
      const scoreOf = (st: State): number => {
        const s = make();
        st.rtts.forEach((r, i) => s.recordRtt(0, r, i));
        if (st.bytes.length) st.bytes.forEach((n, i) => s.recordBytes(0, n, i));
        s.recordSuccess(0, 10, st.ok);
        s.recordFailure(0, 10, st.fail);
        for (let i = 0; i < st.answered; i++) s.recordProbe(0, true, 10);
        for (let i = 0; i < st.lost; i++) s.recordProbe(0, false, 10);
        const v = s.score(0, 100);
        s.dispose();
        return v;
      };
      fc.assert(
        fc.property(state, fc.double({ min: 0, max: 1000, noNaN: true }), fc.integer({ min: 1, max: 5 }), (st, delta, n) => {
          const base = scoreOf(st);
          expect(base).to.be.within(0, 100);
          // Every RTT later by delta: larger EWMA and no smaller deviation.
          expect(scoreOf({ ...st, rtts: st.rtts.map((r) => r + delta) })).to.be.at.most(base);
          if (st.bytes.length) expect(scoreOf({ ...st, bytes: st.bytes.map((b) => b + n * 1000) })).to.be.at.least(base);
          expect(scoreOf({ ...st, ok: st.ok + n })).to.be.at.least(base);
          expect(scoreOf({ ...st, fail: st.fail + n })).to.be.at.most(base);
          expect(scoreOf({ ...st, answered: st.answered + n })).to.be.at.least(base);
          expect(scoreOf({ ...st, lost: st.lost + n })).to.be.at.most(base);
        }),
        { numRuns: 150 },
      );
    });

    it('measures throughput, success rate and loss over the sliding window', () => {
      const s = make({ windowMs: 10_000 });
      for (let t = 0; t <= 20_000; t += 100) s.recordBytes(2, 1000, t);
      expect(s.snapshot(2, 20_000).throughput).to.be.closeTo(10_000, 700);
      expect(s.snapshot(2, 40_000).throughput).to.equal(0);
      s.recordSuccess(2, 40_000, 3);
      s.recordFailure(2, 40_000);
      s.recordProbe(2, true, 40_000);
      s.recordProbe(2, false, 40_000);
      const snap = s.snapshot(2, 41_000);
      expect(snap.successRate).to.equal(0.75);
      expect(snap.loss).to.equal(0.5);
      const later = s.snapshot(2, 60_000);
      expect(later.successRate).to.equal(1);
      expect(later.loss).to.equal(0);
    });

    it('lets old latency samples fade with the half-life', () => {
      const s = make({ halfLifeMs: 10_000 });
      for (let i = 0; i < 100; i++) s.recordRtt(0, 10, 0);
      expect(s.snapshot(0, 0).p50).to.be.closeTo(10, 0.4);
      for (let i = 0; i < 100; i++) s.recordRtt(0, 100, 60_000);
      const snap = s.snapshot(0, 60_000);
      expect(snap.p50).to.be.closeTo(100, 4);
      expect(snap.p95).to.be.closeTo(100, 4);
      expect(snap.ewma).to.be.closeTo(100, 0.01); // 100 samples at gain 1/8 converge
    });

    it('switches to a clearly better transport, only after holding for holdMs', () => {
      const s = make({ holdMs: 3000, dwellMs: 10_000 });
      const noise = rng(7);
      let current = 0;
      let switchedAt = -1;
      let betterFrom = -1;
      for (let t = 0; t < 30_000; t += 100) {
        s.recordRtt(0, 80 + noise() * 10, t);
        // Slot 1 is as slow as slot 0 until t = 5 s, then four times faster.
        s.recordRtt(1, (t < 5000 ? 80 : 20) + noise() * 10, t);
        if (current === 0 && s.decide(0, 1, t) === 'switch') {
          current = 1;
          switchedAt = t;
        }
        if (betterFrom < 0 && s.score(1, t) >= s.score(0, t) * 1.15 + 2) betterFrom = t;
      }
      expect(current).to.equal(1);
      expect(betterFrom).to.be.greaterThan(5000);
      expect(switchedAt - betterFrom).to.be.at.least(3000);
      expect(switchedAt - betterFrom).to.be.lessThan(4000);
      // And it does not come back to the slower one.
      for (let t = 30_000; t < 60_000; t += 100) {
        s.recordRtt(0, 80 + noise() * 10, t);
        s.recordRtt(1, 20 + noise() * 10, t);
        expect(s.decide(1, 0, t)).to.equal('keep');
      }
    });

    it('never flaps between two close transports under noise, where a naive ranking flaps all the time', () => {
      const s = make();
      const noise = rng(42);
      let current = 0;
      let switches = 0;
      let naive = 0;
      let naiveSwitches = 0;
      for (let t = 0; t < 600_000; t += 50) {
        // Means 30 and 32 ms, noise +-15 ms, 2% failures and occasional 300 ms spikes on both.
        for (const [slot, mean] of [[0, 30], [1, 32]] as const) {
          const spike = noise() < 0.01 ? 300 : 0;
          s.recordRtt(slot, mean + (noise() - 0.5) * 30 + spike, t);
          if (noise() < 0.02) s.recordFailure(slot, t);
          else s.recordSuccess(slot, t);
          s.recordBytes(slot, 200 + noise() * 400, t);
        }
        const other = 1 - current;
        if (s.decide(current, other, t) === 'switch') {
          current = other;
          switches++;
        }
        if (t % 500 === 0) {
          const best = s.score(1, t) > s.score(0, t) ? 1 : 0;
          if (best !== naive) naiveSwitches++;
          naive = best;
        }
      }
      expect(naiveSwitches).to.be.greaterThan(20);
      expect(switches).to.equal(0);
    });

    it('waits dwellMs after a switch before the next one', () => {
      const s = make({ holdMs: 0, dwellMs: 10_000 });
      s.recordRtt(0, 200, 0);
      s.recordRtt(1, 50, 0);
      s.recordRtt(2, 5, 0);
      expect(s.decide(0, 1, 0)).to.equal('switch');
      expect(s.decide(1, 2, 1000)).to.equal('keep');
      expect(s.decide(1, 2, 9999)).to.equal('keep');
      expect(s.decide(1, 2, 10_000)).to.equal('switch');
      expect(s.decide(2, 2, 50_000)).to.equal('keep');
    });

    it('prefers a measured transport and compares throughput only when both have it', () => {
      const s = make({ holdMs: 0, dwellMs: 0 });
      s.recordRtt(0, 40, 0);
      expect(s.decide(0, 1, 0)).to.equal('keep'); // slot 1 has no RTT yet: score 0
      expect(s.decide(1, 0, 0)).to.equal('switch');
      // Slot 0 carries traffic, slot 1 only answers probes: throughput is left out.
      for (let t = 0; t < 5000; t += 100) s.recordBytes(0, 500_000, t); // 5 MB/s
      s.recordRtt(1, 40, 5000);
      const withBytes = s.snapshot(0, 5000).score;
      expect(withBytes).to.be.greaterThan(s.snapshot(1, 5000).score);
      expect(s.decide(1, 0, 5000)).to.equal('keep'); // equal on the common terms
    });

    it('ingests many samples in one call exactly as one by one, refusing bad ones', () => {
      const a = make();
      const b = make();
      const r = rng(5);
      const quads: number[] = [];
      for (let i = 0; i < 2000; i++) {
        const kind = Math.floor(r() * 6);
        const slot = Math.floor(r() * 4);
        const value = kind === SampleKind.RTT ? r() * 200 : kind === SampleKind.BYTES ? Math.floor(r() * 5000) : 1;
        const t = i * 7;
        quads.push(kind, slot, value, t);
        if (kind === SampleKind.RTT) a.recordRtt(slot, value, t);
        else if (kind === SampleKind.BYTES) a.recordBytes(slot, value, t);
        else if (kind === SampleKind.SUCCESS) a.recordSuccess(slot, t, value);
        else if (kind === SampleKind.FAILURE) a.recordFailure(slot, t, value);
        else a.recordProbe(slot, kind === SampleKind.PROBE_OK, t);
      }
      quads.push(9, 0, 1, 0, 0, 8, 1, 0, 0, 0, -1, 0, 0, 0, NaN, 0, 1, 0, 1, Infinity, 0.5, 0, 1, 0);
      expect(b.ingest(new Float64Array(quads))).to.equal(6);
      for (let slot = 0; slot < 4; slot++) expect(b.snapshot(slot, 14_000)).to.deep.equal(a.snapshot(slot, 14_000));
    });

    it('refuses bad samples, slots and configurations', () => {
      const s = make();
      expect(s.recordRtt(0, -1, 0)).to.equal(false);
      expect(s.recordRtt(0, NaN, 0)).to.equal(false);
      expect(s.recordRtt(0, 5, NaN)).to.equal(false);
      expect(s.recordBytes(0, Infinity, 0)).to.equal(false);
      expect(s.snapshot(0, 0).samples).to.equal(0);
      for (const slot of [-1, 8, 1.5, NaN]) {
        expect(() => s.recordRtt(slot, 1, 0)).to.throw(FlareError).with.property('code', ErrorCode.INVALID_ARGUMENT);
      }
      expect(() => s.ingest(new Float64Array(3))).to.throw(FlareError);
      for (const bad of [{ latencyRefMs: 0 }, { latencyWeight: 0, jitterWeight: 0 }, { margin: -1 }, { windowMs: Infinity }, { holdMs: NaN }]) {
        expect(() => make(bad)).to.throw(FlareError).with.property('code', ErrorCode.INVALID_ARGUMENT);
      }
      s.dispose();
      expect(() => s.snapshot(0)).to.throw(FlareError);
    });

    it('uses the injected clock when times are omitted', () => {
      let now = 0;
      const s = make({ clock: () => now, windowMs: 1000 });
      s.recordRtt(0, 10);
      s.recordFailure(0);
      expect(s.snapshot(0).successRate).to.equal(0);
      now = 5000;
      expect(s.snapshot(0).successRate).to.equal(1);
    });
  });
}

describe('TransportScorer backends agree bit for bit', () => {
  it('fuzz: the same samples give the same snapshots and decisions', () => {
    const op = fc.record({
      kind: fc.integer({ min: 0, max: 7 }), // 6 = snapshot, 7 = decide
      slot: fc.integer({ min: 0, max: 3 }),
      other: fc.integer({ min: 0, max: 3 }),
      value: fc.oneof(fc.double({ min: 0, max: 1e7, noNaN: true }), fc.integer({ min: 0, max: 100 }), fc.constant(-1)),
      dt: fc.oneof(fc.integer({ min: 0, max: 50 }), fc.integer({ min: 0, max: 40_000 })),
    });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), fc.boolean(), (ops, fast) => {
        const cfg = fast ? { holdMs: 0, dwellMs: 100, windowMs: 1000, halfLifeMs: 500 } : {};
        const w = new TransportScorer({ core, ...cfg });
        const j = new TransportScorer({ core: null, ...cfg });
        let t = 0;
        for (const o of ops) {
          t += o.dt;
          if (o.kind === 6) {
            const [a, b] = [w.snapshot(o.slot, t), j.snapshot(o.slot, t)];
            for (const f of snapshotFields) expect(Object.is(a[f], b[f]), `${f}: ${a[f]} vs ${b[f]}`).to.equal(true);
          } else if (o.kind === 7) {
            expect(w.decide(o.slot, o.other, t)).to.equal(j.decide(o.slot, o.other, t));
          } else {
            const q = new Float64Array([o.kind, o.slot, o.value, t]);
            expect(w.ingest(q)).to.equal(j.ingest(q));
          }
        }
        for (let slot = 0; slot < 4; slot++) expect(w.snapshot(slot, t + 1)).to.deep.equal(j.snapshot(slot, t + 1));
        w.dispose();
      }),
      { numRuns: 300 },
    );
  });
});
