// The pending-call table: the same answers as a Map for any sequence of adds and deletes,
// whatever the spread of the serials in it, with its array sized by what it holds.

import { expect } from 'chai';
import fc from 'fast-check';
import { SerialTable } from '../../src/node/serial-table';

interface Entry {
  readonly serial: number;
}

function check(table: SerialTable<Entry>, model: Map<number, Entry>, probes: readonly number[]): void {
  expect(table.size).to.equal(model.size);
  for (const s of probes) {
    expect(table.get(s)).to.equal(model.get(s));
  }
  expect(table.values().map((e) => e.serial).sort((a, b) => a - b)).to.deep.equal([...model.keys()].sort((a, b) => a - b));
}

describe('node/SerialTable', () => {
  it('holds a window of 100 k consecutive serials, then empties as they settle in any order', () => {
    const table = new SerialTable<Entry>();
    const entries = Array.from({ length: 100_000 }, (_, i) => ({ serial: i + 1 }));
    for (const e of entries) table.add(e);
    expect(table.size).to.equal(100_000);
    for (const e of entries) expect(table.get(e.serial)).to.equal(e);
    // Settle odd ones first, then the rest backwards.
    for (const e of entries) if (e.serial % 2 === 1) expect(table.delete(e.serial)).to.equal(true);
    for (let i = entries.length - 1; i >= 0; i--) if (entries[i]!.serial % 2 === 0) expect(table.delete(entries[i]!.serial)).to.equal(true);
    expect(table.size).to.equal(0);
    expect(table.get(1)).to.equal(undefined);
    expect(table.delete(1)).to.equal(false);
  });

  it('keeps entries whose serials share low bits apart (a long-lived call among many new ones)', () => {
    const table = new SerialTable<Entry>();
    const old = { serial: 5 };
    table.add(old);
    const model = new Map<number, Entry>([[5, old]]);
    for (let round = 0; round < 50; round++) {
      const e = { serial: 5 + (round + 1) * 64 };
      table.add(e);
      model.set(e.serial, e);
      if (round % 3 === 0) {
        table.delete(e.serial);
        model.delete(e.serial);
      }
    }
    check(table, model, [5, 69, 133, 5 + 64 * 50, 6]);
  });

  it('handles serials up to 2^32 - 1 (after the counter wraps)', () => {
    const table = new SerialTable<Entry>();
    const high = { serial: 0xffffffff };
    const low = { serial: 0x7fffffff };
    table.add(high);
    table.add(low);
    table.add({ serial: 1 });
    expect(table.get(0xffffffff)).to.equal(high);
    expect(table.get(0x7fffffff)).to.equal(low);
    expect(table.delete(0xffffffff)).to.equal(true);
    expect(table.get(0xffffffff)).to.equal(undefined);
  });

  it('answers as a Map would for any sequence of adds and deletes', () => {
    const serial = fc.oneof(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 0xffffffff }));
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), serial), { maxLength: 400 }), (ops) => {
        const table = new SerialTable<Entry>();
        const model = new Map<number, Entry>();
        for (const [add, s] of ops) {
          if (add && !model.has(s)) {
            const e = { serial: s };
            table.add(e);
            model.set(s, e);
          } else if (!add) {
            expect(table.delete(s)).to.equal(model.delete(s));
          }
        }
        check(table, model, ops.map(([, s]) => s));
      }),
      { numRuns: 300 },
    );
  });
});
