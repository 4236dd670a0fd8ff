// Property changes and signals of a source go only to the connections that hold a replica of it.
// Checked on the wire: on a second real node (its connection's received packets, internal), on a
// raw peer that only did the handshake, and host-side on the source's binding (internal).

import { expect } from 'chai';
import type { Node } from '../../src/index';
import type { DecodedPacket } from '../../src/protocol/messages';
import { transports } from '../support/fixtures';
import { Printer } from '../support/printer';
import { Counter, WAIT_MS, bindingOf, tapReceived, whenOffered } from '../support/e2e';
import { nextEvent } from '../../src/testing';
import { useWorld } from '../support/world-fixture';

/** The packets about source `id` among those tapped. */
function about(calls: [DecodedPacket][], id: number): DecodedPacket[] {
  return calls.map(([p]) => p).filter((p) => (p.propertyChange?.source ?? p.signal?.source ?? p.init?.source) === id);
}

for (const t of transports()) {
  describe(`routing (${t.name})`, () => {
    const f = useWorld(t.url);
    let printer: Printer;

    beforeEach(async () => {
      printer = f.remote(new Printer());
    });

    it('a connected node without replicas gets no changes or signals', async () => {
      const idle = await f.w.connectedNode(f.host);
      const idleReceived = tapReceived(idle, f.host.hostUrl);
      const r = await f.valid(Printer);
      expect(bindingOf(f.host, 'Printer')!.listenerCount).to.equal(1);

      const changed = nextEvent(r, 'inkLevelChanged');
      const jammed = nextEvent(r, 'jammed');
      printer.inkLevel = 12;
      printer.jammed(4, 'paper');
      expect(await changed).to.deep.equal([12]);
      expect(await jammed).to.deep.equal([4, 'paper']);
      expect(await r.print('doc')).to.equal(3); // and a queueChanged

      // Barrier for the idle node: a SourceAdded sent after all of that.
      f.host.enableRemoting(new Counter());
      await whenOffered(idle, 'Counter');
      expect(idleReceived.calls.map(([p]) => p.kind)).to.deep.equal(['sourceAdded']);
      idleReceived.restore();
    });

    it('a node holding a replica of another source gets only that source\'s traffic', async () => {
      const counter = new Counter();
      f.host.enableRemoting(counter);
      const other = await f.w.connectedNode(f.host);
      const c = other.acquire(Counter);
      expect(await c.waitForSource(WAIT_MS)).to.equal(true);
      const otherReceived = tapReceived(other, f.host.hostUrl);
      const r = await f.valid(Printer);

      printer.inkLevel = 13;
      printer.jammed(1, 'x');
      const ticked = nextEvent(c, 'ticked');
      counter.ticked(7);
      expect(await ticked).to.deep.equal([7]);
      const printerId = bindingOf(f.host, 'Printer')!.id;
      const counterId = bindingOf(f.host, 'Counter')!.id;
      expect(about(otherReceived.calls, printerId)).to.deep.equal([]);
      expect(about(otherReceived.calls, counterId).map((p) => p.kind)).to.deep.equal(['signal']);
      otherReceived.restore();
    });

    it('a raw peer that only shook hands gets the source list and nothing else', async () => {
      const raw = await f.w.raw(f.host.hostUrl);
      const list = await raw.handshake();
      expect(list.sourceList!.sources!.map((s) => s.name)).to.deep.equal(['Printer']);
      const r = await f.valid(Printer);
      const changed = nextEvent(r, 'inkLevelChanged');
      printer.inkLevel = 14;
      printer.jammed(2, 'y');
      await changed;
      await raw.roundTrip(77);
      expect(raw.packets.map((p) => p.kind)).to.deep.equal(['handshake', 'sourceList', 'pong']);
    });

    it('a raw peer that acquires gets Init, then the changes, then nothing after Release', async () => {
      const raw = await f.w.raw(f.host.hostUrl);
      const list = await raw.handshake();
      const id = list.sourceList!.sources![0]!.id!;
      raw.sendPacket({ acquire: { source: id, wantDefinition: true } });
      const init = await raw.packet('init');
      expect(init.init!.source).to.equal(id);
      expect(init.init!.definition!.typeName).to.equal('Printer');
      expect(init.init!.values).to.have.length(4);
      printer.inkLevel = 15;
      const change = await raw.packet('propertyChange');
      expect(change.propertyChange!.source).to.equal(id);
      expect(change.propertyChange!.index).to.equal(0);
      raw.sendPacket({ release: { source: id } });
      await raw.roundTrip(1);
      const before = raw.packets.length;
      printer.inkLevel = 16;
      printer.jammed(3, 'z');
      await raw.roundTrip(2);
      expect(raw.packets.slice(before).map((p) => p.kind)).to.deep.equal(['pong']);
    });

    it('one object remoted by two hosts notifies the replicas of both', async () => {
      const second = await f.w.host(t.url());
      expect(second.enableRemoting(printer)).to.equal(true);
      const other = await f.w.connectedNode(second);
      const a = f.node.acquire(Printer);
      const b = other.acquire(Printer);
      expect(await a.waitForSource(WAIT_MS)).to.equal(true);
      expect(await b.waitForSource(WAIT_MS)).to.equal(true);
      const ca = nextEvent(a, 'copiesChanged');
      const cb = nextEvent(b, 'copiesChanged');
      printer.copies = 9;
      expect(await ca).to.deep.equal([9]);
      expect(await cb).to.deep.equal([9]);
      // Disabled on one host, it goes on on the other.
      const suspect = nextEvent(a, 'stateChanged');
      f.host.disableRemoting(printer);
      expect(await suspect).to.deep.equal(['suspect', 'valid']);
      const again = nextEvent(b, 'copiesChanged');
      printer.copies = 10;
      expect(await again).to.deep.equal([10]);
      expect(a.copies).to.equal(9);
    });

    it('a node stops getting traffic once it releases, while another keeps getting it', async () => {
      const other = await f.w.connectedNode(f.host);
      const mine = f.node.acquire(Printer);
      const theirs = other.acquire(Printer);
      expect(await mine.waitForSource(WAIT_MS)).to.equal(true);
      expect(await theirs.waitForSource(WAIT_MS)).to.equal(true);
      mine.release();
      const received = tapReceived(f.node, f.host.hostUrl);
      // Barrier: the Release reached the host before this SourceAdded round trip ends.
      f.host.enableRemoting(new Counter());
      await whenOffered(f.node, 'Counter');
      const c = await f.valid(Counter);
      const start = received.calls.length;
      const changed = nextEvent(theirs, 'inkLevelChanged');
      printer.inkLevel = 17;
      expect(await changed).to.deep.equal([17]);
      await c.increment(); // barrier for `subscriber`
      const printerId = bindingOf(f.host, 'Printer')!.id;
      expect(about(received.calls.slice(start) as [DecodedPacket][], printerId)).to.deep.equal([]);
      received.restore();
    });
  });
}
