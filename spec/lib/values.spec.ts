// Values end to end, through a real host and replicas: as property values (changes and the Init
// snapshot), slot arguments, slot return values and signal arguments. Every value tsro can carry
// must arrive as the same value of the same kind.

import { expect } from 'chai';
import { RemoteError, type DynamicReplica, type Replica } from '../../src/index';
import { transports } from '../support/fixtures';
import { Gadget, WAIT_MS, expectTsro, rejectionOf, thrownBy } from '../support/e2e';
import { nextEvent } from '../../src/testing';
import { useWorld } from '../support/world-fixture';

interface Case {
  readonly name: string;
  readonly make: () => unknown;
  /** Extra checks of what arrived (beyond chai's deep equality with a fresh `make()`). */
  readonly check?: (actual: unknown) => void;
  /** Skip the deep equality (for values chai cannot compare, e.g. invalid Dates). */
  readonly noDeepEqual?: boolean;
}

const isNumber = (n: number) => (a: unknown) => {
  expect(typeof a).to.equal('number');
  expect(Object.is(a, n), `${String(a)} is ${n}`).to.equal(true);
};

const isBigint = (n: bigint) => (a: unknown) => {
  expect(typeof a).to.equal('bigint');
  expect(a === n, `${String(a)} === ${n}`).to.equal(true);
};

const CASES: Case[] = [
  { name: 'an int32 integer', make: () => 42, check: isNumber(42) },
  { name: 'a negative integer', make: () => -7, check: isNumber(-7) },
  { name: 'zero', make: () => 0, check: isNumber(0) },
  { name: 'a fraction', make: () => 3.25, check: isNumber(3.25) },
  { name: 'an integer beyond int32', make: () => 2 ** 31, check: isNumber(2 ** 31) },
  { name: 'the largest safe integer', make: () => Number.MAX_SAFE_INTEGER, check: isNumber(Number.MAX_SAFE_INTEGER) },
  { name: 'the smallest int32', make: () => -(2 ** 31), check: isNumber(-(2 ** 31)) },
  { name: 'a tiny double', make: () => Number.MIN_VALUE, check: isNumber(Number.MIN_VALUE) },
  { name: '-0', make: () => -0, check: isNumber(-0) },
  { name: 'NaN', make: () => NaN, check: isNumber(NaN) },
  { name: 'Infinity', make: () => Infinity, check: isNumber(Infinity) },
  { name: '-Infinity', make: () => -Infinity, check: isNumber(-Infinity) },
  { name: 'a small bigint', make: () => 5n, check: isBigint(5n) },
  { name: 'bigint 0n', make: () => 0n, check: isBigint(0n) },
  { name: 'a large bigint', make: () => 2n ** 100n + 12345n, check: isBigint(2n ** 100n + 12345n) },
  { name: 'a large negative bigint', make: () => -(2n ** 70n) + 1n, check: isBigint(-(2n ** 70n) + 1n) },
  { name: 'bigint -1n', make: () => -1n, check: isBigint(-1n) },
  { name: 'bigint -128n (a sign-byte edge)', make: () => -128n, check: isBigint(-128n) },
  { name: 'bigint 128n (a sign-byte edge)', make: () => 128n, check: isBigint(128n) },
  { name: 'true', make: () => true },
  { name: 'false', make: () => false },
  { name: 'the empty string', make: () => '' },
  { name: 'a string with emoji, CJK and U+0000', make: () => 'emoji 😀👍🏽 CJK 漢字かな한국어 nul\u0000end \u{10FFFF}' },
  { name: 'a long string', make: () => 'ab😀'.repeat(100_000) },
  {
    name: 'a Uint8Array (stays a Uint8Array, not a Buffer)',
    make: () => new Uint8Array([0, 1, 127, 128, 255]),
    check: (a) => {
      expect(a).to.be.instanceOf(Uint8Array);
      expect(Buffer.isBuffer(a)).to.equal(false);
      expect([...(a as Uint8Array)]).to.deep.equal([0, 1, 127, 128, 255]);
    },
  },
  {
    name: 'an empty Uint8Array',
    make: () => new Uint8Array(0),
    check: (a) => {
      expect(a).to.be.instanceOf(Uint8Array);
      expect((a as Uint8Array).length).to.equal(0);
    },
  },
  {
    name: 'a Buffer (stays a Buffer)',
    make: () => Buffer.from('buffer\u0000bytes✓'),
    check: (a) => {
      expect(Buffer.isBuffer(a)).to.equal(true);
      expect((a as Buffer).toString()).to.equal('buffer\u0000bytes✓');
    },
  },
  {
    name: 'a Date',
    make: () => new Date(1_700_000_000_123),
    check: (a) => {
      expect(a).to.be.instanceOf(Date);
      expect((a as Date).getTime()).to.equal(1_700_000_000_123);
    },
  },
  {
    name: 'a Date before 1970',
    make: () => new Date(-86_400_000 * 365.25 * 100),
    check: (a) => expect((a as Date).getTime()).to.equal(-86_400_000 * 365.25 * 100),
  },
  {
    name: 'an invalid Date',
    make: () => new Date(NaN),
    noDeepEqual: true,
    check: (a) => {
      expect(a).to.be.instanceOf(Date);
      expect(Number.isNaN((a as Date).getTime())).to.equal(true);
    },
  },
  { name: 'null', make: () => null, check: (a) => expect(a).to.equal(null) },
  { name: 'undefined', make: () => undefined, check: (a) => expect(a).to.equal(undefined) },
  { name: 'an empty array', make: () => [] },
  { name: 'an array of int32s', make: () => [1, -2, 3, 2 ** 31 - 1] },
  {
    name: 'an array of doubles with -0 and NaN',
    make: () => [1.5, -0, NaN, Infinity, 2],
    check: (a) => {
      const arr = a as number[];
      expect(Object.is(arr[1], -0)).to.equal(true);
      expect(Number.isNaN(arr[2])).to.equal(true);
    },
  },
  { name: 'a mixed array', make: () => [1, 'two', null, undefined, true, [3, [4.5]], { five: 5 }] },
  {
    name: 'a big array of doubles',
    make: () => Array.from({ length: 50_000 }, (_, i) => i / 7),
  },
  {
    name: 'nested objects and arrays',
    make: () => ({
      a: [1, [2, { b: 'c', d: [[], {}] }]],
      n: null,
      u: undefined,
      'key with spaces': { 'ü': '✓', '': 'empty key' },
      deep: { l1: { l2: { l3: { l4: [1, 2, 3] } } } },
    }),
    check: (a) => {
      expect(Object.getPrototypeOf(a)).to.equal(Object.prototype);
      expect(Object.prototype.hasOwnProperty.call(a, 'u')).to.equal(true);
    },
  },
  {
    name: 'an object with an own "__proto__" key (no prototype pollution)',
    make: () => JSON.parse('{"__proto__": {"polluted": true}, "x": 1}') as unknown,
    check: (a) => {
      expect(Object.getPrototypeOf(a)).to.equal(Object.prototype);
      expect(Object.prototype.hasOwnProperty.call(a, '__proto__')).to.equal(true);
      expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
    },
  },
  {
    name: 'a Map with keys of several kinds',
    make: () =>
      new Map<unknown, unknown>([
        [1, 'one'],
        ['two', 2],
        [3n, { x: [1] }],
        [null, undefined],
        [true, new Map([['inner', new Date(5)]])],
      ]),
    check: (a) => {
      expect(a).to.be.instanceOf(Map);
      const m = a as Map<unknown, unknown>;
      expect(m.get(1)).to.equal('one');
      expect(m.get(3n)).to.deep.equal({ x: [1] });
      expect(m.has(null)).to.equal(true);
      expect((m.get(true) as Map<string, Date>).get('inner')!.getTime()).to.equal(5);
    },
  },
  { name: 'an empty Map', make: () => new Map(), check: (a) => expect(a).to.be.instanceOf(Map) },
  {
    name: 'bytes, Dates and bigints inside containers',
    make: () => ({ list: [new Uint8Array([9]), Buffer.from([8]), new Date(7), 2n ** 80n], map: new Map([['b', Buffer.from('x')]]) }),
    check: (a) => {
      const v = a as { list: unknown[]; map: Map<string, unknown> };
      expect(v.list[0]).to.be.instanceOf(Uint8Array);
      expect(Buffer.isBuffer(v.list[0])).to.equal(false);
      expect(Buffer.isBuffer(v.list[1])).to.equal(true);
      expect(v.list[2]).to.be.instanceOf(Date);
      expect(v.list[3]).to.equal(2n ** 80n);
      expect(Buffer.isBuffer(v.map.get('b'))).to.equal(true);
    },
  },
];

function expectSame(c: Case, actual: unknown): void {
  if (!c.noDeepEqual) expect(actual).to.deep.equal(c.make());
  c.check?.(actual);
}

for (const t of transports()) {
  describe(`values end to end (${t.name})`, () => {
    const f = useWorld(t.url);
    let gadget: Gadget;
    let gr: Replica<Gadget>;
    let gd: DynamicReplica;

    beforeEach(async () => {
      gadget = new Gadget();
      gadget.anything = 'initial';
      f.remote(gadget);
      gr = await f.valid(Gadget);
      gd = await f.validDynamic('Gadget');
    });

    for (const c of CASES) {
      it(`carries ${c.name} as a property, slot argument and result, and signal argument`, async () => {
        // Property change.
        const changed = nextEvent(gr, 'anythingChanged');
        gadget.anything = c.make();
        const [fromEvent] = await changed;
        expectSame(c, fromEvent);
        expectSame(c, gr.anything);
        expectSame(c, gd.get('anything'));

        // Init snapshot for a replica of another node.
        const other = await f.w.connectedNode(f.host);
        const fresh = other.acquireDynamic('Gadget');
        expect(await fresh.waitForSource(WAIT_MS)).to.equal(true);
        expectSame(c, fresh.get('anything'));

        // Slot argument (what the source received) and return value (what the replica got).
        const returned = await gr.echo(c.make());
        expectSame(c, gadget.received[0]);
        expectSame(c, returned);
        expectSame(c, await gd.invoke('echoLater', c.make()));
        expectSame(c, gadget.received[1]);

        // Signal argument.
        const signalled = nextEvent(gr, 'sent');
        gadget.sent(c.make());
        expectSame(c, (await signalled)[0]);

        // Set from a replica: applied to the source as the same value.
        await gd.set('anything', 'reset');
        await gd.set('anything', c.make());
        expectSame(c, gadget.anything);
      });
    }

    it('keeps null and undefined apart, as values and as arguments', async () => {
      const log: unknown[] = [];
      gr.on('pair', (a, b) => log.push(a, b));
      gadget.pair(null, undefined);
      gadget.pair(undefined, null);
      await nextEvent(gr, 'pair');
      if (log.length < 4) await nextEvent(gr, 'pair');
      expect(log).to.have.length(4);
      expect(log[0]).to.equal(null);
      expect(log[1]).to.equal(undefined);
      expect(log[2]).to.equal(undefined);
      expect(log[3]).to.equal(null);
      expect(await gr.echo(null)).to.equal(null);
      expect(await gr.echo(undefined)).to.equal(undefined);
    });

    describe('int64', () => {
      it('carries a bigint property, and turns a safe-integer number into a bigint at the source', async () => {
        let changed = nextEvent(gr, 'bigChanged');
        gadget.big = 2n ** 62n + 1n;
        expect((await changed)[0]).to.equal(2n ** 62n + 1n);
        expect(gr.big).to.equal(2n ** 62n + 1n);

        changed = nextEvent(gr, 'bigChanged');
        (gadget as unknown as { big: unknown }).big = 7;
        expect(gadget.big).to.equal(7n);
        expect((await changed)[0]).to.equal(7n);

        changed = nextEvent(gr, 'bigChanged');
        gadget.big = -(2n ** 63n);
        expect((await changed)[0]).to.equal(-(2n ** 63n));
      });

      it('refuses a bigint outside the signed 64-bit range, and an unsafe number', () => {
        expectTsro(thrownBy(() => (gadget.big = 2n ** 63n)), 'TYPE_MISMATCH');
        expectTsro(thrownBy(() => ((gadget as unknown as { big: unknown }).big = 2 ** 60)), 'TYPE_MISMATCH');
        expect(gadget.big).to.equal(0n);
      });

      it('a replica may set it with a bigint or a safe-integer number', async () => {
        let changed = nextEvent(gr, 'bigChanged');
        gr.big = 9n;
        expect((await changed)[0]).to.equal(9n);
        expect(gadget.big).to.equal(9n);
        changed = nextEvent(gr, 'bigChanged');
        (gr as unknown as { big: unknown }).big = 10;
        expect((await changed)[0]).to.equal(10n);
        await gd.set('big', 11);
        expect(gadget.big).to.equal(11n);
      });
    });

    describe('values that cannot be carried', () => {
      it('a slot returning a function rejects with a RemoteError saying NOT_SERIALIZABLE', async () => {
        const err = await rejectionOf(gr.makeFunction());
        expect(err).to.be.instanceOf(RemoteError);
        const e = err as RemoteError;
        expect(e.code).to.equal('REMOTE');
        expect(e.remoteCode).to.equal('NOT_SERIALIZABLE');
        expect(e.remoteMessage).to.include('makeFunction').and.include('function');
        // The connection is fine afterwards.
        expect(await gr.twice(2)).to.equal(4);
      });

      it('a function as a slot argument rejects locally with NOT_SERIALIZABLE, nothing sent', async () => {
        const e = expectTsro(await rejectionOf(gr.echo(() => 1)), 'NOT_SERIALIZABLE');
        expect(e.message).to.include('argument 1').and.include('echo');
        const cyclic: Record<string, unknown> = {};
        cyclic.me = cyclic;
        expectTsro(await rejectionOf(gr.echo(cyclic)), 'NOT_SERIALIZABLE');
        expectTsro(await rejectionOf(gd.invoke('echo', new Set())), 'NOT_SERIALIZABLE');
        expectTsro(await rejectionOf(gd.invoke('echo', 'lone \uD800 surrogate')), 'NOT_SERIALIZABLE');
        expect(await gr.echo('ok')).to.equal('ok');
        expect(gadget.received).to.deep.equal(['ok']);
      });

      it('a string with a lone surrogate is refused at the source, naming the property', () => {
        const e = expectTsro(thrownBy(() => (gadget.anything = 'bad \uDC00')), 'NOT_SERIALIZABLE');
        expect(e.message).to.include('anything');
        expect(gadget.anything).to.equal('initial');
      });
    });
  });
}
