// Child objects (QtRO's CLASS properties; issue 6, "Richer object model"): a property whose type is
// another remote object class. The host remotes the object it holds as a hidden child source
// (`<parent>/<property>#<n>`); the property travels as that name. Typed replicas show a typed
// replica of the child, dynamic replicas a dynamic one; replicas cannot set the property; the
// child's API is in the parent's signature; children are not listed nor published.

import { EventEmitter } from 'node:events';
import { expect } from 'chai';
import { DynamicReplica, Property, RegistryHost, RemoteObjectType, Signal, Slot, type PropertyOptions, type Replica } from '../../src/index';
import { apiOf } from '../../src/api/metadata';
import { transports, within } from '../support/fixtures';
import { World, WAIT_MS, barrier, bindingOf, expectTsro, rejectionOf, sourceEvent, thrownBy, whenOffered, whenWithdrawn } from '../support/e2e';
import { nextEvent, waitFor } from '../../src/testing';
import { useWorld } from '../support/world-fixture';

@RemoteObjectType('Tray')
class Tray extends EventEmitter {
  @Property({ type: 'int32' }) sheets = 0;
  @Signal({ params: ['int32'] }) jammed(_at: number): void {}
  @Slot({ params: ['int32'], returns: 'int32' }) refill(n: number): number {
    this.sheets += n;
    return this.sheets;
  }
}

@RemoteObjectType('Printer2')
class Printer2 extends EventEmitter {
  @Property({ type: 'string' }) model = 'P2';
  @Property({ type: Tray, child: true }) tray: Tray | null = null;
}

/** The same type names, but the child's API has one more property. */
@RemoteObjectType('Tray')
class TrayV2 {
  @Property({ type: 'int32' }) sheets = 0;
  @Property({ type: 'string' }) paper = 'A4';
  @Signal({ params: ['int32'] }) jammed(_at: number): void {}
  @Slot({ params: ['int32'], returns: 'int32' }) refill(n: number): number {
    return n;
  }
}

@RemoteObjectType('Printer2')
class Printer2WithTrayV2 {
  @Property({ type: 'string' }) model = 'P2';
  @Property({ type: TrayV2 }) tray: TrayV2 | null = null;
}

type TrayReplica = Replica<Tray>;

function trayOf(p: Replica<Printer2>): TrayReplica | null {
  return p.tray as unknown as TrayReplica | null;
}

function tray(sheets: number): Tray {
  const t = new Tray();
  t.sheets = sheets;
  return t;
}

describe('object model: child object declarations', () => {
  it('declares a child type carrying the child type name and signature; readonly for replicas', () => {
    const api = apiOf(Printer2);
    const prop = api.propertyByName.get('tray')!;
    expect(prop.type).to.deep.equal({ child: { typeName: 'Tray', signature: apiOf(Tray).signature } });
    expect(prop.mode).to.equal('readonly');
    expect(prop.readonly).to.equal(true);
    // Detected from `type` alone, too; and the child's API is in the parent's signature.
    expect(apiOf(Printer2WithTrayV2).propertyByName.get('tray')!.mode).to.equal('readonly');
    expect(apiOf(Printer2WithTrayV2).signature).to.not.equal(api.signature);
  });

  it('refuses `child: true` without a remote object class, and persisted or sourceOnlySetter children', () => {
    const refused: PropertyOptions[] = [{ type: 'string', child: true }, { type: Tray, persisted: true }, { type: Tray, sourceOnlySetter: true }];
    for (const options of refused) {
      // The decorator applied by hand, as TypeScript would to a field `x` of class Bad.
      expectTsro(thrownBy(() => Property(options)(class Bad {}.prototype, 'x')), 'DECLARATION_INVALID');
    }
  });

  it('checks what the source assigns: a matching remote object or null', () => {
    const p = new Printer2();
    expectTsro(thrownBy(() => ((p as unknown as { tray: unknown }).tray = { sheets: 1 })), 'TYPE_MISMATCH');
    expectTsro(thrownBy(() => ((p as unknown as { tray: unknown }).tray = new TrayV2())), 'TYPE_MISMATCH');
    const t = tray(1);
    p.tray = t;
    expect(p.tray).to.equal(t);
    p.tray = null;
    expect(p.tray).to.equal(null);
  });
});

for (const t of transports()) {
  describe(`object model: child objects over ${t.name}`, () => {
    const f = useWorld(t.url);
    let source: Printer2;

    beforeEach(async () => {
      source = new Printer2();
      source.tray = tray(10);
      f.remote(source);
    });

    async function validPrinter(): Promise<Replica<Printer2>> {
      const p = await f.valid(Printer2);
      return p;
    }

    async function validTray(p: Replica<Printer2>): Promise<TrayReplica> {
      const child = trayOf(p);
      expect(child).to.not.equal(null);
      expect(await child!.waitForSource(WAIT_MS)).to.equal(true);
      return child!;
    }

    it('carries the child values, slots and signals through the parent replica', async () => {
      const p = await validPrinter();
      expect(p.model).to.equal('P2');
      const child = await validTray(p);
      expect(child.name).to.equal('Printer2/tray#1');
      expect(child.sheets).to.equal(10);
      expect(trayOf(p)).to.equal(child); // cached per handle
      expect(await within(child.refill(5), WAIT_MS, 'refill')).to.equal(15);
      expect(source.tray!.sheets).to.equal(15);
      await waitFor(child, 'sheets', 15, { timeout: WAIT_MS });
      const jammed = nextEvent(child, 'jammed', { timeout: WAIT_MS });
      source.tray!.jammed(3);
      expect(await jammed).to.deep.equal([3]);
      source.tray!.sheets = 2;
      expect(await nextEvent(child, 'sheetsChanged', { timeout: WAIT_MS })).to.deep.equal([2]);
    });

    it('follows a replaced child with a new replica (and trayChanged); null gives null', async () => {
      const p = await validPrinter();
      const first = await validTray(p);
      const changed = nextEvent(p, 'trayChanged', { timeout: WAIT_MS });
      source.tray = tray(42);
      // Replica<T> types a child object property as the child's class; what it shows is a replica.
      const second = (await changed)[0] as unknown as TrayReplica | null;
      expect(second).to.not.equal(null);
      expect(second).to.not.equal(first);
      expect(second!.name).to.equal('Printer2/tray#2');
      expect(trayOf(p)).to.equal(second);
      expect(await second!.waitForSource(WAIT_MS)).to.equal(true);
      expect(second!.sheets).to.equal(42);
      expect(await second!.refill(1)).to.equal(43);
      // The old child source is gone, and its replica was released.
      expect(bindingOf(f.host, 'Printer2/tray#1')).to.equal(undefined);
      await rejectionOf(first.refill(1), 'a call on the released child');

      const cleared = nextEvent(p, 'trayChanged', { timeout: WAIT_MS });
      source.tray = null;
      expect(await cleared).to.deep.equal([null]);
      expect(p.tray).to.equal(null);
      expect(bindingOf(f.host, 'Printer2/tray#2')).to.equal(undefined);
    });

    it('gives a new replica an already-held child at once (remoted before the parent was)', async () => {
      const p = await validPrinter();
      const child = await validTray(p);
      expect(child.sheets).to.equal(10);
      // A second handle has its own child handle, on the same core.
      const p2 = await f.valid(Printer2);
      const child2 = await validTray(p2);
      expect(child2).to.not.equal(child);
      expect(child2.name).to.equal(child.name);
    });

    it('refuses a replica setting the child property (READONLY)', async () => {
      const p = await validPrinter();
      const e = expectTsro(thrownBy(() => ((p as unknown as { tray: unknown }).tray = null)), 'READONLY');
      expect(e.message).to.include('tray');
      const d = await f.validDynamic('Printer2');
      expectTsro(await rejectionOf(d.set('tray', null)), 'READONLY');
      expect(source.tray).to.not.equal(null);
    });

    it('puts the child API in the parent signature: a different child API is a signature mismatch', async () => {
      const p = f.node.acquire(Printer2WithTrayV2);
      expect(await p.waitForSource(WAIT_MS)).to.equal(false);
      expect(p.state).to.equal('signatureMismatch');
      expect(p.tray).to.equal(null);
    });

    it('gives dynamic replicas a dynamic replica of the child (or null)', async () => {
      const d = await f.validDynamic('Printer2');
      expect(d.api!.propertyByName.get('tray')!.type).to.deep.equal({ child: { typeName: 'Tray', signature: apiOf(Tray).signature } });
      const child = d.get('tray') as DynamicReplica;
      expect(child).to.be.instanceOf(DynamicReplica);
      expect(d.get('tray')).to.equal(child);
      expect(await child.waitForSource(WAIT_MS)).to.equal(true);
      expect(child.get('sheets')).to.equal(10);
      expect(await child.invoke('refill', 2)).to.equal(12);
      const changed = nextEvent<[DynamicReplica | null]>(d, 'trayChanged', { timeout: WAIT_MS });
      source.tray = tray(7);
      const [next] = await changed;
      expect(next).to.be.instanceOf(DynamicReplica);
      expect(next).to.not.equal(child);
      expect(await next!.waitForSource(WAIT_MS)).to.equal(true);
      expect(next!.get('sheets')).to.equal(7);
      const cleared = nextEvent(d, 'trayChanged', { timeout: WAIT_MS });
      source.tray = null;
      expect(await cleared).to.deep.equal([null]);
      expect(d.get('tray')).to.equal(null);
    });

    it('releases the child replicas with the parent handle (host-side listeners go to 0)', async () => {
      const p = await validPrinter();
      const child = await validTray(p);
      const d = await f.validDynamic('Printer2');
      const dchild = d.get('tray') as DynamicReplica;
      expect(await dchild.waitForSource(WAIT_MS)).to.equal(true);
      const binding = bindingOf(f.host, child.name)!;
      expect(binding.listenerCount).to.equal(1);
      p.release();
      d.release();
      const parent = bindingOf(f.host, 'Printer2')!;
      await barrier(f.node, f.host);
      expect(binding.listenerCount).to.equal(0);
      expect(parent.listenerCount).to.equal(0);
      await rejectionOf(child.refill(1), 'a call on a released child');
    });

    it('disables the children with the parent; the child replica goes suspect', async () => {
      const p = await validPrinter();
      const child = await validTray(p);
      const name = child.name;
      const suspect = nextEvent(child, 'stateChanged', { timeout: WAIT_MS });
      expect(f.host.disableRemoting(source)).to.equal(true);
      expect(await suspect).to.deep.equal(['suspect', 'valid']);
      expect(bindingOf(f.host, name)).to.equal(undefined);
      await whenWithdrawn(f.node, name);
      // Changing the source's child afterwards remotes nothing.
      source.tray = tray(1);
      expect(f.host.sourceNames).to.deep.equal([]);
    });

    it('lists children neither in knownSources, instances nor sourceNames, but offers them', async () => {
      await whenOffered(f.node, 'Printer2/tray#1');
      expect(f.node.knownSources().map((s) => s.name)).to.deep.equal(['Printer2']);
      expect(f.node.instances('Tray')).to.deep.equal([]);
      expect(f.node.instances('Printer2')).to.deep.equal(['Printer2']);
      expect(f.host.sourceNames).to.deep.equal(['Printer2']);
    });

    it('refuses a child object that is already remoted, leaving the old child', async () => {
      const t1 = tray(3);
      f.remote(t1, 'LooseTray');
      expectTsro(thrownBy(() => (source.tray = t1)), 'DECLARATION_INVALID');
      expect(source.tray!.sheets).to.equal(10); // unchanged
      const p = await validPrinter();
      expect((await validTray(p)).name).to.equal('Printer2/tray#1');
      const local = sourceEvent(source, 'trayChanged');
      const changed = nextEvent(p, 'trayChanged', { timeout: WAIT_MS });
      source.tray = tray(4);
      await local;
      await changed;
      const next = await validTray(p);
      expect(next.name).to.equal('Printer2/tray#2');
      expect(next.sheets).to.equal(4);
    });
  });
}

describe('object model: child objects and the registry', () => {
  it('publishes the parent only', async () => {
    const w = new World();
    try {
      const registry = new RegistryHost('tcp://127.0.0.1:0', { logger: w.hostLog });
      w.defer(() => registry.close());
      await within(registry.listening, WAIT_MS, 'the registry to listen');
      const host = await w.host('tcp://127.0.0.1:0', { registryUrl: registry.hostUrl });
      const source = new Printer2();
      source.tray = tray(1);
      expect(host.enableRemoting(source)).to.equal(true);
      const node = w.node({ registryUrl: registry.hostUrl });
      expect(await node.waitForRegistry(WAIT_MS)).to.equal(true);
      const p = node.acquire(Printer2);
      expect(await p.waitForSource(WAIT_MS)).to.equal(true);
      const child = trayOf(p)!;
      expect(await child.waitForSource(WAIT_MS)).to.equal(true);
      expect(child.sheets).to.equal(1);
      const locations = node.registry!.sourceLocations;
      expect([...locations.keys()]).to.deep.equal(['Printer2']);
    } finally {
      await w.close();
    }
  });
});
