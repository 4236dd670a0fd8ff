// Pins the exact bytes `tsro.v1.Value` encodes to for one value of each kind, so that a change
// to the codec or to src/protocol/tsro.proto that alters the wire format cannot go unnoticed.
// Each hex string was computed once and checked by hand against the field numbers:
//   tag = field << 3 | wire type; int (1, sint32, zigzag) 0x08; double (2, fixed64) 0x11;
//   string (3) 0x1a; bool (4) 0x20; bytes (5) 0x2a; null (6) 0x30; bigint (7) 0x3a;
//   date (8, fixed64) 0x41; list (9) 0x4a; object (10) 0x52; map (11) 0x5a; buffer (12) 0x62;
//   doubles (13) 0x6a; ints (14) 0x72.

import { expect } from 'chai';
import { decodeValue, encodeValue, type ValueMessage } from '../../src/protocol/value-codec';
import { schema } from '../../src/protocol/schema';

const GOLDEN: [string, unknown, string][] = [
  ['0', 0, '0800'],                                  // int, zigzag(0) = 0
  ['1', 1, '0802'],                                  // zigzag(1) = 2
  ['-1', -1, '0801'],                                // zigzag(-1) = 1
  ['300', 300, '08d804'],                            // zigzag(300) = 600 = varint d8 04
  ['2.5', 2.5, '110000000000000440'],                // double, 0x4004000000000000 little-endian
  ['-0', -0, '110000000000000080'],                  // double: sign bit only
  ['NaN', NaN, '11000000000000f87f'],                // double: canonical quiet NaN
  ['"hi"', 'hi', '1a026869'],                        // string, length 2
  ['true', true, '2001'],                            // bool
  ['null', null, '3000'],                            // null = NULL_VALUE (0), present
  ['undefined', undefined, ''],                      // no field at all
  ['1n', 1n, '3a0101'],                              // bigint bytes [01]
  ['new Date(0)', new Date(0), '410000000000000000'],// date, double 0
  ['[1,2,3]', [1, 2, 3], '72050a03020406'],          // ints { items: packed zigzag 2 4 6 }
  ['[1.5]', [1.5], '6a0a0a08000000000000f83f'],      // doubles { items: packed 1.5 }
  ['["a"]', ['a'], '4a050a031a0161'],                // list { items: [ {string "a"} ] }
  ['{a:1}', { a: 1 }, '52090a070a016112020802'],     // object { fields: [ {key "a", value {int 1}} ] }
  ['new Map([[1,"x"]])', new Map([[1, 'x']]), '5a0b0a090a02080212031a0178'], // map { entries: [ {key {int 1}, value {string "x"}} ] }
  ['Uint8Array [1,2]', new Uint8Array([1, 2]), '2a020102'], // bytes
  ['Buffer [1,2]', Buffer.from([1, 2]), '62020102'],        // buffer
];

describe('Value golden bytes', () => {
  for (const [name, value, hex] of GOLDEN) {
    it(`${name} encodes to ${hex === '' ? '(nothing)' : hex}`, () => {
      const bytes = schema.Value.encode(encodeValue(value, 'the value')).finish();
      expect(Buffer.from(bytes).toString('hex')).to.equal(hex);
    });

    it(`${name} decodes from ${hex === '' ? '(nothing)' : hex}`, () => {
      const decoded = decodeValue(schema.Value.decode(Buffer.from(hex, 'hex')) as ValueMessage);
      if (typeof value === 'number') expect(Object.is(decoded, value)).to.equal(true);
      else expect(decoded).to.deep.equal(value);
    });
  }
});
