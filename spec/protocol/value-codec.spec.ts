import { expect } from 'chai';
import { UsageError } from '../../src/errors';
import { schema } from '../../src/protocol/schema';
import {
  MAX_VALUE_DEPTH,
  bigintToBytes,
  bytesToBigint,
  decodeValue,
  decodeValues,
  encodeValue,
  encodeValues,
  type ValueMessage,
} from '../../src/protocol/value-codec';

/** Bytes of the encoded Value (a Buffer, as protobufjs produces them in Node). */
function wire(value: unknown, what = 'property "v"'): Uint8Array {
  return schema.Value.encode(encodeValue(value, what)).finish();
}

/** encodeValue -> bytes -> schema.Value.decode -> decodeValue. */
function roundTrip(value: unknown): unknown {
  return decodeValue(schema.Value.decode(wire(value)) as ValueMessage);
}

function kindOf(value: unknown): string[] {
  return Object.keys(encodeValue(value, 'x'));
}

function expectNotSerializable(fn: () => unknown, message: string): void {
  let thrown: unknown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  expect(thrown, 'expected a throw').to.be.instanceOf(UsageError);
  expect((thrown as UsageError).code).to.equal('NOT_SERIALIZABLE');
  expect((thrown as UsageError).message).to.equal(message);
}

describe('value codec', () => {
  describe('numbers', () => {
    it('int32 numbers travel as int', () => {
      for (const n of [0, 1, -1, 127, 128, 300, -300, 2 ** 31 - 1, -(2 ** 31)]) {
        expect(kindOf(n)).to.deep.equal(['int']);
        expect(Object.is(roundTrip(n), n), String(n)).to.equal(true);
      }
    });

    it('every other number travels as double, exactly', () => {
      const values = [-0, NaN, Infinity, -Infinity, 2 ** 31, -(2 ** 31) - 1, 2 ** 53, Number.MAX_SAFE_INTEGER + 2,
        0.1, -2.5, 1e-300, Number.MIN_VALUE, Number.MAX_VALUE, Number.EPSILON];
      for (const n of values) {
        expect(kindOf(n), String(n)).to.deep.equal(['double']);
        expect(Object.is(roundTrip(n), n), String(n)).to.equal(true);
      }
    });
  });

  describe('strings', () => {
    it('round-trip any well-formed Unicode', () => {
      const strings = ['', 'hi', 'emoji 😀👩‍👩‍👧‍👦🏳️‍🌈', '中文字符 日本語 한국어', 'עברית العربية', 'nul\u0000in\u0000side',
        '\uFEFFbom', 'x'.repeat(100_000), '😀'.repeat(10_000), '\uFFFF\u{10FFFF}'];
      for (const s of strings) {
        const back = roundTrip(s);
        expect(back).to.be.a('string');
        expect(back === s, JSON.stringify(s.slice(0, 20))).to.equal(true);
      }
    });

    it('refuse lone surrogates (protobufjs cannot carry them: the peer would fail to decode)', () => {
      // Short strings: protobufjs writes WTF-8 (ed a0 80), which its own decoder rejects.
      const raw = schema.Value.encode({ string: 'a\uD800' }).finish();
      expect(() => schema.Value.decode(raw)).to.throw();
      // Long strings: Buffer#utf8Write silently writes U+FFFD instead.
      const long = 'x'.repeat(100) + '\uD800';
      const back = (schema.Value.decode(schema.Value.encode({ string: long }).finish()) as ValueMessage).string;
      expect(back).to.equal('x'.repeat(100) + '\uFFFD');
      // So the codec refuses them up front, whatever the length.
      expectNotSerializable(() => encodeValue('a\uD800', 'property "s"'),
        'cannot send property "s": a string with a lone surrogate (U+D800 at index 1), which UTF-8 cannot carry');
      expectNotSerializable(() => encodeValue(['ok', long.replace('\uD800', '\uDC00')], 'property "s"'),
        'cannot send property "s": a string with a lone surrogate (U+DC00 at index 100), which UTF-8 cannot carry at [1]');
      expectNotSerializable(() => encodeValue({ ['k\uDBFF']: 1 }, 'property "s"'),
        'cannot send property "s": a property name with a lone surrogate (U+DBFF at index 1), which UTF-8 cannot carry at ["k\\udbff"]');
      // Reversed pair = two lone surrogates.
      expect(() => encodeValue('\uDC00\uD800', 'x')).to.throw(UsageError);
    });
  });

  describe('other primitives', () => {
    it('booleans', () => {
      expect(roundTrip(true)).to.equal(true);
      expect(roundTrip(false)).to.equal(false);
      expect(kindOf(false)).to.deep.equal(['bool']);
    });

    it('null and undefined stay apart', () => {
      expect(encodeValue(undefined, 'x')).to.deep.equal({});
      expect(encodeValue(null, 'x')).to.deep.equal({ null: 0 });
      expect(roundTrip(null)).to.equal(null);
      expect(roundTrip(undefined)).to.equal(undefined);
      expect(roundTrip([null, undefined])).to.deep.equal([null, undefined]);
      const o = roundTrip({ a: undefined, b: null }) as Record<string, unknown>;
      expect(Object.keys(o)).to.deep.equal(['a', 'b']);
      expect(o.a).to.equal(undefined);
      expect(o.b).to.equal(null);
    });

    it('decodeValue of null/undefined/empty is undefined', () => {
      expect(decodeValue(null)).to.equal(undefined);
      expect(decodeValue(undefined)).to.equal(undefined);
      expect(decodeValue({})).to.equal(undefined);
      expect(decodeValue(schema.Value.decode(new Uint8Array(0)) as ValueMessage)).to.equal(undefined);
    });

    it('a kind from a newer protocol (unknown field) decodes as undefined', () => {
      // field 15, varint 1
      expect(decodeValue(schema.Value.decode(Buffer.from('7801', 'hex')) as ValueMessage)).to.equal(undefined);
    });
  });

  describe('bigint', () => {
    const cases: [bigint, string][] = [
      [0n, ''],
      [1n, '01'],
      [-1n, 'ff'],
      [127n, '7f'],
      [128n, '8000'],
      [255n, 'ff00'],
      [256n, '0001'],
      [-128n, '80'],
      [-129n, '7fff'],
      [2n ** 47n - 1n, 'ffffffffff7f'],
      [2n ** 47n, '000000000080' + '00'],
      [-(2n ** 47n), '000000000080'],
      [-(2n ** 47n) - 1n, 'ffffffffff7f' + 'ff'],
      [2n ** 63n - 1n, 'ffffffffffffff7f'],
      [-(2n ** 63n), '0000000000000080'],
      [2n ** 64n, '000000000000000001'],
      [-(2n ** 100n), '00'.repeat(12) + 'f0'],
    ];

    it('encode to two\'s complement, little-endian, shortest form', () => {
      for (const [n, hex] of cases) {
        expect(Buffer.from(bigintToBytes(n)).toString('hex'), `${n}n`).to.equal(hex);
        expect(bytesToBigint(Buffer.from(hex, 'hex')), hex).to.equal(n);
      }
    });

    it('round-trip through the wire, any size', () => {
      const values = [0n, 1n, -1n, 127n, 128n, -128n, -129n, 2n ** 64n, -(2n ** 100n), 2n ** 53n + 1n,
        -(2n ** 4000n) + 12345n, 3n ** 1000n];
      for (const n of values) {
        expect(kindOf(n)).to.deep.equal(['bigint']);
        expect(roundTrip(n), `${n}n`).to.equal(n);
      }
      for (let i = 0n; i < 600n; i++) {
        expect(bytesToBigint(bigintToBytes(i * 12347n - 3000000n))).to.equal(i * 12347n - 3000000n);
        expect(bytesToBigint(bigintToBytes(-(2n ** i)))).to.equal(-(2n ** i));
        expect(bytesToBigint(bigintToBytes(2n ** i - 1n))).to.equal(2n ** i - 1n);
      }
    });

    it('decode non-shortest forms too', () => {
      expect(bytesToBigint(Buffer.from('0100000000000000', 'hex'))).to.equal(1n);
      expect(bytesToBigint(Buffer.from('ffffffffffffffffff', 'hex'))).to.equal(-1n);
    });
  });

  describe('Date', () => {
    it('round-trips the time, invalid dates included', () => {
      for (const t of [0, 1, -1, Date.UTC(2024, 1, 29, 12, 30, 15, 123), 8.64e15, -8.64e15]) {
        const back = roundTrip(new Date(t));
        expect(back).to.be.instanceOf(Date);
        expect((back as Date).getTime()).to.equal(t);
      }
      const invalid = roundTrip(new Date(NaN));
      expect(invalid).to.be.instanceOf(Date);
      expect(Number.isNaN((invalid as Date).getTime())).to.equal(true);
    });
  });

  describe('bytes', () => {
    it('Uint8Array -> bytes, decoded as a plain Uint8Array', () => {
      const back = roundTrip(new Uint8Array([0, 1, 254, 255]));
      expect(kindOf(new Uint8Array(1))).to.deep.equal(['bytes']);
      expect(back).to.be.instanceOf(Uint8Array);
      expect(Buffer.isBuffer(back)).to.equal(false);
      expect(Object.getPrototypeOf(back)).to.equal(Uint8Array.prototype);
      expect(Array.from(back as Uint8Array)).to.deep.equal([0, 1, 254, 255]);
      expect(roundTrip(new Uint8Array(0))).to.deep.equal(new Uint8Array(0));
    });

    it('Buffer -> buffer, decoded as a Buffer', () => {
      expect(kindOf(Buffer.from('x'))).to.deep.equal(['buffer']);
      const back = roundTrip(Buffer.from('hello'));
      expect(Buffer.isBuffer(back)).to.equal(true);
      expect((back as Buffer).toString()).to.equal('hello');
      expect(Buffer.isBuffer(roundTrip(Buffer.alloc(0)))).to.equal(true);
    });

    it('a subarray sends only its own bytes', () => {
      const whole = new Uint8Array([9, 9, 1, 2, 3, 9]);
      expect(Array.from(roundTrip(whole.subarray(2, 5)) as Uint8Array)).to.deep.equal([1, 2, 3]);
    });

    it('1 MiB of bytes decodes to a view over the received frame, not a copy', () => {
      const data = new Uint8Array(1 << 20);
      for (let i = 0; i < data.length; i++) data[i] = (i * 31) & 0xff;
      const frame = wire(data);
      const msg = schema.Value.decode(frame) as ValueMessage;
      const back = decodeValue(msg) as Uint8Array;
      expect(back).to.be.instanceOf(Uint8Array);
      expect(Buffer.isBuffer(back)).to.equal(false);
      expect(back.length).to.equal(1 << 20);
      expect(back.buffer).to.equal(frame.buffer); // same memory as the frame
      expect(back.byteOffset).to.equal(frame.byteOffset + 4); // after tag 2a and a 3-byte length
      expect(Buffer.from(back).equals(Buffer.from(data))).to.equal(true);
      // Same for a frame held in a plain Uint8Array, and for Buffer.
      const plainFrame = new Uint8Array(frame);
      expect((decodeValue(schema.Value.decode(plainFrame) as ValueMessage) as Uint8Array).buffer).to.equal(plainFrame.buffer);
      const bufFrame = wire(Buffer.from(data));
      const buf = decodeValue(schema.Value.decode(bufFrame) as ValueMessage) as Buffer;
      expect(Buffer.isBuffer(buf)).to.equal(true);
      expect(buf.buffer).to.equal(bufFrame.buffer);
      // The message refers to the caller's bytes: no copy when encoding either.
      expect(encodeValue(data, 'x').bytes).to.equal(data);
    });
  });

  describe('arrays', () => {
    it('int32 arrays travel packed as ints', () => {
      expect(kindOf([1, -2, 2 ** 31 - 1])).to.deep.equal(['ints']);
      expect(roundTrip([1, -2, 2 ** 31 - 1, -(2 ** 31), 0])).to.deep.equal([1, -2, 2 ** 31 - 1, -(2 ** 31), 0]);
    });

    it('number arrays with any non-int32 travel packed as doubles, exactly', () => {
      const arr = [1, -0, NaN, Infinity, -Infinity, 0.5, 2 ** 40];
      expect(kindOf(arr)).to.deep.equal(['doubles']);
      const back = roundTrip(arr) as number[];
      expect(back.length).to.equal(arr.length);
      arr.forEach((x, i) => expect(Object.is(back[i], x), `[${i}]`).to.equal(true));
      expect(kindOf([-0])).to.deep.equal(['doubles']);
    });

    it('empty and mixed arrays travel as list', () => {
      expect(kindOf([])).to.deep.equal(['list']);
      expect(roundTrip([])).to.deep.equal([]);
      expect(kindOf([1, '2'])).to.deep.equal(['list']);
      expect(roundTrip([1, '2', null, true, 1n])).to.deep.equal([1, '2', null, true, 1n]);
    });

    it('holes of a sparse array become undefined', () => {
      // eslint-disable-next-line no-sparse-arrays
      const sparse = [1, , 3];
      expect(kindOf(sparse)).to.deep.equal(['list']);
      const back = roundTrip(sparse) as unknown[];
      expect(back).to.have.length(3);
      expect(1 in back).to.equal(true);
      expect(back).to.deep.equal([1, undefined, 3]);
      const trailing: unknown[] = [];
      trailing.length = 3;
      expect(roundTrip(trailing)).to.deep.equal([undefined, undefined, undefined]);
    });

    it('the message is a snapshot of the array', () => {
      const arr = [1, 2, 3];
      const msg = encodeValue(arr, 'x');
      arr[0] = 99;
      expect(decodeValue(msg)).to.deep.equal([1, 2, 3]);
    });

    it('256Ki numbers travel packed', () => {
      const n = 256 * 1024;
      const ints = Array.from({ length: n }, (_, i) => (i * 7919) % 100_000 - 50_000);
      const intBytes = wire(ints);
      expect(intBytes.length).to.be.lessThan(n * 3 + 16); // zigzag varints, <= 3 bytes each
      expect(decodeValue(schema.Value.decode(intBytes) as ValueMessage)).to.deep.equal(ints);

      const doubles = Array.from({ length: n }, (_, i) => i / 3);
      const dblBytes = wire(doubles);
      expect(dblBytes.length).to.equal(1 + 4 + 1 + 4 + n * 8); // tag, len, tag, len, 8 bytes each
      expect(decodeValue(schema.Value.decode(dblBytes) as ValueMessage)).to.deep.equal(doubles);
    });

    it('nested arrays', () => {
      const v = [[1, 2], [[3.5]], [], [['x', [null]]], [new Map([[[1], [2]]])]];
      const back = roundTrip(v);
      expect(back).to.deep.equal(v);
    });
  });

  describe('plain objects', () => {
    it('round-trip with their key order', () => {
      const v = { z: 1, a: 'two', m: [3], nested: { deep: { deeper: [{ x: -0.5 }] } }, '': 'empty key', 'a b': 1, 10: 'ten', 2: 'two' };
      const back = roundTrip(v) as Record<string, unknown>;
      expect(back).to.deep.equal(v);
      expect(Object.keys(back)).to.deep.equal(Object.keys(v));
      expect(Object.getPrototypeOf(back)).to.equal(Object.prototype);
    });

    it('null-prototype objects decode as ordinary plain objects', () => {
      const v = Object.create(null) as Record<string, unknown>;
      v.a = 1;
      const back = roundTrip(v) as Record<string, unknown>;
      expect(Object.getPrototypeOf(back)).to.equal(Object.prototype);
      expect(back).to.deep.equal({ a: 1 });
    });

    it('symbol keys and non-enumerable properties are not sent', () => {
      const v: Record<string | symbol, unknown> = { a: 1, [Symbol('s')]: 2 };
      Object.defineProperty(v, 'hidden', { value: 3, enumerable: false });
      expect(roundTrip(v)).to.deep.equal({ a: 1 });
    });

    it('cannot pollute prototypes: __proto__, constructor, prototype become own data properties', () => {
      const protoNamesBefore = Object.getOwnPropertyNames(Object.prototype).sort();
      const evil = JSON.parse('{"__proto__": {"polluted": 1}, "constructor": {"prototype": {"polluted": 2}}, "prototype": 3, "toString": 4, "hasOwnProperty": 5}') as Record<string, unknown>;
      expect(Object.keys(evil)).to.deep.equal(['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty']);
      const back = roundTrip(evil) as Record<string, unknown>;

      expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
      expect(Object.getOwnPropertyNames(Object.prototype).sort()).to.deep.equal(protoNamesBefore);
      expect(Object.getPrototypeOf(back)).to.equal(Object.prototype);
      expect(Object.keys(back)).to.deep.equal(['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty']);
      const own = Object.getOwnPropertyDescriptor(back, '__proto__')!;
      expect(own.value).to.deep.equal({ polluted: 1 });
      expect(own.enumerable && own.writable && own.configurable).to.equal(true);
      expect((back as { polluted?: unknown }).polluted).to.equal(undefined);
      expect(Object.getOwnPropertyDescriptor(back, 'constructor')!.value).to.deep.equal({ prototype: { polluted: 2 } });
      expect(Object.getOwnPropertyDescriptor(back, 'toString')!.value).to.equal(4);
      expect(Object.prototype.hasOwnProperty.call(back, 'hasOwnProperty')).to.equal(true);
      expect(Object.getPrototypeOf(Object.prototype)).to.equal(null);
    });

    it('a hand-made message with a __proto__ field cannot pollute either', () => {
      const msg: ValueMessage = { object: { fields: [{ key: '__proto__', value: { object: { fields: [{ key: 'polluted', value: { int: 1 } }] } } }] } };
      const bytes = schema.Value.encode(msg).finish();
      const back = decodeValue(schema.Value.decode(bytes) as ValueMessage) as Record<string, unknown>;
      expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
      expect(Object.getPrototypeOf(back)).to.equal(Object.prototype);
      expect(Object.keys(back)).to.deep.equal(['__proto__']);
    });

    it('a shared, non-cyclic sub-object (a DAG) is fine and is sent twice', () => {
      const shared = { x: 1, list: [1, 'a'] };
      const v = { a: shared, b: shared, c: [shared, shared], d: new Map([[shared, shared]]) };
      const back = roundTrip(v) as typeof v;
      expect(back).to.deep.equal(v);
      expect(back.a).to.not.equal(back.b);
      const sharedArr = ['s'];
      expect(roundTrip([sharedArr, sharedArr, [sharedArr]])).to.deep.equal([['s'], ['s'], [['s']]]);
    });
  });

  describe('Map', () => {
    it('keys and values are any values', () => {
      const m = new Map<unknown, unknown>([
        [1, 'one'], ['1', 1], [-0, 'minus zero'], [null, undefined], [undefined, null],
        [{ k: 1 }, [1, 2]], [[1, 'a'], new Map([[1n, new Date(5)]])], [true, new Uint8Array([1])],
      ]);
      const back = roundTrip(m) as Map<unknown, unknown>;
      expect(back).to.be.instanceOf(Map);
      expect(back).to.deep.equal(m);
      expect([...back.keys()].map((k) => typeof k)).to.deep.equal([...m.keys()].map((k) => typeof k));
      expect(roundTrip(new Map())).to.deep.equal(new Map());
    });

    it('Map subclasses arrive as Map', () => {
      class MyMap extends Map<string, number> {}
      const back = roundTrip(new MyMap([['a', 1]]));
      expect(Object.getPrototypeOf(back)).to.equal(Map.prototype);
      expect(back).to.deep.equal(new Map([['a', 1]]));
    });
  });

  describe('what cannot be sent', () => {
    class Foo {
      x = 1;
    }

    it('functions and symbols, with the path', () => {
      expectNotSerializable(() => encodeValue({ coords: [1, 2, { f: () => 1 }] }, 'property "pos"'),
        'cannot send property "pos": a function at .coords[2].f');
      expectNotSerializable(() => encodeValue(function named() {}, 'property "pos"'),
        'cannot send property "pos": a function');
      expectNotSerializable(() => encodeValue(Symbol('s'), 'argument 1 of slot "print"'),
        'cannot send argument 1 of slot "print": a symbol');
      expectNotSerializable(() => encodeValue({ 'a-b': [Symbol.iterator] }, 'x'),
        'cannot send x: a symbol at ["a-b"][0]');
    });

    it('paths through Maps', () => {
      expectNotSerializable(() => encodeValue(new Map([['k', { f: Math.max }]]), 'x'),
        'cannot send x: a function at .get("k").f');
      expectNotSerializable(() => encodeValue(new Map<unknown, unknown>([[1, 1], [2n, [Symbol()]]]), 'x'),
        'cannot send x: a symbol at .get(2n)[0]');
      expectNotSerializable(() => encodeValue(new Map<unknown, unknown>([[1, 1], [{}, () => 0]]), 'x'),
        'cannot send x: a function at .values()[1]');
      expectNotSerializable(() => encodeValue(new Map<unknown, unknown>([[1, 1], [() => 0, 1]]), 'x'),
        'cannot send x: a function at .keys()[1]');
    });

    it('class instances, naming the class', () => {
      const suffix = ' (only plain objects, arrays, Map, Date and Uint8Array can be sent)';
      expectNotSerializable(() => encodeValue(new Foo(), 'property "job"'),
        `cannot send property "job": an instance of Foo${suffix}`);
      expectNotSerializable(() => encodeValue({ a: [new Foo()] }, 'property "job"'),
        `cannot send property "job": an instance of Foo${suffix} at .a[0]`);
      const cases: [unknown, string][] = [
        [Promise.resolve(1), 'Promise'],
        [new WeakMap(), 'WeakMap'],
        [/re/, 'RegExp'],
        [new Set([1]), 'Set'],
        [new Float64Array(2), 'Float64Array'],
        [new Uint8ClampedArray(2), 'Uint8ClampedArray'],
        [new Int32Array(2), 'Int32Array'],
        [new ArrayBuffer(2), 'ArrayBuffer'],
        [new DataView(new ArrayBuffer(2)), 'DataView'],
        [new Error('e'), 'Error'],
        [new Number(1), 'Number'],
        [new String('s'), 'String'],
        [Object.create({}), 'Object'], // an object whose prototype is some other object
      ];
      for (const [v, name] of cases) {
        expectNotSerializable(() => encodeValue([v], 'x'), `cannot send x: an instance of ${name}${suffix} at [0]`);
      }
      const Anon = (() => class {})();
      Object.defineProperty(Anon, 'name', { value: '' });
      expectNotSerializable(() => encodeValue(new Anon(), 'x'), 'cannot send x: an instance of an anonymous class');
    });

    it('cycles, with the path of the value and of the ancestor it points back to', () => {
      const a: Record<string, unknown> = { n: 1 };
      a.self = a;
      expectNotSerializable(() => encodeValue(a, 'property "p"'),
        'cannot send property "p": a cyclic reference (back to the value itself) at .self');
      const arr: unknown[] = [1];
      arr.push({ back: [arr] });
      expectNotSerializable(() => encodeValue(arr, 'property "p"'),
        'cannot send property "p": a cyclic reference (back to the value itself) at [1].back[0]');
      const inner: Record<string, unknown> = {};
      inner.loop = { again: inner };
      expectNotSerializable(() => encodeValue({ outer: [inner] }, 'property "p"'),
        'cannot send property "p": a cyclic reference (back to .outer[0]) at .outer[0].loop.again');
      const m = new Map<unknown, unknown>();
      m.set('me', m);
      expectNotSerializable(() => encodeValue(m, 'x'), 'cannot send x: a cyclic reference (back to the value itself) at .get("me")');
      const km = new Map<unknown, unknown>();
      km.set(km, 1);
      expectNotSerializable(() => encodeValue(km, 'x'), 'cannot send x: a cyclic reference (back to the value itself) at .keys()[0]');
    });

    it('nesting deeper than MAX_VALUE_DEPTH (what the peer could still decode)', () => {
      expect(MAX_VALUE_DEPTH).to.equal(32);
      const nest = (depth: number): unknown => {
        let v: unknown = 'leaf';
        for (let i = 0; i < depth; i++) v = i % 3 === 0 ? { k: v } : i % 3 === 1 ? new Map([[1, v]]) : [v];
        return v;
      };
      // At the limit: encodes, and decodes inside a Packet (protobufjs allows 100 nested messages).
      const deepest = nest(MAX_VALUE_DEPTH);
      const objOnly = (() => {
        let v: unknown = 1;
        for (let i = 0; i < MAX_VALUE_DEPTH; i++) v = { k: v };
        return v;
      })();
      for (const v of [deepest, objOnly]) {
        const packet = { propertyChange: { source: 1, index: 0, value: encodeValue(v, 'x') } };
        const decoded = schema.Packet.decode(schema.Packet.encode(packet).finish()) as unknown as { propertyChange: { value: ValueMessage } };
        expect(decodeValue(decoded.propertyChange.value)).to.deep.equal(v);
      }
      // One more level: the peer's decoder would refuse it, so the encoder does.
      let thrown: unknown;
      try {
        encodeValue(nest(MAX_VALUE_DEPTH + 1), 'property "deep"');
      } catch (e) {
        thrown = e;
      }
      expect(thrown).to.be.instanceOf(UsageError);
      expect((thrown as UsageError).code).to.equal('NOT_SERIALIZABLE');
      expect((thrown as UsageError).message).to.match(/^cannot send property "deep": a value nested more than 32 levels deep at /);
      // And protobufjs indeed refuses 33 levels of objects in a Packet, encoding as well as decoding.
      let tooDeep: ValueMessage = { int: 1 };
      for (let i = 0; i <= MAX_VALUE_DEPTH; i++) tooDeep = { object: { fields: [{ key: 'k', value: tooDeep }] } };
      expect(() => schema.Packet.encode({ propertyChange: { source: 1, index: 0, value: tooDeep } })).to.throw(/max depth/);
      // Packet { property_change (field 1) { value (field 3) } }, put together by hand.
      const lengthDelimited = (tag: number, body: Uint8Array): Buffer => {
        const len: number[] = [];
        for (let n = body.length; ; n >>>= 7) {
          if (n < 0x80) {
            len.push(n);
            break;
          }
          len.push((n & 0x7f) | 0x80);
        }
        return Buffer.concat([Buffer.from([tag, ...len]), body]);
      };
      const bytes = lengthDelimited(0x0a, lengthDelimited(0x1a, schema.Value.encode(tooDeep).finish()));
      expect(() => schema.Packet.decode(bytes)).to.throw(/max depth/);
      expect(decodeValue(schema.Value.decode(schema.Value.encode(tooDeep).finish()) as ValueMessage)).to.be.an('object');
    });

    it('encodeValues names the failing value with what(i), called only on error', () => {
      const calls: number[] = [];
      const what = (i: number): string => {
        calls.push(i);
        return `argument ${i + 1} of slot "print"`;
      };
      expect(encodeValues([1, 'a'], what)).to.deep.equal([{ int: 1 }, { string: 'a' }]);
      expect(calls).to.deep.equal([]);
      expectNotSerializable(() => encodeValues([1, { f: [() => 0] }], what),
        'cannot send argument 2 of slot "print": a function at .f[0]');
      expectNotSerializable(() => encodeValues([1, 2, Symbol()], what),
        'cannot send argument 3 of slot "print": a symbol');
    });
  });

  describe('decodeValues / encodeValues', () => {
    it('round-trip argument lists', () => {
      const args = [1, 'two', [3], { four: 4 }, null, undefined, 5n];
      const msgs = encodeValues(args, (i) => `argument ${i}`);
      const invoke = { invoke: { source: 1, index: 0, serial: 1, args: msgs } };
      const decoded = schema.Packet.decode(schema.Packet.encode(invoke).finish()) as unknown as { invoke: { args: ValueMessage[] } };
      expect(decodeValues(decoded.invoke.args)).to.deep.equal(args);
    });

    it('absent lists are empty', () => {
      expect(decodeValues(undefined)).to.deep.equal([]);
      expect(decodeValues(null)).to.deep.equal([]);
      expect(decodeValues([])).to.deep.equal([]);
      expect(encodeValues([], () => 'x')).to.deep.equal([]);
    });
  });

  describe('a mixed value', () => {
    it('round-trips through the wire with types intact', () => {
      const v = {
        id: 42, ratio: 0.25, big: 2n ** 70n, name: 'Zoë 🚀', ok: false, nothing: null, missing: undefined,
        when: new Date(1_700_000_000_000), raw: new Uint8Array([1, 2]), buf: Buffer.from('b'),
        ints: [1, 2], dbl: [1, 2.5], list: [1, 'x', [null]], tags: new Map([['a', [1]]]),
      };
      const back = roundTrip(v) as typeof v;
      expect(back).to.deep.equal(v);
      expect(back.when).to.be.instanceOf(Date);
      expect(back.tags).to.be.instanceOf(Map);
      expect(Buffer.isBuffer(back.buf)).to.equal(true);
      expect(Buffer.isBuffer(back.raw)).to.equal(false);
      expect(back.raw).to.be.instanceOf(Uint8Array);
      expect(typeof back.big).to.equal('bigint');
    });
  });
});
