// Declaring an API on a user's own classes, whatever their tsconfig: fields compiled with
// `useDefineForClassFields: true` (own data properties that hide @Property's accessor, simulated
// here since this project compiles with `false`), @Property on get/set accessors and on a getter
// alone, validation of replicas' sets, and the decorator uses that cannot take effect or lack what
// they need (a member decorated in a subclass of the API class, no type metadata, standard
// decorators): each a DECLARATION_INVALID that says what to do.

import 'reflect-metadata';
import { EventEmitter } from 'node:events';
import { expect } from 'chai';
import { notifyPropertyChanged, Property, RemoteError, RemoteObjectType, Signal, Slot, type Host, type Node } from '../../src/index';
import { nextEvent } from '../../src/testing';
import { World, WAIT_MS, expectTsro, rejectionOf, sourceEvent, thrownBy } from '../support/e2e';

/** What TypeScript emits for `reading = 20.5` under useDefineForClassFields: true. */
function defineField(obj: object, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
}

@RemoteObjectType('DefineThermostat')
class DefineThermostat extends EventEmitter {
  @Property() reading!: number;
  @Property({ readonly: true }) label!: string;
  @Property() note!: string;
  constructor() {
    super();
    defineField(this, 'reading', 20.5);
    defineField(this, 'label', 'hall');
    defineField(this, 'note', undefined); // a field without initializer
  }
  @Slot() bump(): number {
    this.reading += 1;
    return this.reading;
  }
}

@RemoteObjectType('AccessorThermostat')
class AccessorThermostat extends EventEmitter {
  private modeValue = 'auto';
  celsius = 20;
  setterCalls: string[] = [];

  @Property()
  get mode(): string {
    return this.modeValue;
  }
  set mode(value: string) {
    this.setterCalls.push(value);
    this.modeValue = value.toLowerCase();
  }

  @Property()
  get fahrenheit(): number {
    return (this.celsius * 9) / 5 + 32;
  }

  @Property({
    validate(value: number) {
      if (value > 30) throw Object.assign(new RangeError(`target ${value} is above 30`), { limit: 30 });
    },
  })
  target = 21;

  warm(by: number): void {
    this.celsius += by;
    notifyPropertyChanged(this, 'fahrenheit');
  }
}

describe('user classes: fields, accessors, validation, declarations that cannot work', () => {
  let w: World;
  let host: Host;
  let node: Node;

  beforeEach(async () => {
    w = new World();
    host = await w.host();
    node = await w.connectedNode(host);
  });
  afterEach(() => w.close());

  describe('fields compiled with useDefineForClassFields: true', () => {
    it('replicate: enableRemoting turns the own data properties into the replicated accessors', async () => {
      const source = new DefineThermostat();
      expect(Object.getOwnPropertyDescriptor(source, 'reading')).to.have.property('value', 20.5);
      expect(host.enableRemoting(source)).to.equal(true);
      expect(Object.getOwnPropertyDescriptor(source, 'reading'), 'own property left in place').to.equal(undefined);
      expect(source.reading).to.equal(20.5);

      const r = node.acquire(DefineThermostat);
      const dyn = node.acquireDynamic('DefineThermostat');
      expect(await r.waitForSource(WAIT_MS)).to.equal(true);
      expect(await dyn.waitForSource(WAIT_MS)).to.equal(true);
      expect([r.reading, r.label, r.note]).to.deep.equal([20.5, 'hall', undefined]);
      expect(dyn.get('reading')).to.equal(20.5);

      const local = sourceEvent(source, 'readingChanged');
      const remote = nextEvent(r, 'readingChanged');
      source.reading = 22;
      expect(await local).to.deep.equal([22]);
      expect(await remote).to.deep.equal([22]);

      const fromReplica = sourceEvent(source, 'readingChanged');
      await dyn.set('reading', 23);
      expect(await fromReplica).to.deep.equal([23]);
      expect(await r.bump()).to.equal(24);
      expect(source.reading).to.equal(24);
    });

    it('typed replicas start from the class defaults held in own properties', () => {
      const r = node.acquire(DefineThermostat);
      expect(r.state).to.equal('default');
      expect(r.reading).to.equal(20.5);
      expect(r.label).to.equal('hall');
    });

    it('an own property of the wrong type is refused at enableRemoting, which returns false and says why', async () => {
      const source = new DefineThermostat();
      defineField(source, 'reading', 'warm');
      expect(host.enableRemoting(source)).to.equal(false);
      const line = await w.hostLog.waitFor(/cannot remote "DefineThermostat"/);
      expect(String((line.error as Error).message)).to.contain('property "reading"');
    });
  });

  describe('@Property on accessors', () => {
    let source: AccessorThermostat;
    beforeEach(() => {
      source = new AccessorThermostat();
      expect(host.enableRemoting(source)).to.equal(true);
    });

    it("a get/set pair: the class's setter runs for local and replica sets, and its result replicates", async () => {
      const r = node.acquire(AccessorThermostat);
      expect(await r.waitForSource(WAIT_MS)).to.equal(true);
      expect(r.mode).to.equal('auto');

      let changed = nextEvent(r, 'modeChanged');
      const local = sourceEvent(source, 'modeChanged');
      source.mode = 'ECO';
      expect(await local).to.deep.equal(['eco']);
      expect(await changed).to.deep.equal(['eco']);

      changed = nextEvent(r, 'modeChanged');
      r.mode = 'BOOST';
      expect(await changed).to.deep.equal(['boost']);
      expect(source.setterCalls).to.deep.equal(['ECO', 'BOOST']);
      expect(source.mode).to.equal('boost');
    });

    it('a set the class turns into the value it already has is no change', async () => {
      const r = node.acquire(AccessorThermostat);
      expect(await r.waitForSource(WAIT_MS)).to.equal(true);
      const events: unknown[] = [];
      source.on('modeChanged', (v: unknown) => events.push(v));
      source.mode = 'AUTO';
      expect(source.setterCalls).to.deep.equal(['AUTO']);
      expect(events).to.deep.equal([]);
    });

    it('a getter alone is read-only and replicates when the class calls notifyPropertyChanged', async () => {
      const r = node.acquire(AccessorThermostat);
      const dyn = node.acquireDynamic('AccessorThermostat');
      expect(await r.waitForSource(WAIT_MS)).to.equal(true);
      expect(await dyn.waitForSource(WAIT_MS)).to.equal(true);
      expect(r.fahrenheit).to.equal(68);
      expect(dyn.api?.propertyByName.get('fahrenheit')?.readonly).to.equal(true);
      expectTsro(await rejectionOf(dyn.set('fahrenheit', 1)), 'READONLY');

      const changed = nextEvent(r, 'fahrenheitChanged');
      source.warm(5);
      expect(await changed).to.deep.equal([77]);
      expect(r.fahrenheit).to.equal(77);
    });

    it('notifyPropertyChanged on a name that is no @Property accessor is UNKNOWN_MEMBER', () => {
      expectTsro(thrownBy(() => notifyPropertyChanged(source, 'celsius')), 'UNKNOWN_MEMBER');
    });
  });

  describe('@Property({ validate })', () => {
    it("refuses a replica's set: the setter rejects with a RemoteError carrying what validate threw", async () => {
      const source = new AccessorThermostat();
      expect(host.enableRemoting(source)).to.equal(true);
      const dyn = node.acquireDynamic('AccessorThermostat');
      expect(await dyn.waitForSource(WAIT_MS)).to.equal(true);
      const err = await rejectionOf(dyn.set('target', 35));
      expect(err).to.be.instanceOf(RemoteError);
      expect((err as RemoteError).remoteName).to.equal('RangeError');
      expect(err.message).to.contain('target 35 is above 30');
      expect((err as RemoteError).remoteData).to.deep.equal({ limit: 30 });
      expect(source.target).to.equal(21);
      expect(dyn.get('target')).to.equal(21);

      const changed = nextEvent(dyn, 'targetChanged');
      await dyn.set('target', 25);
      expect(await changed).to.deep.equal([25]);
    });

    it("does not run for the source's own sets", () => {
      const source = new AccessorThermostat();
      source.target = 40;
      expect(source.target).to.equal(40);
    });
  });

  describe('decorators that would not take effect', () => {
    it('a member decorated in a subclass of the @RemoteObjectType class: DECLARATION_INVALID naming it and the way to remote it', async () => {
      @RemoteObjectType('Base')
      class Base {
        @Property() reading = 1;
      }
      class Humid extends Base {
        @Property() humidity = 40;
        @Slot() dry(): void {}
      }
      expect(host.enableRemoting(new Humid())).to.equal(false);
      const line = await w.hostLog.waitFor(/cannot remote/);
      const err = expectTsro(line.error, 'DECLARATION_INVALID');
      expect(err.message).to.contain('@Property humidity, @Slot dry');
      expect(err.message).to.contain("subclass of Base, the @RemoteObjectType('Base') class");
      expect(err.message).to.contain("give Humid a type of its own with @RemoteObjectType('...')");
      expectTsro(thrownBy(() => node.acquire(Humid)), 'DECLARATION_INVALID');
    });

    it('overriding a member the API class declares is fine (its code runs for replicas)', async () => {
      @RemoteObjectType('Greeter')
      class Greeter {
        @Slot() greet(): string {
          return 'hello';
        }
      }
      class LoudGreeter extends Greeter {
        @Slot() override greet(): string {
          return 'HELLO';
        }
      }
      expect(host.enableRemoting(new LoudGreeter())).to.equal(true);
      const r = node.acquire(Greeter);
      expect(await r.waitForSource(WAIT_MS)).to.equal(true);
      expect(await r.greet()).to.equal('HELLO');
    });

    it('a subclass with a @RemoteObjectType of its own remotes its members', async () => {
      @RemoteObjectType('Plain')
      class Plain {
        @Property() reading = 1;
      }
      @RemoteObjectType('Humid2')
      class Humid2 extends Plain {
        @Property() humidity = 40;
      }
      expect(host.enableRemoting(new Humid2())).to.equal(true);
      const r = node.acquire(Humid2);
      expect(await r.waitForSource(WAIT_MS)).to.equal(true);
      expect([r.reading, r.humidity]).to.deep.equal([1, 40]);
    });
  });

  describe('missing type metadata (emitDecoratorMetadata off)', () => {
    /** A class as TypeScript emits it without emitDecoratorMetadata: no design:* metadata. */
    function bare(): { prototype: object } {
      return class Bare {
        reading = 0;
        twice(x: number): number {
          return x * 2;
        }
        ping(): void {}
      };
    }

    it('a property without explicit type: DECLARATION_INVALID naming emitDecoratorMetadata and the explicit option', () => {
      const err = expectTsro(thrownBy(() => Property()(bare().prototype, 'reading')), 'DECLARATION_INVALID');
      expect(err.message).to.contain('property "reading" has no type metadata');
      expect(err.message).to.contain('"emitDecoratorMetadata": true');
      expect(err.message).to.contain('{ type: ... }');
    });

    it('a slot or signal with parameters, or a slot without `returns`: the same', () => {
      const proto = bare().prototype as Record<string, unknown>;
      const twice = { value: proto.twice, writable: true, configurable: true };
      let err = expectTsro(thrownBy(() => Slot()(proto, 'twice', twice)), 'DECLARATION_INVALID');
      expect(err.message).to.contain('the parameters of slot "twice" has no type metadata');
      err = expectTsro(thrownBy(() => Signal()(proto, 'twice', twice)), 'DECLARATION_INVALID');
      expect(err.message).to.contain('{ params: [...] }');
      err = expectTsro(thrownBy(() => Slot()(proto, 'ping', { value: proto.ping, writable: true, configurable: true })), 'DECLARATION_INVALID');
      expect(err.message).to.contain('slot "ping" has no type metadata');
    });

    it('explicit types need no metadata', () => {
      const proto = bare().prototype as Record<string, unknown>;
      Property({ type: 'double' })(proto, 'reading');
      Slot({ params: ['double'], returns: 'double' })(proto, 'twice', { value: proto.twice, writable: true, configurable: true });
      Signal()(proto, 'ping', { value: proto.ping, writable: true, configurable: true });
    });
  });

  it('standard (non-experimental) decorator calls: DECLARATION_INVALID naming experimentalDecorators', () => {
    const context = { kind: 'field', name: 'reading' };
    const err = expectTsro(thrownBy(() => (Property() as unknown as (v: undefined, c: object) => void)(undefined, context)), 'DECLARATION_INVALID');
    expect(err.message).to.contain('"experimentalDecorators": true');
    expectTsro(thrownBy(() => (RemoteObjectType('X') as unknown as (v: unknown, c: object) => void)(class {}, { kind: 'class' })), 'DECLARATION_INVALID');
  });
});
