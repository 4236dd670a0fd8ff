// Several handles of one source in one node share one subscription: one Acquire, one Init, one
// stream of changes; releasing a handle keeps the others working; releasing the last one stops
// the host sending. Observed host-side through the source's binding (internal).

import { expect } from 'chai';
import type { Host, Node, Replica } from '../../src/index';
import type { SourceBinding } from '../../src/host/source-binding';
import { transports } from '../support/fixtures';
import { Printer } from '../support/printer';
import { Counter, World, WAIT_MS, bindingOf, expectTsro, recordEvents, rejectionOf, tapReceived, type Tap } from '../support/e2e';
import type { DecodedPacket } from '../../src/protocol/messages';
import { nextEvent } from '../../src/testing';

for (const t of transports()) {
  describe(`sharing one subscription (${t.name})`, () => {
    let w: World;
    let host: Host;
    let node: Node;
    let printer: Printer;
    let binding: SourceBinding;
    let inits: Tap;
    let counter: Replica<Counter>;

    /** Everything the node sent before this has been processed by the host. */
    async function barrier(): Promise<void> {
      await counter.increment();
    }

    beforeEach(async () => {
      w = new World();
      host = await w.host(t.url());
      printer = new Printer();
      expect(host.enableRemoting(printer)).to.equal(true);
      expect(host.enableRemoting(new Counter())).to.equal(true);
      binding = bindingOf(host, 'Printer')!;
      inits = w.tap(binding, 'initPacket');
      node = await w.connectedNode(host);
      counter = node.acquire(Counter);
      expect(await counter.waitForSource(WAIT_MS)).to.equal(true);
    });
    afterEach(() => w.close());

    it('two typed handles and one dynamic share one Acquire and one host listener', async () => {
      const received = tapReceived(node, host.hostUrl);
      const a = node.acquire(Printer);
      expect(await a.waitForSource(WAIT_MS)).to.equal(true);
      const b = node.acquire(Printer);
      const d = node.acquireDynamic('Printer');
      // The later handles are valid at once: the values are already here.
      expect(b.state).to.equal('valid');
      expect(d.state).to.equal('valid');
      expect(d.get('inkLevel')).to.equal(100);
      expect(await b.waitForSource(WAIT_MS)).to.equal(true);
      expect(await d.waitForSource(WAIT_MS)).to.equal(true);
      await barrier();
      expect(inits.count).to.equal(1);
      expect(binding.listenerCount).to.equal(1);
      expect(received.calls.filter(([p]) => p.kind === 'init')).to.have.length(1);
      received.restore();
    });

    it('a dynamic handle first, then typed ones, also share one subscription', async () => {
      const d = node.acquireDynamic('Printer');
      expect(await d.waitForSource(WAIT_MS)).to.equal(true);
      const a = node.acquire(Printer);
      const b = node.acquire(Printer);
      expect(a.state).to.equal('valid');
      expect(b.state).to.equal('valid');
      expect(a.inkLevel).to.equal(100);
      await barrier();
      expect(inits.count).to.equal(1);
      expect(binding.listenerCount).to.equal(1);
    });

    it('every handle gets every change and signal exactly once', async () => {
      const a = node.acquire(Printer);
      const b = node.acquire(Printer);
      const d = node.acquireDynamic('Printer');
      expect(await a.waitForSource(WAIT_MS)).to.equal(true);
      expect(await d.waitForSource(WAIT_MS)).to.equal(true);
      const logs = [a, b, d].map((h) => recordEvents(h, ['inkLevelChanged', 'jammed']));
      const last = [a, b, d].map((h) => nextEvent(h, 'jammed'));
      printer.inkLevel = 1;
      printer.inkLevel = 2;
      printer.jammed(1, 'x');
      await Promise.all(last);
      for (const log of logs) {
        expect(log).to.deep.equal([
          { event: 'inkLevelChanged', args: [1] },
          { event: 'inkLevelChanged', args: [2] },
          { event: 'jammed', args: [1, 'x'] },
        ]);
      }
    });

    it('releasing one handle keeps the others working, with no Release sent', async () => {
      const a = node.acquire(Printer);
      const b = node.acquire(Printer);
      const d = node.acquireDynamic('Printer');
      expect(await a.waitForSource(WAIT_MS)).to.equal(true);
      const removed = w.tap(binding, 'removeListener');
      const aLog = recordEvents(a, ['inkLevelChanged', 'stateChanged']);
      a.release();
      await barrier();
      expect(removed.count).to.equal(0);
      expect(binding.listenerCount).to.equal(1);
      expect(b.state).to.equal('valid');
      expect(d.state).to.equal('valid');
      const changed = nextEvent(b, 'inkLevelChanged');
      const dynChanged = nextEvent(d, 'inkLevelChanged');
      printer.inkLevel = 3;
      expect(await changed).to.deep.equal([3]);
      expect(await dynChanged).to.deep.equal([3]);
      expect(await b.add(1, 2)).to.equal(3);
      expect(await d.invoke('add', 2, 2)).to.equal(4);
      // The released handle hears nothing and refuses calls.
      expect(aLog).to.deep.equal([]);
      expectTsro(await rejectionOf(a.add(1, 2)), 'NOT_VALID');
      a.release(); // idempotent
      expect(binding.listenerCount).to.equal(1);
    });

    it('releasing every handle makes the host stop sending', async () => {
      const a = node.acquire(Printer);
      const b = node.acquire(Printer);
      const d = node.acquireDynamic('Printer');
      expect(await a.waitForSource(WAIT_MS)).to.equal(true);
      expect(binding.listenerCount).to.equal(1);
      a.release();
      b.release();
      d.release();
      await barrier();
      expect(binding.listenerCount).to.equal(0);
      const received = tapReceived(node, host.hostUrl);
      printer.inkLevel = 4;
      printer.jammed(2, 'y');
      await barrier();
      // (The barrier's own Counter change does arrive; nothing of the Printer does.)
      const ofPrinter = received.calls
        .map(([p]) => p as DecodedPacket)
        .filter((p) => (p.propertyChange?.source ?? p.signal?.source) === binding.id);
      expect(ofPrinter).to.deep.equal([]);
      expect(received.calls.map(([p]) => (p as DecodedPacket).kind)).to.include('reply');
      received.restore();
    });

    it('acquiring again after releasing everything subscribes again, with current values', async () => {
      const a = node.acquire(Printer);
      expect(await a.waitForSource(WAIT_MS)).to.equal(true);
      a.release();
      await barrier();
      expect(binding.listenerCount).to.equal(0);
      printer.inkLevel = 66;
      const again = node.acquire(Printer);
      expect(again.state).to.equal('default');
      expect(await again.waitForSource(WAIT_MS)).to.equal(true);
      expect(again.inkLevel).to.equal(66);
      expect(inits.count).to.equal(2);
      expect(binding.listenerCount).to.equal(1);
    });

    it('releasing and at once acquiring again (Release and Acquire in one batch) ends up subscribed', async () => {
      const a = node.acquire(Printer);
      expect(await a.waitForSource(WAIT_MS)).to.equal(true);
      a.release();
      const b = node.acquire(Printer);
      expect(await b.waitForSource(WAIT_MS)).to.equal(true);
      await barrier();
      expect(binding.listenerCount).to.equal(1);
      const changed = nextEvent(b, 'inkLevelChanged');
      printer.inkLevel = 8;
      expect(await changed).to.deep.equal([8]);
    });

    it('releasing before the Init arrived leaves nothing subscribed, and a later acquire works', async () => {
      const a = node.acquire(Printer);
      expect(a.state).to.equal('default');
      a.release();
      await barrier();
      expect(binding.listenerCount).to.equal(0);
      expect(a.state).to.not.equal('valid');
      const b = node.acquireDynamic('Printer');
      expect(await b.waitForSource(WAIT_MS)).to.equal(true);
      expect(b.get('inkLevel')).to.equal(100);
      await barrier();
      expect(binding.listenerCount).to.equal(1);
    });

    it('[Symbol.dispose]() releases like release()', async () => {
      const a = node.acquire(Printer);
      expect(await a.waitForSource(WAIT_MS)).to.equal(true);
      a[Symbol.dispose]();
      expectTsro(await rejectionOf(a.add(1, 1)), 'NOT_VALID');
      await barrier();
      expect(binding.listenerCount).to.equal(0);
    });

    it('a `using` declaration releases the handle at the end of its block', async () => {
      let inside: Replica<Printer> | undefined;
      {
        using scoped = node.acquire(Printer);
        inside = scoped;
        expect(await scoped.waitForSource(WAIT_MS)).to.equal(true);
        expect(await scoped.add(2, 2)).to.equal(4);
        expect(binding.listenerCount).to.equal(1);
      }
      expectTsro(await rejectionOf(inside.add(1, 1)), 'NOT_VALID');
      await barrier();
      expect(binding.listenerCount).to.equal(0);
    });

    it('two nodes are two listeners; one releasing leaves the other subscribed', async () => {
      const other = await w.connectedNode(host);
      const mine = node.acquire(Printer);
      const theirs = other.acquire(Printer);
      expect(await mine.waitForSource(WAIT_MS)).to.equal(true);
      expect(await theirs.waitForSource(WAIT_MS)).to.equal(true);
      expect(binding.listenerCount).to.equal(2);
      mine.release();
      await barrier();
      expect(binding.listenerCount).to.equal(1);
      const changed = nextEvent(theirs, 'inkLevelChanged');
      printer.inkLevel = 5;
      expect(await changed).to.deep.equal([5]);
    });

    it('closing a node unsubscribes its connection on the host', async () => {
      const other = await w.connectedNode(host);
      const theirs = other.acquire(Printer);
      expect(await theirs.waitForSource(WAIT_MS)).to.equal(true);
      expect(binding.listenerCount).to.equal(1);
      const removed = w.tap(binding, 'removeListener');
      await other.close();
      await removed.until();
      expect(binding.listenerCount).to.equal(0);
    });
  });
}
