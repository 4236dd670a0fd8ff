// Dynamic replicas: the API arrives with the source (propertyNames, api), get / set / invoke by
// name, the same events as typed replicas, and following a source whose API changes under the
// same name. Also the replica event emitter's on / once / off and listener isolation.

import { expect } from 'chai';
import { silentLogger } from '../../src/index';
import { EventHub } from '../../src/util/emitter';
import { apiOf } from '../../src/api/metadata';
import { transports } from '../support/fixtures';
import { Printer } from '../support/printer';
import { Counter, WAIT_MS, expectTsro, recordEvents, rejectionOf, thrownBy } from '../support/e2e';
import { nextEvent } from '../../src/testing';
import { useWorld } from '../support/world-fixture';

for (const t of transports()) {
  describe(`dynamic replicas (${t.name})`, () => {
    const f = useWorld(t.url);
    let printer: Printer;

    beforeEach(async () => {
      printer = f.remote(new Printer());
    });

    it('learns the whole API from the source: properties, signals, slots, types, readonly', async () => {
      const dyn = await f.validDynamic('Printer');
      const api = dyn.api!;
      const expected = apiOf(Printer);
      expect(api.typeName).to.equal('Printer');
      expect(api.signature).to.equal(expected.signature);
      expect(api.properties.map((p) => [p.name, p.type, p.readonly])).to.deep.equal(
        expected.properties.map((p) => [p.name, p.type, p.readonly]),
      );
      expect(api.signals.map((s) => s.name)).to.deep.equal(['jammed']);
      expect(api.slots.map((s) => s.name)).to.deep.equal(expected.slots.map((s) => s.name));
      expect(api.slotByName.get('greet')!.required).to.equal(1);
      expect(dyn.propertyNames).to.deep.equal(expected.properties.map((p) => p.name));
    });

    it('gets, sets and invokes by name, and hears signals', async () => {
      const dyn = await f.validDynamic('Printer');
      expect(dyn.get('copies')).to.equal(1);
      const changed = nextEvent(dyn, 'copiesChanged');
      await dyn.set('copies', 3);
      expect(await changed).to.deep.equal([3]);
      expect(await dyn.invoke('print', 'four')).to.equal(4);
      expect(dyn.get('queue')).to.deep.equal(['four']);
      const jammed = nextEvent(dyn, 'jammed');
      printer.jammed(9, 'stuck');
      expect(await jammed).to.deep.equal([9, 'stuck']);
    });

    it('keeps its last values and API while suspect', async () => {
      const dyn = await f.validDynamic('Printer');
      printer.inkLevel = 3;
      await nextEvent(dyn, 'inkLevelChanged');
      const suspect = nextEvent(dyn, 'stateChanged');
      f.host.disableRemoting(printer);
      await suspect;
      expect(dyn.state).to.equal('suspect');
      expect(dyn.get('inkLevel')).to.equal(3);
      expect(dyn.propertyNames).to.have.length(4);
      expectTsro(await rejectionOf(dyn.set('inkLevel', 4)), 'NOT_VALID');
    });

    it('follows a source whose API changed under the same name; a typed replica of the old API goes signatureMismatch', async () => {
      const dyn = f.node.acquireDynamic('Printer');
      const typed = f.node.acquire(Printer);
      expect(await dyn.waitForSource(WAIT_MS)).to.equal(true);
      expect(await typed.waitForSource(WAIT_MS)).to.equal(true);
      const suspect = nextEvent(dyn, 'stateChanged');
      f.host.disableRemoting(printer);
      await suspect;

      const counter = new Counter();
      counter.value = 12;
      const reinit = nextEvent(dyn, 'initialized');
      const typedLog = recordEvents(typed, ['stateChanged', 'inkLevelChanged', 'initialized']);
      f.host.enableRemoting(counter, 'Printer');
      await reinit;
      expect(dyn.state).to.equal('valid');
      expect(dyn.api!.typeName).to.equal('Counter');
      expect(dyn.propertyNames).to.deep.equal(['value']);
      expect(dyn.get('value')).to.equal(12);
      expect(await dyn.invoke('increment')).to.equal(13);
      expectTsro(thrownBy(() => dyn.get('inkLevel')), 'UNKNOWN_MEMBER');

      expect(typed.state).to.equal('signatureMismatch');
      expect(typedLog).to.deep.equal([{ event: 'stateChanged', args: ['signatureMismatch', 'suspect'] }]);
      expectTsro(await rejectionOf(typed.add(1, 2)), ['NOT_VALID', 'SIGNATURE_MISMATCH']);
    });

    it('once() fires once and off() stops a listener', async () => {
      const dyn = await f.validDynamic('Printer');
      const seenOnce: unknown[] = [];
      const seenOn: unknown[] = [];
      const onFn = (v: unknown): void => {
        seenOn.push(v);
      };
      dyn.once('inkLevelChanged', (v: unknown) => seenOnce.push(v));
      dyn.on('inkLevelChanged', onFn);
      printer.inkLevel = 1;
      await nextEvent(dyn, 'inkLevelChanged');
      dyn.off('inkLevelChanged', onFn);
      printer.inkLevel = 2;
      await nextEvent(dyn, 'inkLevelChanged');
      expect(seenOnce).to.deep.equal([1]);
      expect(seenOn).to.deep.equal([1]);
    });

    it('a listener that throws is logged, and the other listeners and the connection go on', async () => {
      f.w.allowLoggedErrors();
      const dyn = f.node.acquireDynamic('Printer');
      const typed = f.node.acquire(Printer);
      expect(await dyn.waitForSource(WAIT_MS)).to.equal(true);
      dyn.on('inkLevelChanged', () => {
        throw new Error('listener bug');
      });
      const second = nextEvent(dyn, 'inkLevelChanged');
      const onTyped = nextEvent(typed, 'inkLevelChanged');
      printer.inkLevel = 5;
      expect(await second).to.deep.equal([5]);
      expect(await onTyped).to.deep.equal([5]);
      const line = await f.w.nodeLog.waitFor(/listener/);
      expect(f.w.nodeLog.lines.find((l) => l.message === line.message)!.level).to.equal('error');
      expect((line.error as Error).message).to.equal('listener bug');
      expect(await typed.add(1, 1)).to.equal(2);
      expect(dyn.state).to.equal('valid');
    });

    it('a signal named like an emitter method is an ordinary event', async () => {
      // "error" has no special meaning on a replica: emitting it with no listener does not throw
      // (node:events' emitters would), on the hub or through the handle's local emit.
      const dyn = await f.validDynamic('Printer');
      expect(dyn.emit('error', new Error('x'))).to.equal(false);
      const heard: unknown[] = [];
      dyn.on('error', (e) => void heard.push(e));
      expect(dyn.emit('error', 'as any event')).to.equal(true);
      expect(heard).to.deep.equal(['as any event']);
      const hub = new EventHub(silentLogger);
      expect(() => hub.fire('error', new Error('x'))).to.not.throw();
    });
  });
}
