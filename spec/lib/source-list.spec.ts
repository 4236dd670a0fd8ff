// What nodes know a host offers: the SourceList after the handshake, SourceAdded on
// enableRemoting, SourceRemoved on disableRemoting, for every connected node. Seen through the
// node's directory of offered sources (internal), replicas, and a raw peer's packets.

import { expect } from 'chai';
import type { Host } from '../../src/index';
import { apiOf } from '../../src/api/metadata';
import { transports } from '../support/fixtures';
import { Printer } from '../support/printer';
import { Counter, World, WAIT_MS, offeredNames, whenOffered, whenWithdrawn } from '../support/e2e';
import { nextEvent } from '../../src/testing';

for (const t of transports()) {
  describe(`source list (${t.name})`, () => {
    let w: World;
    let host: Host;

    beforeEach(async () => {
      w = new World();
      host = await w.host(t.url());
    });
    afterEach(() => w.close());

    it('a node connected before enableRemoting hears of the source (SourceAdded)', async () => {
      const early = await w.connectedNode(host);
      expect(offeredNames(early)).to.deep.equal([]);
      host.enableRemoting(new Printer());
      await whenOffered(early, 'Printer');
      expect(offeredNames(early)).to.deep.equal(['Printer']);
      const dyn = early.acquireDynamic('Printer');
      expect(await dyn.waitForSource(WAIT_MS)).to.equal(true);
    });

    it('a node connected after enableRemoting has it in the list once connectToNode resolves', async () => {
      host.enableRemoting(new Printer());
      host.enableRemoting(new Counter());
      const late = await w.connectedNode(host);
      expect(offeredNames(late)).to.deep.equal(['Counter', 'Printer']);
    });

    it('disableRemoting removes it for every node, early and late', async () => {
      const printer = new Printer();
      const early = await w.connectedNode(host);
      host.enableRemoting(printer);
      host.enableRemoting(new Counter());
      await whenOffered(early, 'Printer');
      const late = await w.connectedNode(host);
      expect(offeredNames(late)).to.deep.equal(['Counter', 'Printer']);
      expect(host.disableRemoting(printer)).to.equal(true);
      await whenWithdrawn(early, 'Printer');
      await whenWithdrawn(late, 'Printer');
      expect(offeredNames(early)).to.deep.equal(['Counter']);
      expect(offeredNames(late)).to.deep.equal(['Counter']);
      expect(host.sourceNames).to.deep.equal(['Counter']);
      // A node connecting now does not get it either.
      const later = await w.connectedNode(host);
      expect(offeredNames(later)).to.deep.equal(['Counter']);
    });

    it('disableRemoting by name works like by object; unknown ones return false', async () => {
      host.enableRemoting(new Printer());
      const node = await w.connectedNode(host);
      expect(host.disableRemoting('Nope')).to.equal(false);
      expect(host.disableRemoting(new Printer())).to.equal(false);
      expect(host.disableRemoting('Printer')).to.equal(true);
      await whenWithdrawn(node, 'Printer');
      expect(host.disableRemoting('Printer')).to.equal(false);
    });

    it('a raw peer sees SourceList, SourceAdded and SourceRemoved with id, name, type name and signature', async () => {
      host.enableRemoting(new Printer(), 'Office');
      const raw = await w.raw(host.hostUrl);
      const list = await raw.handshake();
      const [office] = list.sourceList!.sources!;
      expect(office!.name).to.equal('Office');
      expect(office!.typeName).to.equal('Printer');
      expect(office!.signature).to.equal(apiOf(Printer).signature);
      expect(office!.id).to.be.greaterThan(0);

      const counter = new Counter();
      host.enableRemoting(counter);
      const added = await raw.packet('sourceAdded');
      expect(added.sourceAdded!.source!.name).to.equal('Counter');
      expect(added.sourceAdded!.source!.signature).to.equal(apiOf(Counter).signature);
      const counterId = added.sourceAdded!.source!.id!;
      expect(counterId).to.not.equal(office!.id);

      host.disableRemoting(counter);
      const removed = await raw.packet('sourceRemoved');
      expect(removed.sourceRemoved!.source).to.equal(counterId);

      // Enabled again: a new id, never reused.
      host.enableRemoting(counter);
      await raw.roundTrip(1);
      const again = raw.packets.filter((p) => p.kind === 'sourceAdded');
      expect(again).to.have.length(2);
      expect(again[1]!.sourceAdded!.source!.id).to.not.equal(counterId);
    });

    it('a replica waiting for a source that was withdrawn initializes when it comes back', async () => {
      const node = await w.connectedNode(host);
      const printer = new Printer();
      host.enableRemoting(printer);
      await whenOffered(node, 'Printer');
      host.disableRemoting(printer);
      await whenWithdrawn(node, 'Printer');
      const r = node.acquire(Printer);
      expect(r.state).to.equal('default');
      const init = nextEvent(r, 'initialized');
      host.enableRemoting(printer);
      await init;
      expect(r.state).to.equal('valid');
    });

    it('a Host is a Node: it can connect to another host and acquire its sources', async () => {
      const printer = new Printer();
      printer.inkLevel = 31;
      host.enableRemoting(printer);
      const other = await w.host(t.url());
      other.enableRemoting(new Counter());
      await other.connectToNode(host.hostUrl);
      const r = other.acquire(Printer);
      expect(await r.waitForSource(WAIT_MS)).to.equal(true);
      expect(r.inkLevel).to.equal(31);
      // And it still serves its own sources.
      const node = await w.connectedNode(other);
      expect(offeredNames(node)).to.deep.equal(['Counter']);
    });

    it('a source offered by two hosts: replicas stay with the first (warning), and fall back to the second when it goes', async () => {
      const first = new Printer();
      first.inkLevel = 1;
      host.enableRemoting(first);
      const second = await w.host(t.url());
      const backup = new Printer();
      backup.inkLevel = 2;
      second.enableRemoting(backup);
      const node = await w.connectedNode(host);
      const r = node.acquire(Printer);
      expect(await r.waitForSource(WAIT_MS)).to.equal(true);
      await node.connectToNode(second.hostUrl);
      const warning = await w.nodeLog.waitFor(/offered by/);
      expect(warning.message).to.include(host.hostUrl).and.include(second.hostUrl);
      expect(r.inkLevel).to.equal(1);
      const reinit = nextEvent(r, 'initialized');
      host.disableRemoting(first);
      await reinit;
      expect(r.state).to.equal('valid');
      expect(r.inkLevel).to.equal(2);
      expect(await r.print('abc')).to.equal(3);
      expect(backup.queue).to.deep.equal(['abc']);
      expect(first.queue).to.deep.equal([]);
    });

    it('closing the host withdraws its sources from connected nodes', async () => {
      host.enableRemoting(new Printer());
      const node = await w.connectedNode(host);
      const r = node.acquire(Printer);
      expect(await r.waitForSource(WAIT_MS)).to.equal(true);
      const suspect = nextEvent(r, 'stateChanged');
      await host.close();
      expect(await suspect).to.deep.equal(['suspect', 'valid']);
      await whenWithdrawn(node, 'Printer');
      expect(offeredNames(node)).to.deep.equal([]);
    });
  });
}
