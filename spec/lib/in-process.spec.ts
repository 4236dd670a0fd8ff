// A host's replicas of its own sources, and the protocol over streams handed in by the user
// (QtRO's addHostSideConnection / addClientSideConnection).

import { expect } from 'chai';
import { Duplex } from 'node:stream';
import { Host, Node } from '../../src/index';
import { recordingLogger, transports, within } from '../support/fixtures';
import { Printer } from '../support/printer';
import { nextEvent, waitFor, waitForState } from '../../src/testing';

/** A Duplex pair built in the test from two plain streams, as a user's custom transport would be. */
function userPair(): [Duplex, Duplex] {
  let a!: Duplex;
  let b!: Duplex;
  const make = (other: () => Duplex): Duplex =>
    new Duplex({
      read() {},
      write(chunk: Buffer, _e, cb) {
        other().push(chunk);
        cb();
      },
      final(cb) {
        other().push(null);
        cb();
      },
    });
  a = make(() => b);
  b = make(() => a);
  return [a, b];
}

for (const t of transports()) {
  describe(`in-process replicas (${t.name})`, () => {
    let host: Host;
    beforeEach(async () => {
      host = new Host(t.url(), { logger: recordingLogger() });
      await host.listening;
    });
    afterEach(() => host.close());

    it('gives a host valid typed and dynamic replicas of its own source', async () => {
      const printer = new Printer();
      printer.inkLevel = 70;
      host.enableRemoting(printer);
      const r = host.acquire(Printer);
      const dyn = host.acquireDynamic('Printer');
      expect(await r.waitForSource(2000)).to.equal(true);
      expect(await dyn.waitForSource(2000)).to.equal(true);
      expect(r.isReplicaValid()).to.equal(true);
      expect(r.inkLevel).to.equal(70);
      expect(await r.print('abc')).to.equal(3);
      expect(await dyn.invoke('add', 2, 5)).to.equal(7);
      const jammed = nextEvent(r, 'jammed');
      printer.jammed(2, 'paper');
      expect(await jammed).to.deep.equal([2, 'paper']);
      r.inkLevel = 12;
      await waitFor(r, 'inkLevel', 12);
      expect(printer.inkLevel).to.equal(12);
    });

    it('initializes a replica acquired before the source is enabled', async () => {
      const r = host.acquire(Printer);
      expect(r.state).to.equal('default');
      host.enableRemoting(new Printer());
      expect(await r.waitForSource(2000)).to.equal(true);
    });
  });
}

describe('custom transports', () => {
  it('carries the protocol over a user-supplied Duplex pair, and does not reconnect it', async () => {
    const logger = recordingLogger();
    const host = new Host('tcp://127.0.0.1:0', { logger });
    const node = new Node({ logger });
    try {
      await host.listening;
      const printer = new Printer();
      host.enableRemoting(printer);
      const [hostSide, nodeSide] = userPair();
      host.addHostSideConnection(hostSide);
      await within(node.addClientSideConnection(nodeSide, 'pipe:test'), 2000, 'the handshake over the pair');
      expect(node.knownSources()).to.deep.include({ name: 'Printer', typeName: 'Printer', url: 'pipe:test', signature: node.knownSources()[0]!.signature });
      const r = node.acquire(Printer);
      expect(await r.waitForSource(2000)).to.equal(true);
      expect(await r.add(20, 22)).to.equal(42);

      const suspect = waitForState(r, 'suspect');
      nodeSide.destroy();
      await suspect;
      expect(node.knownSources()).to.deep.equal([]);
    } finally {
      await node.close();
      await host.close();
    }
  });

  it('refuses a second connection under the same name', async () => {
    const node = new Node({ logger: recordingLogger() });
    const host = new Host('tcp://127.0.0.1:0', { logger: recordingLogger() });
    try {
      await host.listening;
      const [h1, n1] = userPair();
      host.addHostSideConnection(h1);
      await node.addClientSideConnection(n1, 'pipe:x');
      const [, n2] = userPair();
      const err = await node.addClientSideConnection(n2, 'pipe:x').then(() => undefined, (e: unknown) => e);
      expect(err).to.have.property('code', 'DECLARATION_INVALID');
      n2.destroy();
    } finally {
      await node.close();
      await host.close();
    }
  });
});
