import { expect } from 'chai';
import fc from 'fast-check';
import { HeightIndex } from '../../src/elements/flare-chat/height-index.ts';

type Op = { kind: 'append'; count: number } | { kind: 'measure'; at: number; height: number } | { kind: 'reset' } | { kind: 'read' };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('append' as const), count: fc.integer({ min: 1, max: 20 }) }),
  fc.record({ kind: fc.constant('measure' as const), at: fc.nat(), height: fc.integer({ min: 10, max: 400 }) }),
  fc.record({ kind: fc.constant('reset' as const) }),
  fc.record({ kind: fc.constant('read' as const) }),
);

describe('HeightIndex', () => {
  it('offsets stay consistent through appends, measurements and rebuilds (measured rows exact, the rest one estimate)', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const index = new HeightIndex(50);
        const keys: string[] = [];
        const measured = new Map<string, number>();
        let next = 0;
        for (const o of ops) {
          if (o.kind === 'append') {
            const added = Array.from({ length: o.count }, () => `k${next++}`);
            keys.push(...added);
            index.append(added);
          } else if (o.kind === 'measure' && keys.length) {
            const key = keys[o.at % keys.length]!;
            index.set(key, o.height);
            measured.set(key, o.height);
          } else if (o.kind === 'reset') {
            index.setKeys(keys);
          } else {
            index.total; // reading rebuilds when stale
          }
        }
        let unmeasured: number | null = null;
        for (let i = 0; i < keys.length; i++) {
          const h = index.offsetOf(i + 1) - index.offsetOf(i);
          const m = measured.get(keys[i]!);
          if (m !== undefined) expect(h).to.be.closeTo(m, 1e-6);
          else if (unmeasured === null) unmeasured = h;
          else expect(h).to.be.closeTo(unmeasured, 1e-6);
        }
        expect(index.offsetOf(0)).to.equal(0);
        if (keys.length) expect(index.indexAt(index.total - 0.001)).to.equal(keys.length - 1);
      }),
    );
  });

  it('finds the rows covering a viewport', () => {
    const index = new HeightIndex(100);
    index.setKeys(Array.from({ length: 100 }, (_, i) => `r${i}`));
    expect(index.range(1000, 1500)).to.deep.equal({ start: 10, end: 16 });
    expect(index.range(1000, 1500, 200)).to.deep.equal({ start: 8, end: 18 });
    index.set('r0', 300); // the first row grows by 200: everything after moves down
    expect(index.offsetOf(10)).to.equal(1200);
    expect(index.range(1200, 1300)).to.deep.equal({ start: 10, end: 12 });
  });
});
