// Value types (QtRO's PODs / gadgets; issue 6, "Richer object model"): @ValueType classes with
// @Field members as property, argument and return types, alone and in arrays, maps, nullables
// and other value types. On the wire they are plain Structs; typed replicas (and the source, for
// what it receives) get instances, dynamic replicas plain objects; only registered classes are
// ever instantiated; the fields are in the signature.

import { EventEmitter } from 'node:events';
import { expect } from 'chai';
import {
  Field,
  MemoryPersistedStore,
  Property,
  RemoteObjectType,
  Signal,
  Slot,
  ValueType,
  type DynamicReplica,
  type Host,
  type Node,
  type Replica,
} from '../../src/index';
import { conformValue, reviveValue } from '../../src/api/conform';
import { apiOf } from '../../src/api/metadata';
import { valueTypeOf } from '../../src/api/wire-type';
import { transports, until } from '../support/fixtures';
import { WAIT_MS, bindingOf, expectTsro, recordEvents, rejectionOf, sourceEvent, thrownBy, whenOffered } from '../support/e2e';
import { nextEvent, waitFor } from '../../src/testing';
import { useWorld } from '../support/world-fixture';

enum Color {
  Red,
  Green,
}

@ValueType()
class Point {
  /** Constructions, to show that receiving never runs the constructor. */
  static constructed = 0;
  @Field() x: number;
  @Field() y: number;
  constructor(x = 0, y = 0) {
    Point.constructed++;
    this.x = x;
    this.y = y;
  }
  length(): number {
    return Math.hypot(this.x, this.y);
  }
}

@ValueType('Segment')
class Segment {
  @Field() from: Point = new Point();
  @Field() to: Point = new Point();
  @Field({ type: Color }) color: Color = Color.Red;
  @Field({ type: { nullable: 'string' } }) label: string | null = null;
  @Field({ type: 'int32' }) weight = 1;
}

@ValueType('Point')
class PointWithZ {
  @Field() x: number = 0;
  @Field() y: number = 0;
  @Field() z: number = 0;
}

/** Never registered: must never be made from wire data. */
class NotAValueType {
  x = 1;
}

@RemoteObjectType('Canvas')
class Canvas extends EventEmitter {
  @Property() origin: Point = new Point(1, 2); // design:type Point
  @Property({ type: { array: Point } }) points: Point[] = [];
  @Property({ type: { map: Point } }) named: Map<string, Point> = new Map();
  @Property({ type: { nullable: Segment } }) selected: Segment | null = null;
  @Property() anything: unknown = null;
  @Signal() moved(_to: Point): void {} // design:paramtypes Point
  @Signal({ params: [{ array: Segment }] }) drawn(_segments: Segment[]): void {}
  received: unknown[] = [];
  @Slot() add(a: Point, b: Point): Point {
    this.received = [a, b];
    return new Point(a.x + b.x, a.y + b.y);
  }
  @Slot({ params: [{ array: Point }, 'double'], returns: { array: Point } }) async scaled(points: Point[], k: number): Promise<Point[]> {
    this.received = points;
    return points.map((p) => ({ x: p.x * k, y: p.y * k }) as Point);
  }
  @Slot({ params: [{ map: Point }], returns: { map: Point } }) mirrored(points: Map<string, Point>): Map<string, Point> {
    this.received = [...points.values()];
    return new Map([...points].map(([k, p]) => [k, new Point(-p.x, -p.y)]));
  }
  @Slot({ returns: { nullable: Segment } }) longest(): Segment | null {
    return this.selected;
  }
  @Slot({ params: ['any'], returns: 'any' }) echo(value: unknown): unknown {
    this.received = [value];
    return value;
  }
}

@RemoteObjectType('Canvas')
class CanvasWithOtherPoint {
  @Property() origin: PointWithZ = new PointWithZ();
  @Property({ type: { array: PointWithZ } }) points: PointWithZ[] = [];
  @Property({ type: { map: PointWithZ } }) named: Map<string, PointWithZ> = new Map();
  @Property({ type: { nullable: Segment } }) selected: Segment | null = null;
  @Property() anything: unknown = null;
  @Signal() moved(_to: PointWithZ): void {}
  @Signal({ params: [{ array: Segment }] }) drawn(_segments: Segment[]): void {}
  @Slot() add(a: PointWithZ, _b: PointWithZ): PointWithZ {
    return a;
  }
  @Slot({ params: [{ array: PointWithZ }, 'double'], returns: { array: PointWithZ } }) async scaled(p: PointWithZ[], _k: number): Promise<PointWithZ[]> {
    return p;
  }
  @Slot({ params: [{ map: PointWithZ }], returns: { map: PointWithZ } }) mirrored(p: Map<string, PointWithZ>): Map<string, PointWithZ> {
    return p;
  }
  @Slot({ returns: { nullable: Segment } }) longest(): Segment | null {
    return null;
  }
  @Slot({ params: ['any'], returns: 'any' }) echo(value: unknown): unknown {
    return value;
  }
}

@RemoteObjectType('Pin')
class Pin {
  @Property({ persisted: true }) at: Point = new Point();
  @Property({ persisted: true, type: { array: Segment } }) trail: Segment[] = [];
}

const POINT_TYPE = { valueType: 'Point', fields: { x: 'double', y: 'double' } };

function isPlain(v: unknown): boolean {
  return v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype;
}

function segment(from: [number, number], to: [number, number], label: string | null = null): Segment {
  const s = new Segment();
  s.from = new Point(...from);
  s.to = new Point(...to);
  s.label = label;
  return s;
}

describe('object model: value type declarations', () => {
  it('resolves fields from design:type and explicit types, in order; nested value types by reference', () => {
    expect(valueTypeOf(Point)).to.deep.equal(POINT_TYPE);
    const seg = valueTypeOf(Segment)!;
    expect(Object.keys(seg.fields)).to.deep.equal(['from', 'to', 'color', 'label', 'weight']);
    expect(seg.fields.from).to.equal(valueTypeOf(Point));
    expect(seg.fields.color).to.deep.equal({ enum: { Red: 0, Green: 1 } });
    const api = apiOf(Canvas);
    expect(api.propertyByName.get('origin')!.type).to.equal(valueTypeOf(Point));
    expect(api.signalByName.get('moved')!.params[0]!.type).to.equal(valueTypeOf(Point));
    expect(api.slotByName.get('add')!.returns).to.equal(valueTypeOf(Point));
  });

  it('refuses an unregistered class as a type, a value type without fields and one that contains itself', () => {
    let e = expectTsro(
      thrownBy(() => {
        @RemoteObjectType('Bad')
        class Bad {
          @Property({ type: NotAValueType as never }) x = new NotAValueType();
        }
        return Bad;
      }),
      'DECLARATION_INVALID',
    );
    expect(e.message).to.include('NotAValueType').and.include('@ValueType');
    expectTsro(
      thrownBy(() => {
        @ValueType()
        class Empty {
          x = 1;
        }
        return Empty;
      }),
      'DECLARATION_INVALID',
    );
    e = expectTsro(
      thrownBy(() => {
        @ValueType()
        class Tree {
          @Field() value = 0;
          @Field() parent: Tree | undefined = undefined;
          @Field({ type: { array: Tree } }) children: Tree[] = [];
        }
        return Tree;
      }),
      'DECLARATION_INVALID',
    );
    expect(e.message).to.include('cannot contain itself');
  });

  it('puts the value type name and its fields (names, types, order) in the signature', () => {
    @ValueType('Point')
    class SwappedPoint {
      @Field() y: number = 0;
      @Field() x: number = 0;
    }
    @ValueType('Point')
    class IntPoint {
      @Field({ type: 'int32' }) x = 0;
      @Field({ type: 'int32' }) y = 0;
    }
    @ValueType('Vec')
    class Vec {
      @Field() x: number = 0;
      @Field() y: number = 0;
    }
    @ValueType('Point')
    class SamePoint {
      @Field() x: number = 0;
      @Field() y: number = 0;
    }
    const sig = (type: unknown): string => {
      @RemoteObjectType('V')
      class V {
        @Property({ type: type as never }) p = null;
      }
      return apiOf(V).signature;
    };
    const base = sig(Point);
    expect(sig(SamePoint)).to.equal(base); // the class is not in the signature, its shape is
    for (const other of [PointWithZ, SwappedPoint, IntPoint, Vec, { object: { x: 'double', y: 'double' } }]) {
      expect(sig(other)).to.not.equal(base);
    }
  });

  it('revives only declared fields of registered classes, without running constructors', () => {
    const hostile = JSON.parse('{"x":1,"y":2,"__proto__":{"polluted":true},"constructor":"Point"}') as Record<string, unknown>;
    const before = Point.constructed;
    const p = reviveValue(valueTypeOf(Point)!, hostile) as Point;
    expect(Point.constructed).to.equal(before);
    expect(p).to.be.instanceOf(Point);
    expect(Object.keys(p)).to.deep.equal(['x', 'y']);
    expect(p.length()).to.equal(Math.hypot(1, 2));
    expect(Object.prototype.hasOwnProperty.call(p, 'constructor')).to.equal(false);
    expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
    // A value type that came over the wire (no class) never makes an instance.
    const wireType = { valueType: 'Point', fields: { x: 'double', y: 'double' } } as const;
    expect(isPlain(reviveValue(wireType, { x: 1, y: 2 }))).to.equal(true);
    // And sending checks exactly the declared fields.
    expectTsro(thrownBy(() => conformValue(valueTypeOf(Point)!, hostile, 'v')), 'TYPE_MISMATCH');
  });
});

for (const t of transports()) {
  describe(`object model: value types (${t.name})`, () => {
    const f = useWorld(t.url, { source: () => new Canvas(), typed: Canvas, dynamic: true });

    it('shows a value type property as an instance on typed replicas and a plain object on dynamic ones', () => {
      expect(f.r.origin).to.be.instanceOf(Point);
      expect(f.r.origin.length()).to.equal(Math.hypot(1, 2));
      expect(f.r.origin).to.deep.include({ x: 1, y: 2 });
      expect(f.r.origin, 'the same instance while the value is unchanged').to.equal(f.r.origin);
      expect(isPlain(f.dyn.get('origin'))).to.equal(true);
      expect(f.dyn.get('origin')).to.deep.equal({ x: 1, y: 2 });
      // Typed replicas of a class show its defaults as instances too, before any source.
      const early = f.w.node().acquire(Canvas);
      expect(early.state).to.equal('default');
      expect(early.origin).to.be.instanceOf(Point);
      expect(early.origin).to.deep.include({ x: 1, y: 2 });
    });

    it('carries changes from the source (instance or plain object) and sets from replicas', async () => {
      const typedChanged = nextEvent(f.r, 'originChanged');
      const dynChanged = nextEvent<[unknown]>(f.dyn, 'originChanged');
      const local = sourceEvent(f.source, 'originChanged');
      f.source.origin = new Point(3, 4);
      const [shown] = await typedChanged;
      expect(shown).to.be.instanceOf(Point).and.deep.include({ x: 3, y: 4 });
      expect(f.r.origin).to.equal(shown);
      expect(shown.length()).to.equal(5);
      const [plain] = await dynChanged;
      expect(isPlain(plain)).to.equal(true);
      expect(plain).to.deep.equal({ x: 3, y: 4 });
      expect((await local)[0]).to.be.instanceOf(Point);

      // A plain object with the right fields is a Point on the source too.
      f.source.origin = { x: 6, y: 8 } as Point;
      expect(f.source.origin).to.be.instanceOf(Point);
      await waitFor(f.r, 'origin', (o) => o.x === 6);
      expect(f.r.origin.length()).to.equal(10);

      // Sets from replicas: the source receives instances.
      const fromTyped = sourceEvent(f.source, 'originChanged');
      f.r.origin = new Point(-1, -1);
      const [set1] = (await fromTyped) as [Point];
      expect(set1).to.be.instanceOf(Point).and.deep.include({ x: -1, y: -1 });
      await f.dyn.set('origin', { x: 9, y: 9 });
      expect(f.source.origin).to.be.instanceOf(Point).and.deep.include({ x: 9, y: 9 });
      await waitFor(f.r, 'origin', (o) => o.x === 9);
      expect(f.r.origin).to.be.instanceOf(Point);
    });

    it('refuses missing, extra and mistyped fields (TYPE_MISMATCH naming the path)', async () => {
      let e = expectTsro(thrownBy(() => (f.source.origin = { x: 1 } as Point)), 'TYPE_MISMATCH');
      expect(e.message).to.include('"origin"').and.include('without field "y"');
      e = expectTsro(thrownBy(() => (f.source.origin = { x: 1, y: 2, z: 3 } as unknown as Point)), 'TYPE_MISMATCH');
      expect(e.message).to.include('undeclared field "z"');
      e = expectTsro(thrownBy(() => (f.source.origin = { x: 'a', y: 2 } as unknown as Point)), 'TYPE_MISMATCH');
      expect(e.message).to.include('at .x').and.include('expects double');
      e = expectTsro(thrownBy(() => (f.source.origin = new NotAValueType() as unknown as Point)), 'TYPE_MISMATCH');
      expect(e.message).to.include('NotAValueType');
      e = expectTsro(thrownBy(() => (f.source.points = [new Point(), { x: 1, y: '2' } as unknown as Point])), 'TYPE_MISMATCH');
      expect(e.message).to.include('at [1].y');
      const bad = segment([0, 0], [1, 1]);
      (bad.to as unknown as Record<string, unknown>).y = null;
      e = expectTsro(thrownBy(() => (f.source.selected = bad)), 'TYPE_MISMATCH');
      expect(e.message).to.include('at .to.y');
      const unnamed = segment([0, 0], [1, 1]);
      (unnamed as unknown as Record<string, unknown>).color = 5;
      expectTsro(thrownBy(() => (f.source.selected = unnamed)), 'TYPE_MISMATCH');
      expect(f.source.origin).to.deep.include({ x: 1, y: 2 });

      expectTsro(thrownBy(() => (f.r.origin = { x: 1 } as Point)), 'TYPE_MISMATCH');
      expectTsro(await rejectionOf(f.dyn.set('origin', { x: 1, y: 2, extra: true })), 'TYPE_MISMATCH');
      expectTsro(await rejectionOf(f.dyn.invoke('add', { x: 1, y: 2 }, { x: 1 })), 'TYPE_MISMATCH');
      expectTsro(await rejectionOf(f.r.add(new Point(), new NotAValueType() as unknown as Point)), 'TYPE_MISMATCH');
      // The host checks too, for what a replica did not.
      const binding = bindingOf(f.host, 'Canvas')!;
      expect(() => binding.setProperty(0, { object: { fields: [{ key: 'x', value: { int: 1 } }] } })).to.throw().with.property('code', 'TYPE_MISMATCH');
    });

    it('carries arrays, maps and nullables of value types, and value types nested in value types', async () => {
      f.source.points = [new Point(1, 1), { x: 2, y: 2 } as Point];
      f.source.named = new Map([['a', new Point(5, 5)]]);
      f.source.selected = segment([0, 0], [3, 4], 'diagonal');
      await waitFor(f.r, 'selected', (s) => s !== null);
      expect(f.source.points.every((p) => p instanceof Point)).to.equal(true);
      expect(f.r.points).to.have.length(2);
      expect(f.r.points.every((p) => p instanceof Point)).to.equal(true);
      expect(f.r.points.map((p) => p.length())).to.deep.equal([Math.SQRT2, Math.hypot(2, 2)]);
      expect(f.r.named).to.be.instanceOf(Map);
      expect(f.r.named.get('a')).to.be.instanceOf(Point).and.deep.include({ x: 5, y: 5 });
      expect(f.r.selected).to.be.instanceOf(Segment);
      expect(f.r.selected!.from).to.be.instanceOf(Point);
      expect(f.r.selected!.to.length()).to.equal(5);
      expect(f.r.selected!.label).to.equal('diagonal');

      const dp = f.dyn.get('points') as unknown[];
      expect(dp.every(isPlain)).to.equal(true);
      expect((f.dyn.get('named') as Map<string, unknown>).get('a')).to.satisfy(isPlain);
      const ds = f.dyn.get('selected') as Record<string, unknown>;
      expect(isPlain(ds) && isPlain(ds.from) && isPlain(ds.to)).to.equal(true);
      expect(ds).to.deep.equal({ from: { x: 0, y: 0 }, to: { x: 3, y: 4 }, color: Color.Red, label: 'diagonal', weight: 1 });

      f.source.selected = null;
      await waitFor(f.r, 'selected', null);
      expect(f.dyn.get('selected')).to.equal(null);
    });

    it('gives typed replicas instances in signal arguments, dynamic replicas plain objects', async () => {
      const typedLog = recordEvents(f.r, ['moved', 'drawn']);
      const dynLog = recordEvents(f.dyn, ['moved', 'drawn']);
      f.source.moved(new Point(7, 8));
      f.source.drawn([segment([0, 0], [1, 0]), segment([1, 0], [1, 1], 'up')]);
      await until(f.r, 'drawn', () => typedLog.length === 2);
      await until(f.dyn, 'drawn', () => dynLog.length === 2);
      const [moved] = typedLog[0]!.args as [Point];
      expect(moved).to.be.instanceOf(Point).and.deep.include({ x: 7, y: 8 });
      const [segments] = typedLog[1]!.args as [Segment[]];
      expect(segments.every((s) => s instanceof Segment && s.to instanceof Point)).to.equal(true);
      expect(segments[1]!.label).to.equal('up');
      expect(isPlain(dynLog[0]!.args[0])).to.equal(true);
      expect(dynLog[0]!.args[0]).to.deep.equal({ x: 7, y: 8 });
      expect((dynLog[1]!.args[0] as unknown[]).every(isPlain)).to.equal(true);
      expectTsro(thrownBy(() => f.source.moved({ x: 1 } as Point)), 'TYPE_MISMATCH');
    });

    it('passes value types as slot arguments (instances on the source) and results (instances on typed replicas)', async () => {
      const sum = await f.r.add(new Point(1, 2), { x: 3, y: 4 } as Point);
      expect(sum).to.be.instanceOf(Point).and.deep.include({ x: 4, y: 6 });
      expect(f.source.received.every((p) => p instanceof Point)).to.equal(true);
      expect(f.source.received).to.deep.equal([new Point(1, 2), new Point(3, 4)]);

      const scaled = await f.r.scaled([new Point(1, 1), new Point(2, 0)], 2);
      expect(scaled.every((p) => p instanceof Point)).to.equal(true);
      expect(scaled.map((p) => [p.x, p.y])).to.deep.equal([[2, 2], [4, 0]]);
      expect(f.source.received.every((p) => p instanceof Point)).to.equal(true);

      const mirrored = await f.r.mirrored(new Map([['p', new Point(1, -1)]]));
      expect(mirrored.get('p')).to.be.instanceOf(Point).and.deep.include({ x: -1, y: 1 });
      expect(f.source.received[0]).to.be.instanceOf(Point);

      expect(await f.r.longest()).to.equal(null);
      f.source.selected = segment([0, 0], [0, 2]);
      const longest = await f.r.longest();
      expect(longest).to.be.instanceOf(Segment);
      expect(longest!.to).to.be.instanceOf(Point);

      const dynSum = await f.dyn.invoke('add', { x: 1, y: 1 }, { x: 1, y: 1 });
      expect(isPlain(dynSum)).to.equal(true);
      expect(dynSum).to.deep.equal({ x: 2, y: 2 });
      expect(f.source.received.every((p) => p instanceof Point)).to.equal(true);
    });

    it('never instantiates a class from wire data: hostile keys stay plain data', async () => {
      const hostile = JSON.parse('{"__proto__":{"polluted":true},"constructor":"Point","x":1,"y":2}') as Record<string, unknown>;
      const echoed = (await f.dyn.invoke('echo', hostile)) as Record<string, unknown>;
      const received = f.source.received[0] as Record<string, unknown>;
      for (const v of [received, echoed, await f.r.echo(hostile)]) {
        expect(isPlain(v), 'plain object').to.equal(true);
        expect(v).to.not.be.instanceOf(Point);
        expect(Object.keys(v as object)).to.deep.equal(['__proto__', 'constructor', 'x', 'y']);
      }
      expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
      // An `any` property holding a Point-shaped object stays plain on typed replicas.
      f.source.anything = { x: 1, y: 2 };
      await waitFor(f.r, 'anything', (v) => v !== null);
      expect(isPlain(f.r.anything)).to.equal(true);
      // An instance of an unregistered class cannot be sent at all.
      expectTsro(thrownBy(() => (f.source.anything = new NotAValueType())), 'NOT_SERIALIZABLE');
      // Received Points are made without running Point's constructor.
      const before = Point.constructed;
      f.source.origin = { x: 0, y: 1 } as Point; // revived on the source, then on the replica
      await waitFor(f.r, 'origin', (o) => o.y === 1);
      expect(f.r.origin).to.be.instanceOf(Point);
      expect(Point.constructed).to.equal(before);
    });

    it('carries instances in `any` positions as plain objects of their declared fields', async () => {
      const p = new Point(3, 4);
      (p as unknown as Record<string, unknown>).cache = 'not a field';
      f.source.anything = p;
      await waitFor(f.r, 'anything', (v) => v !== null);
      expect(isPlain(f.r.anything)).to.equal(true);
      expect(f.r.anything).to.deep.equal({ x: 3, y: 4 });
      expect(Object.keys(f.dyn.get('anything') as object)).to.deep.equal(['x', 'y']);
      const echoed = await f.r.echo([segment([0, 0], [1, 2])]);
      expect(echoed).to.deep.equal([{ from: { x: 0, y: 0 }, to: { x: 1, y: 2 }, color: Color.Red, label: null, weight: 1 }]);
      expect(isPlain((echoed as unknown[])[0])).to.equal(true);
      expect(isPlain((f.source.received[0] as unknown[])[0])).to.equal(true);
    });

    it('persists value type properties and shows them as instances before any connection', async () => {
      const store = new MemoryPersistedStore();
      const pin = new Pin();
      pin.at = new Point(5, 6);
      pin.trail = [segment([0, 0], [5, 6], 'walk')];
      f.remote(pin);
      const seer = await f.w.connectedNode(f.host, { persistedStore: store });
      const seen = seer.acquire(Pin);
      expect(await seen.waitForSource(WAIT_MS)).to.equal(true);
      pin.at = new Point(7, 8);
      await waitFor(seen, 'at', (at) => at.x === 7);
      await seer.close();
      const later = f.w.node({ persistedStore: store }).acquire(Pin);
      expect(later.state).to.equal('default');
      expect(later.at).to.be.instanceOf(Point).and.deep.include({ x: 7, y: 8 });
      expect(later.trail[0]).to.be.instanceOf(Segment);
      expect(later.trail[0]!.to).to.be.instanceOf(Point);
      expect(later.trail[0]!.label).to.equal('walk');
    });

    it('describes value types to dynamic replicas by name and fields', () => {
      const api = f.dyn.api!;
      expect(api.signature).to.equal(apiOf(Canvas).signature);
      expect(api.propertyByName.get('origin')!.type).to.deep.equal(POINT_TYPE);
      expect(api.propertyByName.get('points')!.type).to.deep.equal({ array: POINT_TYPE });
      expect(api.propertyByName.get('named')!.type).to.deep.equal({ map: POINT_TYPE });
      expect(api.propertyByName.get('selected')!.type).to.deep.equal({
        nullable: {
          valueType: 'Segment',
          fields: { from: POINT_TYPE, to: POINT_TYPE, color: { enum: { Red: 0, Green: 1 } }, label: { nullable: 'string' }, weight: 'int32' },
        },
      });
      expect(api.slotByName.get('add')!.returns).to.deep.equal(POINT_TYPE);
    });

    it('goes signatureMismatch when one side changed a value type\'s fields', async () => {
      const other = await f.w.connectedNode(f.host);
      await whenOffered(other, 'Canvas');
      const mismatched = other.acquire(CanvasWithOtherPoint, 'Canvas');
      expect(await mismatched.waitForSource(WAIT_MS)).to.equal(false);
      expect(mismatched.state).to.equal('signatureMismatch');
      const otherDyn = other.acquireDynamic('Canvas');
      expect(await otherDyn.waitForSource(WAIT_MS)).to.equal(true);
      expect(otherDyn.get('origin')).to.deep.equal({ x: 1, y: 2 });
    });
  });
}
