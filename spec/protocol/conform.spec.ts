import { expect } from 'chai';
import { UsageError } from '../../src/errors';
import { conformValue } from '../../src/api/conform';
import { checkArgumentCount } from '../../src/util/objects';
import type { WireType } from '../../src/api/wire-type';

const WHAT = 'property "p"';

function mismatchMessage(type: WireType, value: unknown, what = WHAT): string {
  try {
    conformValue(type, value, what);
  } catch (e) {
    expect(e).to.be.instanceOf(UsageError);
    expect((e as UsageError).code).to.equal('TYPE_MISMATCH');
    return (e as UsageError).message;
  }
  throw new Error(`expected ${String(value)} to be rejected`);
}

class Foo {}

// [type, value] pairs that are accepted and returned unchanged (the very same value).
const ACCEPT: [WireType, unknown][] = [
  ['any', 1], ['any', undefined], ['any', null], ['any', () => 0], ['any', new Foo()], ['any', Symbol.iterator],
  ['void', undefined],
  ['bool', true], ['bool', false],
  ['int32', 0], ['int32', -0], ['int32', 1], ['int32', -1], ['int32', 2 ** 31 - 1], ['int32', -(2 ** 31)],
  ['int64', 0n], ['int64', 2n ** 63n - 1n], ['int64', -(2n ** 63n)],
  ['double', 0], ['double', -0], ['double', 2.5], ['double', NaN], ['double', Infinity], ['double', 2 ** 60],
  ['string', ''], ['string', 'x'],
  ['bytes', new Uint8Array(2)], ['bytes', Buffer.from('x')],
  ['date', new Date()], ['date', new Date(NaN)],
  [{ nullable: 'string' }, null], [{ nullable: 'string' }, 's'], [{ nullable: { nullable: 'int32' } }, null],
  [{ array: 'int32' }, []], [{ array: 'int32' }, [1, 2, 3]], [{ array: 'any' }, [1, 'a', null]],
  [{ array: { array: 'string' } }, [['a'], []]], [{ array: { nullable: 'double' } }, [null, 1.5]],
  [{ map: 'int32' }, new Map()], [{ map: 'int32' }, new Map([['a', 1]])], [{ map: 'string' }, {}],
  [{ map: 'string' }, { a: 'x', b: 'y' }], [{ map: 'any' }, Object.assign(Object.create(null) as object, { a: 1 })],
  [{ object: {} }, {}], [{ object: { a: 'int32', b: 'string' } }, { a: 1, b: 'x' }],
  [{ object: { a: 'int32', b: 'string' } }, { b: 'x', a: 1 }], // order does not matter
  [{ object: { a: 'any', b: { nullable: 'int32' } } }, {}], // missing any / nullable: fine
  [{ object: { a: 'any' } }, { a: undefined }],
  [{ object: { a: { object: { b: { array: 'bool' } } } } }, { a: { b: [true] } }],
];

// [type, value, expected message] for rejections.
const REJECT: [WireType, unknown, string][] = [
  ['void', null, 'property "p" expects void, got null'],
  ['void', 0, 'property "p" expects void, got number 0'],
  ['bool', 1, 'property "p" expects bool, got number 1'],
  ['bool', undefined, 'property "p" expects bool, got undefined'],
  ['int32', 2.5, 'property "p" expects int32, got 2.5'],
  ['int32', 2 ** 31, 'property "p" expects int32, got 2147483648 (out of the int32 range)'],
  ['int32', -(2 ** 31) - 1, 'property "p" expects int32, got -2147483649 (out of the int32 range)'],
  ['int32', NaN, 'property "p" expects int32, got NaN'],
  ['int32', Infinity, 'property "p" expects int32, got Infinity'],
  ['int32', 1n, 'property "p" expects int32, got 1n'],
  ['int32', '1', 'property "p" expects int32, got string "1"'],
  ['int64', 2 ** 53, 'property "p" expects int64, got 9007199254740992 (not a safe integer; pass a bigint)'],
  ['int64', 1.5, 'property "p" expects int64, got 1.5'],
  ['int64', 2n ** 63n, 'property "p" expects int64, got 9223372036854775808n (out of the signed 64-bit range)'],
  ['int64', -(2n ** 63n) - 1n, 'property "p" expects int64, got -9223372036854775809n (out of the signed 64-bit range)'],
  ['int64', '5', 'property "p" expects int64, got string "5"'],
  ['double', 1n, 'property "p" expects double, got 1n'],
  ['double', '1.5', 'property "p" expects double, got string "1.5"'],
  ['double', null, 'property "p" expects double, got null'],
  ['string', 5, 'property "p" expects string, got number 5'],
  ['string', new String('s'), 'property "p" expects string, got an instance of String'],
  ['bytes', [1, 2], 'property "p" expects bytes, got an array (length 2)'],
  ['bytes', new Uint16Array(1), 'property "p" expects bytes, got an instance of Uint16Array'],
  ['bytes', new ArrayBuffer(1), 'property "p" expects bytes, got an instance of ArrayBuffer'],
  ['date', 0, 'property "p" expects date, got number 0'],
  ['date', '2024-01-01', 'property "p" expects date, got string "2024-01-01"'],
  [{ nullable: 'string' }, undefined, 'property "p" expects string?, got undefined (null expected for no value)'],
  [{ nullable: 'string' }, 1, 'property "p" expects string?, got number 1'],
  [{ nullable: 'int32' }, 2 ** 31, 'property "p" expects int32?, got 2147483648 (out of the int32 range)'],
  [{ nullable: { array: 'int32' } }, 'abc', 'property "p" expects int32[]?, got string "abc"'],
  [{ nullable: { array: 'int32' } }, [0.5], 'property "p" at [0] expects int32, got 0.5'],
  [{ array: { nullable: 'int32' } }, [null, undefined], 'property "p" at [1] expects int32?, got undefined (null expected for no value)'],
  [{ array: 'string' }, [, 'a'], 'property "p" at [0] expects string, got undefined'], // a hole
  [{ array: 'int32' }, 'abc', 'property "p" expects int32[], got string "abc"'],
  [{ array: 'int32' }, { length: 0 }, 'property "p" expects int32[], got a plain object'],
  [{ array: 'int32' }, [1, 2, 3, 2.5], 'property "p" at [3] expects int32, got 2.5'],
  [{ array: { array: 'string' } }, [['a'], ['b', 3]], 'property "p" at [1][1] expects string, got number 3'],
  [{ map: 'int32' }, [1], 'property "p" expects map<int32>, got an array (length 1)'],
  [{ map: 'int32' }, new Foo(), 'property "p" expects map<int32>, got an instance of Foo'],
  [{ map: 'int32' }, new Map([[1, 1]]), 'property "p" expects map<int32>, got a Map with a non-string key (number 1)'],
  [{ map: 'int32' }, new Map<string, unknown>([['a', 1], ['b c', 'x']]), 'property "p" at .get("b c") expects int32, got string "x"'],
  [{ map: 'int32' }, { a: 1, 'b c': 'x' }, 'property "p" at ["b c"] expects int32, got string "x"'],
  [{ map: 'int32' }, { a: 1, b: 1.5 }, 'property "p" at .b expects int32, got 1.5'],
  [{ object: { a: 'int32' } }, null, 'property "p" expects {"a":int32}, got null'],
  [{ object: { a: 'int32' } }, [1], 'property "p" expects {"a":int32}, got an array (length 1)'],
  [{ object: { a: 'int32' } }, new Map([['a', 1]]), 'property "p" expects {"a":int32}, got a Map'],
  [{ object: { a: 'int32' } }, new Foo(), 'property "p" expects {"a":int32}, got an instance of Foo'],
  [{ object: { a: 'int32' } }, {}, 'property "p" expects {"a":int32}, got an object without field "a"'],
  [{ object: { a: 'int32' } }, { a: 1, b: 2 }, 'property "p" expects {"a":int32}, got an object with undeclared field "b"'],
  [{ object: { a: 'int32' } }, { a: undefined }, 'property "p" at .a expects int32, got undefined'],
  [{ object: { a: 'int32' } }, { a: 'one' }, 'property "p" at .a expects int32, got string "one"'],
  [{ object: { a: { nullable: 'int32' } } }, { a: undefined }, 'property "p" at .a expects int32?, got undefined (null expected for no value)'],
  [{ object: { a: { object: { b: { array: 'bool' } } } } }, { a: { b: [true, 0] } }, 'property "p" at .a.b[1] expects bool, got number 0'],
  [{ object: { a: { object: { b: 'int32' } } } }, { a: { b: 1, c: 2 } }, 'property "p" at .a expects {"b":int32}, got an object with undeclared field "c"'],
];

describe('conformValue', () => {
  describe('accepts and returns the same value', () => {
    for (const [type, value] of ACCEPT) {
      const label = typeof value === 'symbol' ? 'a symbol' : typeof value === 'bigint' ? `${value}n` : JSON.stringify(value) ?? String(value);
      it(`${JSON.stringify(type)} <- ${label}`, () => {
        expect(Object.is(conformValue(type, value, WHAT), value)).to.equal(true);
      });
    }
  });

  describe('rejects with TYPE_MISMATCH naming what, the type and the value', () => {
    for (const [type, value, message] of REJECT) {
      it(message, () => {
        expect(mismatchMessage(type, value)).to.equal(message);
      });
    }

    it('other kinds of value are described briefly', () => {
      expect(mismatchMessage('string', true)).to.equal('property "p" expects string, got boolean true');
      expect(mismatchMessage('string', () => 0)).to.equal('property "p" expects string, got a function');
      expect(mismatchMessage('string', Symbol('x'))).to.equal('property "p" expects string, got a symbol');
      expect(mismatchMessage('string', 5n)).to.equal('property "p" expects string, got bigint 5n');
      expect(mismatchMessage('string', new Date(0))).to.equal('property "p" expects string, got a Date');
      expect(mismatchMessage('string', new Uint8Array(1))).to.equal('property "p" expects string, got a Uint8Array');
      expect(mismatchMessage('string', Buffer.alloc(1))).to.equal('property "p" expects string, got a Buffer');
      expect(mismatchMessage('int32', -0.5)).to.equal('property "p" expects int32, got -0.5');
      expect(mismatchMessage('bool', -0)).to.equal('property "p" expects bool, got number -0');
      expect(mismatchMessage('int32', 'x'.repeat(40))).to.equal(`property "p" expects int32, got string "${'x'.repeat(32)}…"`);
    });

    it('uses the given what', () => {
      expect(mismatchMessage('string', 5, 'argument 1 of slot "print"')).to.equal('argument 1 of slot "print" expects string, got number 5');
      expect(mismatchMessage('int32', 2.5, 'property "copies"')).to.equal('property "copies" expects int32, got 2.5');
    });
  });

  describe('int64 coercion', () => {
    it('turns a safe-integer number into a bigint', () => {
      expect(conformValue('int64', 5, WHAT)).to.equal(5n);
      expect(conformValue('int64', -0, WHAT)).to.equal(0n);
      expect(conformValue('int64', Number.MAX_SAFE_INTEGER, WHAT)).to.equal(BigInt(Number.MAX_SAFE_INTEGER));
      expect(conformValue('int64', Number.MIN_SAFE_INTEGER, WHAT)).to.equal(BigInt(Number.MIN_SAFE_INTEGER));
      expect(conformValue({ nullable: 'int64' }, 7, WHAT)).to.equal(7n);
    });

    it('copies an array only when an element changed', () => {
      const same = [1n, 2n];
      expect(conformValue({ array: 'int64' }, same, WHAT)).to.equal(same);
      const mixed = [1n, 2, 3n, 4];
      const out = conformValue({ array: 'int64' }, mixed, WHAT);
      expect(out).to.not.equal(mixed);
      expect(out).to.deep.equal([1n, 2n, 3n, 4n]);
      expect(mixed).to.deep.equal([1n, 2, 3n, 4]); // the caller's array is untouched
      const nested = [[1n], [2]];
      const nestedOut = conformValue({ array: { array: 'int64' } }, nested, WHAT) as bigint[][];
      expect(nestedOut).to.deep.equal([[1n], [2n]]);
      expect(nestedOut[0]).to.equal(nested[0]); // unchanged inner arrays are shared
    });

    it('copies NaN-holding arrays only when needed (NaN is unchanged)', () => {
      const arr = [NaN, 1];
      expect(conformValue({ array: 'double' }, arr, WHAT)).to.equal(arr);
    });

    it('copies Maps and objects only when a value changed, keeping the order', () => {
      const m = new Map<string, unknown>([['a', 1n], ['b', 2], ['c', 3n]]);
      const mOut = conformValue({ map: 'int64' }, m, WHAT) as Map<string, bigint>;
      expect(mOut).to.not.equal(m);
      expect([...mOut]).to.deep.equal([['a', 1n], ['b', 2n], ['c', 3n]]);
      expect(m.get('b')).to.equal(2);
      const mSame = new Map([['a', 1n]]);
      expect(conformValue({ map: 'int64' }, mSame, WHAT)).to.equal(mSame);

      const o = { z: 1n, a: 2 };
      const oOut = conformValue({ map: 'int64' }, o, WHAT) as Record<string, bigint>;
      expect(oOut).to.deep.equal({ z: 1n, a: 2n });
      expect(Object.keys(oOut)).to.deep.equal(['z', 'a']);
      expect(o.a).to.equal(2);

      const rec = { id: 5, name: 'n', opt: null };
      const type: WireType = { object: { id: 'int64', name: 'string', opt: { nullable: 'int64' }, absent: { nullable: 'int64' } } };
      const recOut = conformValue(type, rec, WHAT) as Record<string, unknown>;
      expect(recOut).to.deep.equal({ id: 5n, name: 'n', opt: null });
      expect('absent' in recOut).to.equal(false);
      expect(rec.id).to.equal(5);
      const recSame = { id: 5n, name: 'n', opt: null };
      expect(conformValue(type, recSame, WHAT)).to.equal(recSame);
    });

    it('copies keep a null prototype and own __proto__ keys without polluting', () => {
      const o = Object.create(null) as Record<string, unknown>;
      o.a = 1;
      const out = conformValue({ map: 'int64' }, o, WHAT) as Record<string, unknown>;
      expect(Object.getPrototypeOf(out)).to.equal(null);
      expect(out.a).to.equal(1n);
      const evil = JSON.parse('{"__proto__": 1, "x": 2}') as Record<string, unknown>;
      const evilOut = conformValue({ map: 'int64' }, evil, WHAT) as Record<string, unknown>;
      expect(Object.getPrototypeOf(evilOut)).to.equal(Object.prototype);
      expect(Object.getOwnPropertyDescriptor(evilOut, '__proto__')!.value).to.equal(1n);
      expect(evilOut.x).to.equal(2n);
    });
  });
});

describe('checkArgumentCount', () => {
  it('accepts the declared count', () => {
    expect(() => checkArgumentCount(0, 0, 'slot "print"')).to.not.throw();
    expect(() => checkArgumentCount(2, 2, 'slot "print"')).to.not.throw();
  });

  for (const [expected, got, message] of [
    [1, 2, 'slot "print" takes 1 argument, got 2'],
    [1, 0, 'slot "print" takes 1 argument, got 0'],
    [0, 1, 'slot "print" takes 0 arguments, got 1'],
    [2, 1, 'slot "print" takes 2 arguments, got 1'],
    [3, 5, 'slot "print" takes 3 arguments, got 5'],
  ] as const) {
    it(message, () => {
      let thrown: unknown;
      try {
        checkArgumentCount(expected, got, 'slot "print"');
      } catch (e) {
        thrown = e;
      }
      expect(thrown).to.be.instanceOf(UsageError);
      expect((thrown as UsageError).code).to.equal('ARGUMENT_COUNT');
      expect((thrown as UsageError).message).to.equal(message);
    });
  }
});
