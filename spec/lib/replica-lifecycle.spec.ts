// Replica states over real sockets: 'default' / 'uninitialized' before the source answers,
// 'valid' with `initialized` and `stateChanged(new, old)`, `<prop>Changed` at initialization,
// waitForSource, acquiring before the source exists, and 'suspect' after disableRemoting.

import { expect } from 'chai';
import type { Node } from '../../src/index';
import { transports } from '../support/fixtures';
import { Printer } from '../support/printer';
import { Counter, WAIT_MS, expectTsro, recordEvents, rejectionOf, thrownBy } from '../support/e2e';
import { nextEvent } from '../../src/testing';
import { useWorld } from '../support/world-fixture';

const PRINTER_EVENTS = ['initialized', 'stateChanged', 'inkLevelChanged', 'busyChanged', 'copiesChanged', 'queueChanged'];

for (const t of transports()) {
  describe(`replica lifecycle (${t.name})`, () => {
    const f = useWorld(t.url);
    describe('before the source answers', () => {
      it('a typed replica starts "default" with the class\'s initial values', () => {
        const r = f.node.acquire(Printer);
        expect(r.state).to.equal('default');
        expect(r.isReplicaValid()).to.equal(false);
        expect(r.inkLevel).to.equal(100);
        expect(r.busy).to.equal(false);
        expect(r.copies).to.equal(1);
        expect(r.queue).to.deep.equal([]);
      });

      it('the defaults of one replica are not shared with another replica of the class', () => {
        const a = f.node.acquire(Printer);
        a.queue.push('leaked');
        const other = f.w.node();
        const b = other.acquire(Printer);
        expect(b.queue).to.deep.equal([]);
      });

      it('a typed replica of a node that is not connected at all is "default" too', () => {
        const lonely = f.w.node();
        const r = lonely.acquire(Printer);
        expect(r.state).to.equal('default');
        expect(r.inkLevel).to.equal(100);
      });

      it('a dynamic replica starts "uninitialized" with no API', async () => {
        const dyn = f.node.acquireDynamic('Printer');
        expect(dyn.state).to.equal('uninitialized');
        expect(dyn.isReplicaValid()).to.equal(false);
        expect(dyn.propertyNames).to.deep.equal([]);
        expect(dyn.api).to.equal(undefined);
        expectTsro(thrownBy(() => dyn.get('inkLevel')), 'NOT_VALID');
        expectTsro(await rejectionOf(dyn.invoke('print', 'x')), 'NOT_VALID');
        expectTsro(await rejectionOf(dyn.set('inkLevel', 3)), 'NOT_VALID');
      });
    });

    describe('initialization', () => {
      it('a typed replica becomes valid: initialized, stateChanged("valid", "default"), then changes from the defaults only', async () => {
        const printer = new Printer();
        printer.inkLevel = 42;
        printer.copies = 3;
        f.host.enableRemoting(printer);
        const r = f.node.acquire(Printer);
        const log = recordEvents(r, PRINTER_EVENTS);
        const init = nextEvent(r, 'initialized');
        expect(await r.waitForSource(WAIT_MS)).to.equal(true);
        await init;
        expect(r.state).to.equal('valid');
        expect(r.isReplicaValid()).to.equal(true);
        expect(r.inkLevel).to.equal(42);
        expect(r.copies).to.equal(3);
        expect(r.busy).to.equal(false);
        const scalars = log.filter((e) => e.event !== 'queueChanged');
        expect(scalars).to.deep.equal([
          { event: 'initialized', args: [] },
          { event: 'stateChanged', args: ['valid', 'default'] },
          { event: 'inkLevelChanged', args: [42] },
          { event: 'copiesChanged', args: [3] },
        ]);
      });

      // `queue` is [] on the class and [] on the source: equal, so no queueChanged is expected.
      it('emits no <prop>Changed at initialization for an array property equal to its default', async () => {
        f.host.enableRemoting(new Printer());
        const r = f.node.acquire(Printer);
        const log = recordEvents(r, PRINTER_EVENTS);
        expect(await r.waitForSource(WAIT_MS)).to.equal(true);
        expect(r.queue).to.deep.equal([]);
        expect(log.map((e) => e.event)).to.deep.equal(['initialized', 'stateChanged']);
      });

      it('a typed replica of a source at its defaults emits no scalar <prop>Changed', async () => {
        f.host.enableRemoting(new Printer());
        const r = f.node.acquire(Printer);
        const log = recordEvents(r, PRINTER_EVENTS);
        expect(await r.waitForSource(WAIT_MS)).to.equal(true);
        expect(log.filter((e) => e.event.endsWith('Changed') && e.event !== 'stateChanged' && e.event !== 'queueChanged')).to.deep.equal([]);
      });

      it('a dynamic replica becomes valid: initialized, stateChanged("valid", "uninitialized"), and every property changes', async () => {
        const printer = new Printer();
        printer.inkLevel = 42;
        f.host.enableRemoting(printer);
        const dyn = f.node.acquireDynamic('Printer');
        const log = recordEvents(dyn, PRINTER_EVENTS);
        expect(await dyn.waitForSource(WAIT_MS)).to.equal(true);
        expect(dyn.state).to.equal('valid');
        expect(dyn.propertyNames).to.deep.equal(['inkLevel', 'busy', 'copies', 'queue']);
        expect(dyn.get('inkLevel')).to.equal(42);
        expect(dyn.get('busy')).to.equal(false);
        expect(dyn.get('copies')).to.equal(1);
        expect(dyn.get('queue')).to.deep.equal([]);
        expect(log).to.deep.equal([
          { event: 'initialized', args: [] },
          { event: 'stateChanged', args: ['valid', 'uninitialized'] },
          { event: 'inkLevelChanged', args: [42] },
          { event: 'busyChanged', args: [false] },
          { event: 'copiesChanged', args: [1] },
          { event: 'queueChanged', args: [[]] },
        ]);
      });

      it('waitForSource resolves true at once for a valid replica', async () => {
        f.host.enableRemoting(new Printer());
        const r = await f.valid(Printer);
        expect(await r.waitForSource(1)).to.equal(true);
      });

      it('waitForSource resolves false on timeout when the source is never offered', async () => {
        const r = f.node.acquire(Printer);
        const dyn = f.node.acquireDynamic('Nobody');
        const started = Date.now();
        expect(await r.waitForSource(50)).to.equal(false);
        expect(await dyn.waitForSource(50)).to.equal(false);
        expect(Date.now() - started).to.be.lessThan(WAIT_MS);
        expect(r.state).to.equal('default');
        expect(dyn.state).to.equal('uninitialized');
      });

      it('waitForSource resolves false when the handle is released while waiting', async () => {
        const r = f.node.acquire(Printer);
        const waiting = r.waitForSource(WAIT_MS);
        r.release();
        expect(await waiting).to.equal(false);
        expect(await r.waitForSource(WAIT_MS)).to.equal(false);
      });
    });

    describe('a replica acquired before its source', () => {
      it('initializes by itself once enableRemoting happens (typed and dynamic)', async () => {
        const r = f.node.acquire(Printer);
        const dyn = f.node.acquireDynamic('Printer');
        const waitTyped = r.waitForSource(WAIT_MS);
        const waitDyn = dyn.waitForSource(WAIT_MS);
        const init = nextEvent(r, 'initialized');
        // The node has been told about another source meanwhile: nothing happens to these.
        f.host.enableRemoting(new Counter());
        const printer = new Printer();
        printer.inkLevel = 9;
        f.host.enableRemoting(printer);
        expect(await waitTyped).to.equal(true);
        expect(await waitDyn).to.equal(true);
        await init;
        expect(r.inkLevel).to.equal(9);
        expect(dyn.get('inkLevel')).to.equal(9);
        expect(await r.add(1, 2)).to.equal(3);
      });

      it('initializes once the node connects to a host that already offers it', async () => {
        const printer = new Printer();
        printer.inkLevel = 8;
        f.host.enableRemoting(printer);
        const late = f.w.node();
        const r = late.acquire(Printer);
        expect(r.state).to.equal('default');
        const waiting = r.waitForSource(WAIT_MS);
        await late.connectToNode(f.host.hostUrl);
        expect(await waiting).to.equal(true);
        expect(r.inkLevel).to.equal(8);
      });
    });

    describe('losing and regaining the source', () => {
      it('goes "suspect" on disableRemoting, keeps its last values, and is valid again with new values once re-enabled', async () => {
        const printer = new Printer();
        printer.inkLevel = 40;
        f.host.enableRemoting(printer);
        const r = f.node.acquire(Printer);
        const dyn = f.node.acquireDynamic('Printer');
        expect(await r.waitForSource(WAIT_MS)).to.equal(true);
        expect(await dyn.waitForSource(WAIT_MS)).to.equal(true);

        const suspect = nextEvent(r, 'stateChanged');
        const dynSuspect = nextEvent(dyn, 'stateChanged');
        expect(f.host.disableRemoting(printer)).to.equal(true);
        expect(await suspect).to.deep.equal(['suspect', 'valid']);
        expect(await dynSuspect).to.deep.equal(['suspect', 'valid']);
        expect(r.state).to.equal('suspect');
        expect(r.isReplicaValid()).to.equal(false);
        expect(r.inkLevel).to.equal(40);
        expect(dyn.get('inkLevel')).to.equal(40);
        expectTsro(await rejectionOf(r.print('x')), 'NOT_VALID');
        expectTsro(await rejectionOf(dyn.invoke('print', 'x')), 'NOT_VALID');
        expectTsro(thrownBy(() => (r.inkLevel = 3)), 'NOT_VALID');
        // While suspect, changes of the (no longer remoted) object do not arrive.
        printer.inkLevel = 41;

        const replacement = new Printer();
        replacement.inkLevel = 7;
        const log = recordEvents(r, PRINTER_EVENTS);
        const valid = nextEvent(r, 'initialized');
        const dynValid = nextEvent(dyn, 'initialized');
        f.remote(replacement);
        await valid;
        await dynValid;
        expect(r.state).to.equal('valid');
        expect(dyn.state).to.equal('valid');
        expect(r.inkLevel).to.equal(7);
        expect(dyn.get('inkLevel')).to.equal(7);
        expect(log.filter((e) => e.event !== 'queueChanged')).to.deep.equal([
          { event: 'initialized', args: [] },
          { event: 'stateChanged', args: ['valid', 'suspect'] },
          { event: 'inkLevelChanged', args: [7] },
        ]);
        expect(await r.print('abc')).to.equal(3);
        expect(replacement.queue).to.deep.equal(['abc']);
        expect(printer.queue).to.deep.equal([]);
      });

      it('comes back when the same object is enabled again', async () => {
        const printer = new Printer();
        f.host.enableRemoting(printer);
        const r = await f.valid(Printer);
        const suspect = nextEvent(r, 'stateChanged');
        f.host.disableRemoting('Printer');
        expect(await suspect).to.deep.equal(['suspect', 'valid']);
        printer.copies = 5;
        const back = nextEvent(r, 'initialized');
        f.remote(printer);
        await back;
        expect(r.copies).to.equal(5);
        const changed = nextEvent(r, 'copiesChanged');
        printer.copies = 6;
        expect(await changed).to.deep.equal([6]);
      });

      it('a replica released while suspect does not come back', async () => {
        const printer = new Printer();
        f.host.enableRemoting(printer);
        const r = await f.valid(Printer);
        const suspect = nextEvent(r, 'stateChanged');
        f.host.disableRemoting(printer);
        await suspect;
        const log = recordEvents(r, PRINTER_EVENTS);
        r.release();
        const other = f.node.acquire(Printer);
        const back = nextEvent(other, 'initialized');
        f.host.enableRemoting(printer);
        await back;
        expect(log).to.deep.equal([]);
        expect(r.isReplicaValid()).to.equal(false);
        expectTsro(await rejectionOf(r.print('x')), 'NOT_VALID');
      });
    });
  });
}
