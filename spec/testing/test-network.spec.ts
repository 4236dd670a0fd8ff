// TestNetwork (src/testing/test-network.ts): a host and a node joined in memory or over loopback,
// a lost connection, an unreachable host, a host restart, more nodes, the recorded log and a
// close that leaves nothing open.

import * as path from 'node:path';
import { expect } from 'chai';
import { Node, TsroError } from '../../src/index';
import { nextEvent, TestNetwork, waitFor } from '../../src/testing';
import { Printer } from '../support/printer';
import { expectTsro, rejectionOf } from '../support/e2e';
import { runNode } from '../support/run-node';

const WAIT = { timeout: 3000 };

const CHILD = path.join(__dirname, '..', 'support', 'test-network-child.js');

for (const transport of ['memory', 'tcp', 'local'] as const) {
  describe(`TestNetwork (${transport})`, () => {
    let net: TestNetwork;
    let printer: Printer;

    beforeEach(async () => {
      net = await TestNetwork.create({ transport });
      printer = new Printer();
      net.host.enableRemoting(printer);
    });
    afterEach(() => net.close());

    it('joins a host and a node: a dynamic replica acquired by name follows the source', async () => {
      const dyn = net.node.acquireDynamic('Printer');
      expect(await waitFor(dyn, 'inkLevel', 100, WAIT)).to.equal(100);
      printer.inkLevel = 42;
      expect(await nextEvent(dyn, 'inkLevelChanged', WAIT)).to.deep.equal([42]);
      expect(await dyn.invoke('add', 2, 3)).to.equal(5);
    });

    it(transport === 'memory' ? 'listens on a tsro-test: URL, no socket' : `listens on a real ${transport} address`, () => {
      expect(net.url).to.match(/^tsro-test:net-/);
      expect(net.transport).to.equal(transport);
      if (transport === 'memory') expect(net.host.hostUrl).to.equal(net.url);
      else if (transport === 'tcp') expect(net.host.hostUrl).to.match(/^tcp:\/\/127\.0\.0\.1:[1-9][0-9]*$/);
      else expect(net.host.hostUrl).to.match(/^local:tsro-test-/);
    });

    it('dropConnection: replicas turn suspect, calls in flight fail, and the node reconnects by itself', async () => {
      const r = net.node.acquire(Printer);
      expect(await r.waitForSource(3000)).to.equal(true);
      const hanging = r.hang();
      const suspect = nextEvent(r, 'stateChanged', { ...WAIT, where: (state) => state === 'suspect' });
      net.dropConnection();
      await suspect;
      expectTsro(await rejectionOf(hanging), 'DISCONNECTED');
      await nextEvent(r, 'stateChanged', { ...WAIT, where: (state) => state === 'valid' });
      printer.inkLevel = 7;
      expect(await waitFor(r, 'inkLevel', 7, WAIT)).to.equal(7);
    });

    it('disconnect keeps the host unreachable until reconnect', async () => {
      const r = net.node.acquire(Printer);
      expect(await r.waitForSource(3000)).to.equal(true);
      net.disconnect();
      await waitFor(r, 'inkLevel', 100, WAIT).catch(() => undefined);
      await nextEvent(r, 'stateChanged', { ...WAIT, where: (s) => s === 'suspect' }).catch(() => expect(r.state).to.equal('suspect'));
      // The node retries (and is refused) while disconnected: the log says so.
      await waitForLog(net, /reconnecting to tsro-test:.* failed/);
      expect(r.state).to.equal('suspect');
      net.reconnect();
      await nextEvent(r, 'stateChanged', { ...WAIT, where: (s) => s === 'valid' });
    });

    it('restartHost remotes the same objects again; replicas come back valid', async () => {
      const r = net.node.acquire(Printer);
      expect(await r.waitForSource(3000)).to.equal(true);
      const old = net.host;
      const suspect = nextEvent(r, 'stateChanged', { ...WAIT, where: (s) => s === 'suspect' });
      const host = await net.restartHost();
      await suspect;
      expect(host).to.not.equal(old);
      expect(net.host).to.equal(host);
      expect(host.sourceNames).to.deep.equal(['Printer']);
      await nextEvent(r, 'stateChanged', { ...WAIT, where: (s) => s === 'valid' });
      printer.inkLevel = 3;
      expect(await waitFor(r, 'inkLevel', 3, WAIT)).to.equal(3);
    });

    it('restartHost(setup) lets the test remote fresh sources', async () => {
      const dyn = net.node.acquireDynamic('Printer');
      await waitFor(dyn, 'inkLevel', 100, WAIT);
      const fresh = new Printer();
      fresh.inkLevel = 55;
      await net.restartHost((host) => void host.enableRemoting(fresh));
      expect(await waitFor(dyn, 'inkLevel', 55, WAIT)).to.equal(55);
    });

    it('addNode: another node sees the same sources and is closed with the network', async () => {
      const other = await net.addNode();
      const dyn = other.acquireDynamic('Printer');
      printer.inkLevel = 9;
      expect(await waitFor(dyn, 'inkLevel', 9, WAIT)).to.equal(9);
    });
  });
}

async function waitForLog(net: TestNetwork, re: RegExp): Promise<void> {
  const deadline = Date.now() + 3000;
  // The log has no event; each check follows one more turn of the event loop (not a sleep).
  while (!net.log.some((l) => re.test(l.message))) {
    if (Date.now() > deadline) throw new Error(`no log line matches ${re}: ${net.log.map((l) => l.message).join('; ')}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('TestNetwork lifetimes and log', () => {
  for (const transport of ['memory', 'tcp', 'local'] as const) {
    it(`${transport}: after close() the process has nothing open and exits by itself`, async function () {
      this.timeout(15_000);
      const { code, signal, stdout, stderr } = await runNode([CHILD, transport], { killAfterMs: 10_000 });
      expect(signal, `killed: the child did not exit within 10 s; ${stdout} ${stderr}`).to.equal(null);
      expect(code, stderr).to.equal(0);
      expect(JSON.parse(stdout), 'resources still open after close()').to.deep.equal([]);
    });
  }

  it('records what tsro logs instead of printing it, and close() fails on an error-level line', async () => {
    const net = await TestNetwork.create();
    net.host.enableRemoting(new Printer());
    const r = net.node.acquire(Printer);
    expect(await r.waitForSource(3000)).to.equal(true);
    r.on('inkLevelChanged', () => {
      throw new Error('a listener bug');
    });
    r.inkLevel = 5;
    await waitFor(r, 'inkLevel', 5, WAIT);
    expect(net.log.map((l) => [l.from, l.level, l.message])).to.deep.include(['node', 'error', 'a listener of "inkLevelChanged" threw']);
    const err = await rejectionOf(net.close());
    expect(err.name).to.equal('AssertionError');
    expect(err.message).to.contain('tsro logged 1 error(s) during the test: [node] a listener of "inkLevelChanged" threw (Error: a listener bug)');
  });

  it('allowLoggedErrors lets close() succeed anyway', async () => {
    const net = await TestNetwork.create({ allowLoggedErrors: true });
    net.host.enableRemoting(new Printer());
    const dyn = net.node.acquireDynamic('Printer');
    dyn.on('initialized', () => {
      throw new Error('boom');
    });
    await nextEvent(dyn, 'initialized', WAIT);
    await net.close();
    expect(net.log.filter((l) => l.level === 'error')).to.have.length(1);
  });

  it('a closed network refuses connections with CONNECT_FAILED; close() is idempotent', async () => {
    const net = await TestNetwork.create();
    const url = net.url;
    await net.close();
    await net.close();
    const node = new Node({ logger: { warn() {}, error() {} } });
    try {
      const err = await rejectionOf(node.connectToNode(url));
      expect(err).to.be.instanceOf(TsroError);
      expectTsro(err, 'CONNECT_FAILED');
    } finally {
      await node.close();
    }
  });

  it('refuses an unknown transport with TYPE_MISMATCH', async () => {
    const err = await rejectionOf(TestNetwork.create({ transport: 'udp' as never }));
    expectTsro(err, 'TYPE_MISMATCH');
    expect(err.message).to.contain("unknown transport 'udp'");
  });

  it('supports await using', async () => {
    let url: string;
    {
      await using net = await TestNetwork.create();
      url = net.url;
      expect(net.node).to.exist;
    }
    const node = new Node({ logger: { warn() {}, error() {} } });
    try {
      expectTsro(await rejectionOf(node.connectToNode(url)), 'CONNECT_FAILED');
    } finally {
      await node.close();
    }
  });
});
