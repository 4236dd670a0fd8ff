// A typed replica whose class has the source's type name but another API: state
// 'signatureMismatch', waitForSource false, nothing applied, calls refused; a dynamic replica of
// the same source works meanwhile.

import { expect } from 'chai';
import { Property, RemoteObjectType, Signal, Slot } from '../../src/index';
import { apiOf } from '../../src/api/metadata';
import { transports } from '../support/fixtures';
import { Printer, PrinterWithStringInk } from '../support/printer';
import { WAIT_MS, bindingOf, whenOffered, expectTsro, recordEvents, rejectionOf, thrownBy } from '../support/e2e';
import { nextEvent } from '../../src/testing';
import { useWorld } from '../support/world-fixture';

/** Printer's API plus one property (re-declaring the type name makes this the API class). */
@RemoteObjectType('Printer')
class PrinterWithExtra extends Printer {
  @Property() extra = 'x';
}

/** What the tests use of either mismatched class. */
interface MismatchShape {
  inkLevel: unknown;
  copies: number;
  queue: string[];
  print(doc: string): Promise<number>;
  add(a: number, b: number): number;
}

const MISMATCHED: [string, new () => MismatchShape][] = [
  ['an extra property', PrinterWithExtra],
  ['a property of another type', PrinterWithStringInk],
];

const ALL_EVENTS = ['initialized', 'stateChanged', 'inkLevelChanged', 'busyChanged', 'copiesChanged', 'queueChanged', 'extraChanged', 'jammed'];

for (const t of transports()) {
  describe(`signature mismatch (${t.name})`, () => {
    const f = useWorld(t.url);
    let printer: Printer;

    beforeEach(async () => {
      printer = new Printer();
      printer.inkLevel = 33;
    });

    it('the mismatched classes really differ from Printer', () => {
      for (const [, cls] of MISMATCHED) {
        expect(apiOf(cls).typeName).to.equal('Printer');
        expect(apiOf(cls).signature).to.not.equal(apiOf(Printer).signature);
      }
    });

    it('a typed replica recovers when the mismatched source is replaced by a matching one', async () => {
      f.host.enableRemoting(printer);
      const r = await f.valid(Printer);
      let changed = nextEvent(r, 'stateChanged');
      f.host.disableRemoting(printer);
      expect(await changed).to.deep.equal(['suspect', 'valid']);

      changed = nextEvent(r, 'stateChanged');
      f.host.enableRemoting(new PrinterWithStringInk(), 'Printer');
      expect(await changed).to.deep.equal(['signatureMismatch', 'suspect']);
      expect(r.inkLevel).to.equal(33);

      f.host.disableRemoting('Printer');
      const valid = nextEvent(r, 'initialized');
      const back = new Printer();
      back.inkLevel = 44;
      f.host.enableRemoting(back);
      await valid;
      expect(r.state).to.equal('valid');
      expect(r.inkLevel).to.equal(44);
      expect(await r.add(1, 1)).to.equal(2);
    });

    for (const [what, Cls] of MISMATCHED) {
      describe(`a class with ${what}`, () => {
        it('is "signatureMismatch" at once when the source is already offered; waitForSource is false', async () => {
          f.host.enableRemoting(printer);
          const dyn = await f.validDynamic('Printer');
          const r = f.node.acquire(Cls);
          expect(r.state).to.equal('signatureMismatch');
          expect(r.isReplicaValid()).to.equal(false);
          expect(await r.waitForSource(WAIT_MS)).to.equal(false);
          // Nothing applied: the class defaults.
          expect(r.inkLevel).to.equal(new Cls().inkLevel);
        });

        it('goes "signatureMismatch" when the source appears; a pending waitForSource resolves false', async () => {
          const r = f.node.acquire(Cls);
          expect(r.state).to.equal('default');
          const log = recordEvents(r, ALL_EVENTS);
          const waiting = r.waitForSource(WAIT_MS);
          const dyn = f.node.acquireDynamic('Printer');
          f.host.enableRemoting(printer);
          expect(await waiting).to.equal(false);
          expect(r.state).to.equal('signatureMismatch');
          expect(log).to.deep.equal([{ event: 'stateChanged', args: ['signatureMismatch', 'default'] }]);
          expect(await dyn.waitForSource(WAIT_MS)).to.equal(true);
          expect(r.state).to.equal('signatureMismatch');
        });

        it('applies nothing and emits nothing while a dynamic replica of the same source works', async () => {
          f.host.enableRemoting(printer);
          await whenOffered(f.node, 'Printer');
          const r = f.node.acquire(Cls);
          const log = recordEvents(r, ALL_EVENTS);
          const dyn = await f.validDynamic('Printer');
          expect(dyn.get('inkLevel')).to.equal(33);

          // Changes and signals reach the dynamic replica, not the mismatched one.
          const changed = nextEvent(dyn, 'inkLevelChanged');
          printer.inkLevel = 34;
          expect(await changed).to.deep.equal([34]);
          const jammed = nextEvent(dyn, 'jammed');
          printer.jammed(2, 'paper');
          expect(await jammed).to.deep.equal([2, 'paper']);
          expect(await dyn.invoke('print', 'abcd')).to.equal(4);
          await dyn.set('copies', 2);
          expect(printer.copies).to.equal(2);

          expect(log).to.deep.equal([]);
          expect(r.state).to.equal('signatureMismatch');
          const defaults = new Cls();
          expect(r.inkLevel).to.equal(defaults.inkLevel);
          expect(r.copies).to.equal(1);
          expect(r.queue).to.deep.equal([]);
        });

        it('refuses slot calls and property sets', async () => {
          f.host.enableRemoting(printer);
          const r = f.node.acquire(Cls);
          const dyn = await f.validDynamic('Printer');
          const binding = bindingOf(f.host, 'Printer')!;
          const invoked = f.w.tap(binding, 'invoke');
          const err = expectTsro(await rejectionOf(r.print('x')), ['NOT_VALID', 'SIGNATURE_MISMATCH']);
          expect(err.message).to.match(/signature ?mismatch/i);
          expectTsro(await rejectionOf(r.add(1, 2)), ['NOT_VALID', 'SIGNATURE_MISMATCH']);
          expectTsro(thrownBy(() => (r.copies = 4)), ['NOT_VALID', 'SIGNATURE_MISMATCH']);
          // Barrier: a call of the dynamic replica gets through; the refused ones never left.
          expect(await dyn.invoke('add', 1, 2)).to.equal(3);
          expect(invoked.count).to.equal(1);
          expect(printer.copies).to.equal(1);
        });

        it('a mismatched typed replica alone does not subscribe at all', async () => {
          f.host.enableRemoting(printer);
          await whenOffered(f.node, 'Printer');
          const r = f.node.acquire(Cls);
          expect(r.state).to.equal('signatureMismatch');
          // It asks for the source's API once, to say what differs (signature-diff.spec.ts),
          // and releases it: resolved false once that is known.
          expect(await r.waitForSource(WAIT_MS)).to.equal(false);
          expect(r.signatureMismatch).to.not.equal(undefined);
          const binding = bindingOf(f.host, 'Printer')!;
          const init = f.w.tap(binding, 'initPacket');
          // A dynamic replica of another name is a round trip on the same connection.
          const dyn = await f.validDynamic('Printer');
          expect(init.count).to.equal(1);
          expect(binding.listenerCount).to.equal(1);
          dyn.release();
          expect(r.state).to.equal('signatureMismatch');
        });

        // Only mismatched handles left: the node must release the subscription.
        it('once the only handle that could use the source is released, the host stops sending', async () => {
          f.host.enableRemoting(printer);
          await whenOffered(f.node, 'Printer');
          const r = f.node.acquire(Cls);
          const dyn = await f.validDynamic('Printer');
          const binding = bindingOf(f.host, 'Printer')!;
          expect(binding.listenerCount).to.equal(1);
          dyn.release();
          // Barrier: a round trip on the same connection.
          const other = f.node.acquireDynamic('Other');
          f.host.enableRemoting(new Printer(), 'Other');
          expect(await other.waitForSource(WAIT_MS)).to.equal(true);
          expect(r.state).to.equal('signatureMismatch');
          expect(binding.listenerCount).to.equal(0);
        });

        it('a matching typed replica next to the mismatched one is valid', async () => {
          f.host.enableRemoting(printer);
          const bad = f.node.acquire(Cls);
          const good = await f.valid(Printer);
          expect(good.inkLevel).to.equal(33);
          expect(bad.state).to.equal('signatureMismatch');
          expect(await good.print('xy')).to.equal(2);
        });
      });
    }
  });
}
