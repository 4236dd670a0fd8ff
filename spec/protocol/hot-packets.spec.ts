// The hand-written encoders of the hot packets must write exactly what protobufjs writes for the
// same message: checked on fixed edge cases and on random values of every kind.

import { expect } from 'chai';
import { encodeInvoke, encodePropertyChange, encodeReplyValue, encodeSignal } from '../../src/protocol/hot-packets';
import { decodePacket, encodePacket } from '../../src/protocol/packet-codec';
import { decodeValue, encodeValue } from '../../src/protocol/value-codec';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

const edgeValues: unknown[] = [
  0, -0, 1, -1, 63, 64, -64, -65, 2 ** 31 - 1, -(2 ** 31), 2 ** 31, 1.5, NaN, Infinity, -Infinity, Number.MAX_VALUE,
  '', 'a', 'hello world', 'é', '日本語', '😀', 'x'.repeat(47), 'x'.repeat(48), 'x'.repeat(200), '\u0000',
  true, false, null, undefined,
  new Uint8Array(0), new Uint8Array([1, 2, 3]), Buffer.from([4, 5]), new Uint8Array(300),
  [1, 2, 3], [1.5], ['a', null], { a: 1 }, new Map([[1, 'x']]), new Date(0), 12n, -(2n ** 70n),
];

function randomValue(rnd: () => number): unknown {
  const r = rnd();
  if (r < 0.2) return Math.floor((rnd() - 0.5) * 2 ** (1 + Math.floor(rnd() * 40)));
  if (r < 0.35) return (rnd() - 0.5) * 10 ** Math.floor(rnd() * 20);
  if (r < 0.5) {
    const n = Math.floor(rnd() * 80);
    let s = '';
    for (let i = 0; i < n; i++) s += String.fromCodePoint(rnd() < 0.7 ? 32 + Math.floor(rnd() * 95) : 0x80 + Math.floor(rnd() * 0x10000 - 0x80) % 0xd000);
    return s;
  }
  if (r < 0.6) return rnd() < 0.5;
  if (r < 0.65) return null;
  if (r < 0.7) return undefined;
  if (r < 0.8) return Uint8Array.from({ length: Math.floor(rnd() * 200) }, () => Math.floor(rnd() * 256));
  return [Math.floor(rnd() * 100), 'x'];
}

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

describe('hot packet encoders', () => {
  const what = (i: number): string => `argument ${i + 1}`;

  it('write what protobufjs writes for every edge value', () => {
    for (const v of edgeValues) {
      const label = String(typeof v === 'bigint' ? `${v}n` : JSON.stringify(v) ?? v);
      for (const [source, index] of [[1, 0], [300, 2], [1, 70000]] as const) {
        expect(hex(encodePropertyChange(source, index, v, 'p')), `property change ${label}`).to.equal(
          hex(encodePacket({ propertyChange: { source, index, value: encodeValue(v, 'p') } })),
        );
      }
      expect(hex(encodeReplyValue(7, v, 'r')), `reply ${label}`).to.equal(hex(encodePacket({ reply: { serial: 7, value: encodeValue(v, 'r') } })));
    }
    const args = edgeValues;
    expect(hex(encodeInvoke(1, 3, 99999, args, what))).to.equal(
      hex(encodePacket({ invoke: { source: 1, index: 3, serial: 99999, args: args.map((a) => encodeValue(a, 'a')) } })),
    );
    expect(hex(encodeSignal(2, 0, args, what))).to.equal(
      hex(encodePacket({ signal: { source: 2, index: 0, args: args.map((a) => encodeValue(a, 'a')) } })),
    );
    expect(hex(encodeInvoke(1, 0, 1, [], what))).to.equal(hex(encodePacket({ invoke: { source: 1, serial: 1, args: [] } })));
  });

  it('write what protobufjs writes for 2000 random argument lists', () => {
    const rnd = lcg(42);
    for (let k = 0; k < 2000; k++) {
      const args = Array.from({ length: Math.floor(rnd() * 4) }, () => randomValue(rnd));
      const serial = Math.floor(rnd() * 2 ** 32);
      const got = encodeInvoke(5, k % 7, serial, args, what);
      const want = encodePacket({ invoke: { source: 5, index: k % 7, serial, args: args.map((a) => encodeValue(a, 'a')) } });
      expect(hex(got), JSON.stringify(args)).to.equal(hex(want));
      const decoded = decodePacket(got);
      expect((decoded.invoke!.args ?? []).map((a) => decodeValue(a))).to.deep.equal(args);
    }
  });

  it('refuses what cannot be carried, naming it', () => {
    expect(() => encodePropertyChange(1, 0, () => 1, 'property "f"')).to.throw(/property "f"/).with.property('code', 'NOT_SERIALIZABLE');
    expect(() => encodeInvoke(1, 0, 1, [1, Symbol('s')], what)).to.throw(/argument 2/).with.property('code', 'NOT_SERIALIZABLE');
    expect(() => encodeReplyValue(1, 'a\ud800', 'return value')).to.throw(/return value/).with.property('code', 'NOT_SERIALIZABLE');
  });
});
