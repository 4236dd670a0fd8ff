// deepEqual decides whether a re-initialized property changed: it must agree with node:util's
// isDeepStrictEqual on every kind of carriable value.

import { expect } from 'chai';
import { isDeepStrictEqual } from 'node:util';
import { deepEqual } from '../../src/util/deep-equal';

class Point {
  constructor(
    public x: number,
    public y: number,
  ) {}
}

const pairs: [string, unknown, unknown][] = [
  ['equal numbers', 1, 1],
  ['NaN', NaN, NaN],
  ['+0 and -0', 0, -0],
  ['number and string', 1, '1'],
  ['bigints', 5n, 5n],
  ['null and undefined', null, undefined],
  ['equal arrays', [1, 'a', [true]], [1, 'a', [true]]],
  ['arrays of other lengths', [1, 2], [1, 2, 3]],
  ['bytes', new Uint8Array([1, 2]), new Uint8Array([1, 2])],
  ['other bytes', new Uint8Array([1, 2]), new Uint8Array([1, 3])],
  ['Buffer and Uint8Array', Buffer.from([1, 2]), new Uint8Array([1, 2])],
  ['Buffers', Buffer.from([1, 2]), Buffer.from([1, 2])],
  ['dates', new Date(5), new Date(5)],
  ['other dates', new Date(5), new Date(6)],
  ['date and number', new Date(5), 5],
  ['maps', new Map([['a', [1]]]), new Map([['a', [1]]])],
  ['maps in another order', new Map([['a', 1], ['b', 2]]), new Map([['b', 2], ['a', 1]])],
  ['maps with other values', new Map([['a', 1]]), new Map([['a', 2]])],
  ['maps with object keys', new Map([[{ k: 1 }, 1]]), new Map([[{ k: 1 }, 1]])],
  ['plain objects', { a: 1, b: { c: [2] } }, { b: { c: [2] }, a: 1 }],
  ['objects with other keys', { a: 1 }, { b: 1 }],
  ['objects with an extra key', { a: 1 }, { a: 1, b: undefined }],
  ['null-prototype and plain object', Object.assign(Object.create(null), { a: 1 }), { a: 1 }],
  ['value-type instances', new Point(1, 2), new Point(1, 2)],
  ['instance and plain object', new Point(1, 2), { x: 1, y: 2 }],
];

describe('deepEqual', () => {
  for (const [name, a, b] of pairs) {
    it(`agrees with isDeepStrictEqual on ${name}`, () => {
      expect(deepEqual(a, b)).to.equal(isDeepStrictEqual(a, b));
      expect(deepEqual(b, a)).to.equal(isDeepStrictEqual(b, a));
    });
  }
});
