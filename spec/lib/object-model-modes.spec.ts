// Property modes (issue 6, "Richer object model"), mapped to QtRO's property modifiers:
// writable (READWRITE), readonly (READONLY), constant (CONSTANT: in the initial values, never
// changes once remoted) and sourceOnlySetter (READPUSH / SOURCEONLYSETTER: replicas cannot set
// it but may call the generated push<Name>(value) slot, which the source applies through its
// setter). Modes are in the API signature and in dynamic replicas' API descriptions.

import { EventEmitter } from 'node:events';
import { expect } from 'chai';
import { Property, RemoteObjectType, Slot, type ApiDescription, type DynamicReplica, type Replica } from '../../src/index';
import { apiOf } from '../../src/api/metadata';
import { transports } from '../support/fixtures';
import { WAIT_MS, bindingOf, expectTsro, recordEvents, rejectionOf, thrownBy, whenOffered } from '../support/e2e';
import { nextEvent, waitFor } from '../../src/testing';
import { useWorld } from '../support/world-fixture';

enum Valve {
  Closed = 'closed',
  Open = 'open',
}

@RemoteObjectType('Tank')
class Tank extends EventEmitter {
  @Property({ type: 'int32', constant: true }) capacity = 100;
  @Property({ type: 'int32', sourceOnlySetter: true }) level = 10;
  @Property({ type: 'int32', readonly: true }) pressure = 1;
  @Property({ type: 'int32' }) target = 0;
  @Property({ type: Valve, sourceOnlySetter: true }) valve: Valve = Valve.Closed;
  @Slot() drain(): void {
    this.level = 0;
  }
}
// The generated push slots, typed (declaration merging: no code, Replica<Tank> sees them).
interface Tank {
  pushLevel(value: number): void;
  pushValve(value: Valve): void;
}

/** Overrides the generated push slot: the source decides what a push means. */
class ClampedTank extends Tank {
  override pushLevel(value: number): void {
    this.level = Math.min(value, this.capacity);
  }
}

/** Tank's API with `capacity` writable instead of constant. */
@RemoteObjectType('Tank')
class TankWithWritableCapacity {
  @Property({ type: 'int32' }) capacity = 100;
  @Property({ type: 'int32', sourceOnlySetter: true }) level = 10;
  @Property({ type: 'int32', readonly: true }) pressure = 1;
  @Property({ type: 'int32' }) target = 0;
  @Property({ type: Valve, sourceOnlySetter: true }) valve: Valve = Valve.Closed;
  @Slot() drain(): void {}
}

/** Tank's properties with their modes, and the push slots among its slots, in order. */
function expectTankModes(api: ApiDescription): void {
  expect(api.properties.map((p) => [p.name, p.mode, p.readonly])).to.deep.equal([
    ['capacity', 'constant', true],
    ['level', 'sourceOnlySetter', true],
    ['pressure', 'readonly', true],
    ['target', 'writable', false],
    ['valve', 'sourceOnlySetter', true],
  ]);
  expect(api.slots.map((s) => s.name)).to.deep.equal(['pushLevel', 'pushValve', 'drain']);
}

describe('object model: property mode declarations', () => {
  it('records the mode of each property and generates push slots among the slots, in order', () => {
    const api = apiOf(Tank);
    expectTankModes(api);
    const push = api.slotByName.get('pushLevel')!;
    expect(push.params.map((p) => [p.name, p.type])).to.deep.equal([['value', 'int32']]);
    expect([push.required, push.returns]).to.deep.equal([1, 'void']);
    expect(api.slotByName.get('pushValve')!.params[0]!.type).to.deep.equal({ enum: { Closed: 'closed', Open: 'open' } });
  });

  it('puts the mode in the signature', () => {
    const sig = (options: object): string => {
      @RemoteObjectType('M')
      class M {
        @Property({ type: 'int32', ...options }) x = 0;
      }
      return apiOf(M).signature;
    };
    const all = [{}, { readonly: true }, { constant: true }, { sourceOnlySetter: true }].map(sig);
    expect(new Set(all).size).to.equal(4);
    expect(sig({ readonly: false })).to.equal(all[0]);
  });

  it('refuses two modes at once, and a member clashing with a generated push slot', () => {
    let e = expectTsro(
      thrownBy(() => {
        @RemoteObjectType('Bad')
        class Bad {
          @Property({ readonly: true, constant: true }) x = 0;
        }
        return Bad;
      }),
      'DECLARATION_INVALID',
    );
    expect(e.message).to.include('readonly, constant');
    e = expectTsro(
      thrownBy(() => {
        @RemoteObjectType('Bad')
        class Bad {
          @Property({ sourceOnlySetter: true }) x = 0;
          @Slot() pushX(_v: number): void {}
        }
        return Bad;
      }),
      'DECLARATION_INVALID',
    );
    expect(e.message).to.include('push slot');
  });

  it('lets a constant be set freely until the object is remoted', () => {
    const tank = new Tank();
    tank.capacity = 200;
    tank.capacity = 300;
    expect(tank.capacity).to.equal(300);
  });
});

for (const t of transports()) {
  describe(`object model: property modes (${t.name})`, () => {
    const f = useWorld(t.url);
    let tank: Tank;
    let r: Replica<Tank>;
    let dyn: DynamicReplica;

    async function remote(source: Tank): Promise<void> {
      tank = source;
      f.remote(tank);
      r = await f.valid(Tank);
      dyn = await f.validDynamic('Tank');
    }

    describe('constant (QtRO CONSTANT)', () => {
      it('arrives with the initial values, set before remoting; changed once, on initialization', async () => {
        const source = new Tank();
        source.capacity = 250;
        const early = f.node.acquireDynamic('Tank');
        const log = recordEvents(early, ['capacityChanged']);
        await remote(source);
        expect(await early.waitForSource(WAIT_MS)).to.equal(true);
        expect(r.capacity).to.equal(250);
        expect(dyn.get('capacity')).to.equal(250);
        source.target = 1; // barrier
        await nextEvent(early, 'targetChanged');
        expect(log.map((x) => x.args)).to.deep.equal([[250]]);
      });

      it('cannot change on the source once remoted (READONLY), not even after disableRemoting', async () => {
        await remote(new Tank());
        const changes = recordEvents(r, ['capacityChanged']);
        const e = expectTsro(thrownBy(() => (tank.capacity = 5)), 'READONLY');
        expect(e.message).to.include('"capacity"').and.include('constant');
        tank.capacity = 100; // the same value: no change, no error
        expect(tank.capacity).to.equal(100);
        expect(f.host.disableRemoting(tank)).to.equal(true);
        expectTsro(thrownBy(() => (tank.capacity = 5)), 'READONLY');
        expect(tank.capacity).to.equal(100);
        expect(changes).to.deep.equal([]);
      });

      it('cannot be set by replicas: typed throws, dynamic rejects, the host refuses (READONLY)', async () => {
        await remote(new Tank());
        let e = expectTsro(thrownBy(() => (r.capacity = 1)), 'READONLY');
        expect(e.message).to.include('is constant');
        e = expectTsro(await rejectionOf(dyn.set('capacity', 1)), 'READONLY');
        expect(e.message).to.include('is constant');
        expect(() => bindingOf(f.host, 'Tank')!.setProperty(0, { int: 1 })).to.throw().with.property('code', 'READONLY');
        expect(tank.capacity).to.equal(100);
      });
    });

    describe('sourceOnlySetter (QtRO READPUSH / SOURCEONLYSETTER)', () => {
      it('cannot be set by replicas directly (READONLY, pointing at the push slot)', async () => {
        await remote(new Tank());
        let e = expectTsro(thrownBy(() => (r.level = 1)), 'READONLY');
        expect(e.message).to.include('pushLevel(value)');
        e = expectTsro(await rejectionOf(dyn.set('level', 1)), 'READONLY');
        expect(e.message).to.include('pushLevel(value)');
        expect(() => bindingOf(f.host, 'Tank')!.setProperty(1, { int: 1 })).to.throw().with.property('code', 'READONLY');
        expect(tank.level).to.equal(10);
      });

      it('is set through push<Name>(value) from typed and dynamic replicas, via the source\'s setter', async () => {
        await remote(new Tank());
        const local: unknown[] = [];
        tank.on('levelChanged', (v: unknown) => local.push(v));
        const dynChanged = nextEvent(dyn, 'levelChanged');
        expect(await r.pushLevel(42)).to.equal(undefined);
        expect(tank.level).to.equal(42);
        expect(r.level, 'the change arrives before the reply').to.equal(42);
        expect(await dynChanged).to.deep.equal([42]);
        expect(await dyn.invoke('pushLevel', 7)).to.equal(undefined);
        expect(tank.level).to.equal(7);
        expect(dyn.get('level')).to.equal(7);
        await r.pushValve(Valve.Open);
        expect(tank.valve).to.equal(Valve.Open);
        expect(local).to.deep.equal([42, 7]);
        // Pushing the current value is no change.
        await r.pushLevel(7);
        expect(local).to.deep.equal([42, 7]);
      });

      it('checks pushed values like any slot argument, and the source still sets it freely', async () => {
        await remote(new Tank());
        expectTsro(await rejectionOf(r.pushLevel(1.5)), 'TYPE_MISMATCH');
        expectTsro(await rejectionOf(dyn.invoke('pushValve', 'ajar')), 'TYPE_MISMATCH');
        expectTsro(await rejectionOf(dyn.invoke('pushLevel')), 'ARGUMENT_COUNT');
        expect(tank.level).to.equal(10);
        tank.level = 3;
        await waitFor(r, 'level', 3);
        await r.drain();
        expect(r.level).to.equal(0);
      });

      it('uses the source\'s own push<Name> method when it defines one', async () => {
        await remote(new ClampedTank());
        await r.pushLevel(1000);
        expect(tank.level).to.equal(100);
        expect(r.level).to.equal(100);
        await dyn.invoke('pushLevel', 50);
        expect(dyn.get('level')).to.equal(50);
      });
    });

    it('describes every mode to dynamic replicas, with the push slots among the slots', async () => {
      await remote(new Tank());
      const api = dyn.api!;
      expect(api.signature).to.equal(apiOf(Tank).signature);
      expectTankModes(api);
      expect(api.slotByName.get('pushValve')!.params[0]!.type).to.deep.equal({ enum: { Closed: 'closed', Open: 'open' } });
      // readonly and writable behave as before.
      expectTsro(await rejectionOf(dyn.set('pressure', 2)), 'READONLY');
      await dyn.set('target', 5);
      expect(tank.target).to.equal(5);
    });

    it('goes signatureMismatch when one side declares another mode', async () => {
      await remote(new Tank());
      const other = await f.w.connectedNode(f.host);
      await whenOffered(other, 'Tank');
      const mismatched = other.acquire(TankWithWritableCapacity, 'Tank');
      expect(await mismatched.waitForSource(WAIT_MS)).to.equal(false);
      expect(mismatched.state).to.equal('signatureMismatch');
    });
  });
}
