// How a source gets its name on a host (docs/object-model.md): the
// @RemoteObjectType name (also when declared on an ancestor), else the object's `objectName`,
// else enableRemoting fails; an explicit name overrides both. Over real sockets, both transports.

import { expect } from 'chai';
import { EventEmitter } from 'node:events';
import { Property, Slot } from '../../src/index';
import { apiOf } from '../../src/api/metadata';
import { transports } from '../support/fixtures';
import { Printer } from '../support/printer';
import { Counter, directoryOf, offeredNames, WAIT_MS, whenOffered } from '../support/e2e';
import { useWorld } from '../support/world-fixture';

/** A source class that inherits its API and type name from Printer. */
class PrinterService extends Printer {
  /** Not decorated, so not part of the API. */
  serviceOnly = 'x';
}

/** No @RemoteObjectType: named by its objectName, when it has one. */
class Thermometer {
  @Property() celsius = 21.5;
  @Slot() reset(): void {
    this.celsius = 0;
  }
  objectName: string | undefined;
  constructor(objectName?: string) {
    this.objectName = objectName;
  }
}

/** No @RemoteObjectType and no objectName: cannot be named but explicitly. */
class Nameless extends EventEmitter {
  @Property() level = 3;
}

for (const t of transports()) {
  describe(`naming (${t.name})`, () => {
    const f = useWorld(t.url);
    it('names a source by its @RemoteObjectType', async () => {
      f.remote(new Printer());
      expect(f.host.sourceNames).to.deep.equal(['Printer']);
      const r = await f.valid(Printer);
      expect(r.name).to.equal('Printer');
    });

    it('inherits the @RemoteObjectType name from an ancestor, with the ancestor\'s signature', async () => {
      expect(apiOf(PrinterService).signature).to.equal(apiOf(Printer).signature);
      expect(apiOf(PrinterService).typeName).to.equal('Printer');
      const service = new PrinterService();
      service.inkLevel = 61;
      f.remote(service);
      expect(f.host.sourceNames).to.deep.equal(['Printer']);
      const r = await f.valid(Printer);
      expect(r.state).to.equal('valid');
      expect(r.inkLevel).to.equal(61);
      expect(await r.print('abc')).to.equal(3);
      expect(service.queue).to.deep.equal(['abc']);
      // The subclass-only field is not part of the remote API.
      const dyn = await f.validDynamic('Printer');
      expect(dyn.propertyNames).to.deep.equal(['inkLevel', 'busy', 'copies', 'queue']);
      expect(dyn.api!.typeName).to.equal('Printer');
    });

    it('falls back to objectName for a class without @RemoteObjectType', async () => {
      const thermo = new Thermometer('Kitchen');
      f.remote(thermo);
      expect(f.host.sourceNames).to.deep.equal(['Kitchen']);
      await whenOffered(f.node, 'Kitchen');
      const dyn = await f.validDynamic('Kitchen');
      expect(dyn.get('celsius')).to.equal(21.5);
      // The type name of such an API is the class name; a typed replica needs the source name.
      expect(dyn.api!.typeName).to.equal('Thermometer');
      const typed = f.node.acquire(Thermometer, 'Kitchen');
      expect(await typed.waitForSource(WAIT_MS)).to.equal(true);
      expect(typed.celsius).to.equal(21.5);
    });

    it('lets an explicit name override @RemoteObjectType', async () => {
      const printer = new Printer();
      printer.inkLevel = 12;
      f.remote(printer, 'Office');
      expect(f.host.sourceNames).to.deep.equal(['Office']);
      const typed = f.node.acquire(Printer, 'Office');
      expect(await typed.waitForSource(WAIT_MS)).to.equal(true);
      expect(typed.name).to.equal('Office');
      expect(typed.inkLevel).to.equal(12);
      const dyn = await f.validDynamic('Office');
      expect(dyn.api!.typeName).to.equal('Printer');
      // Nothing is offered under the type name.
      expect(offeredNames(f.node)).to.deep.equal(['Office']);
    });

    it('lets an explicit name override objectName', async () => {
      expect(f.host.enableRemoting(new Thermometer('Kitchen'), 'Cellar')).to.equal(true);
      expect(f.host.sourceNames).to.deep.equal(['Cellar']);
      await whenOffered(f.node, 'Cellar');
      expect(offeredNames(f.node)).to.deep.equal(['Cellar']);
    });

    it('remotes an object of an unnamed class under an explicit name', async () => {
      expect(f.host.enableRemoting(new Nameless(), 'Tank')).to.equal(true);
      const dyn = await f.validDynamic('Tank');
      expect(dyn.get('level')).to.equal(3);
    });

    for (const [what, make] of [
      ['no objectName', () => new Nameless()],
      ['an undefined objectName', () => new Thermometer(undefined)],
      ['an empty objectName', () => new Thermometer('')],
    ] as const) {
      it(`refuses a source with no name at all (${what}): false, a warning, nothing offered`, async () => {
        const sourcesOffered = f.w.tap(directoryOf(f.node), 'sourcesOffered');
        expect(f.host.enableRemoting(make())).to.equal(false);
        expect(f.host.sourceNames).to.deep.equal([]);
        const warning = await f.w.hostLog.waitFor(/cannot remote/);
        expect(warning.message).to.match(/Nameless|Thermometer/);
        // Barrier: a later source reaches the node; the nameless one never did.
        f.remote(new Counter());
        await sourcesOffered.until((_c, list) => (list as { name: string }[]).some((s) => s.name === 'Counter'));
        expect(sourcesOffered.calls.flatMap(([, list]) => (list as { name: string }[]).map((s) => s.name))).to.deep.equal(['Counter']);
        expect(offeredNames(f.node)).to.deep.equal(['Counter']);
      });
    }

    it('refuses an object whose class declares no remote API: false and a warning', async () => {
      class Plain {
        value = 1;
      }
      const plain = new Plain();
      expect(f.host.enableRemoting(plain, 'Plain')).to.equal(false);
      expect(f.host.enableRemoting({ objectName: 'Literal' })).to.equal(false);
      const warning = await f.w.hostLog.waitFor(/cannot remote/);
      expect(String(warning.error)).to.match(/nothing to remote|no @Property/);
      expect(f.host.sourceNames).to.deep.equal([]);
    });

    it('refuses a second source of the same name on one host', async () => {
      const first = new Printer();
      f.remote(first);
      const second = new Printer();
      second.inkLevel = 1;
      expect(f.host.enableRemoting(second)).to.equal(false);
      await f.w.hostLog.waitFor(/already has a source of that name/);
      expect(f.host.enableRemoting(new Thermometer('Printer'))).to.equal(false);
      expect(f.host.enableRemoting(new Counter(), 'Printer')).to.equal(false);
      expect(f.host.sourceNames).to.deep.equal(['Printer']);
      // The first one is the one replicas see.
      const r = await f.valid(Printer);
      expect(r.inkLevel).to.equal(100);
    });

    it('refuses to remote the same object twice, even under another name', async () => {
      const printer = new Printer();
      f.remote(printer);
      expect(f.host.enableRemoting(printer, 'Again')).to.equal(false);
      await f.w.hostLog.waitFor(/already remoted/);
      expect(f.host.sourceNames).to.deep.equal(['Printer']);
    });

    it('frees the name on disableRemoting, so another object can take it', async () => {
      const first = new Printer();
      f.remote(first);
      expect(f.host.disableRemoting(first)).to.equal(true);
      expect(f.host.disableRemoting(first)).to.equal(false);
      const second = new Printer();
      second.inkLevel = 2;
      f.remote(second);
      const r = await f.valid(Printer);
      expect(r.inkLevel).to.equal(2);
    });
  });
}
