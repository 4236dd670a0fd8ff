// RowCache (src/model/row-cache.ts): held rows follow the model's index shifts exactly, and
// eviction is least recently arrived. Checked against a reference list with fast-check: every
// row the cache holds is the row the reference has at that index.

import { expect } from 'chai';
import fc from 'fast-check';
import { RowCache } from '../../src/model/row-cache';

type Op =
  | { op: 'insert'; at: number; n: number }
  | { op: 'remove'; at: number; n: number }
  | { op: 'move'; at: number; n: number; to: number }
  | { op: 'put'; at: number };

const pos = fc.nat({ max: 100 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('insert' as const), at: pos, n: fc.integer({ min: 1, max: 5 }) }),
  fc.record({ op: fc.constant('remove' as const), at: pos, n: fc.integer({ min: 1, max: 5 }) }),
  fc.record({ op: fc.constant('move' as const), at: pos, n: fc.integer({ min: 1, max: 5 }), to: pos }),
  fc.record({ op: fc.constant('put' as const), at: pos }),
);

describe('models: RowCache', () => {
  it('evicts the least recently arrived row, not the least recently read', () => {
    const c = new RowCache<string>(2);
    c.put(0, 'a');
    c.put(1, 'b');
    c.get(0);
    c.put(2, 'c');
    expect(c.indices()).to.deep.equal([1, 2]);
    c.update(1, 'B');
    c.put(3, 'd');
    expect(c.indices()).to.deep.equal([2, 3]);
    c.resize(1);
    expect(c.indices()).to.deep.equal([3]);
    expect(c.ranges()).to.deep.equal([[3, 1]]);
  });

  it('keeps every held row at the index the list has it at, through inserts, removes and moves', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 60 }), fc.integer({ min: 1, max: 30 }), (ops, capacity) => {
        let next = 0;
        let list = Array.from({ length: 20 }, () => next++);
        const cache = new RowCache<number>(capacity);
        for (const o of ops) {
          const len = list.length;
          if (o.op === 'insert') {
            const at = o.at % (len + 1);
            list.splice(at, 0, ...Array.from({ length: o.n }, () => next++));
            cache.rowsInserted(at, o.n);
          } else if (o.op === 'remove' && len > 0) {
            const at = o.at % len;
            const n = Math.min(o.n, len - at);
            list.splice(at, n);
            cache.rowsRemoved(at, n);
          } else if (o.op === 'move' && len > 0) {
            const at = o.at % len;
            const n = Math.min(o.n, len - at);
            const to = o.to % (len + 1);
            if (to >= at && to <= at + n) continue;
            const block = list.splice(at, n);
            list.splice(to > at ? to - n : to, 0, ...block);
            cache.rowsMoved(at, n, to);
          } else if (o.op === 'put' && len > 0) {
            const at = o.at % len;
            cache.put(at, list[at]!);
          }
          expect(cache.size).to.be.at.most(capacity);
          for (const i of cache.indices()) expect(cache.get(i), `row ${i}`).to.equal(list[i]);
        }
      }),
      { seed: 4242, numRuns: 300 },
    );
  });
});
