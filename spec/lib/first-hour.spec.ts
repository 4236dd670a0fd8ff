// Mistakes of a user's first hour that used to fail in silence: a typo in a source name (a
// replica that waits out its whole timeout), and remoting on a host that never listened.

import * as net from 'node:net';
import { expect } from 'chai';
import { Host, RegistryHost } from '../../src/index';
import { editDistance, closestNames, didYouMean } from '../../src/util/closest-names';
import { Printer } from '../support/printer';
import { recordingLogger } from '../support/fixtures';
import { World, WAIT_MS } from '../support/e2e';

describe('closest names', () => {
  it('counts insertions, deletions, substitutions and swaps of neighbours as one edit each', () => {
    expect(editDistance('Thermostat', 'Thermostat')).to.equal(0);
    expect(editDistance('Thermstat', 'Thermostat')).to.equal(1);
    expect(editDistance('Thremostat', 'Thermostat')).to.equal(1);
    expect(editDistance('Thermostad', 'Thermostat')).to.equal(1);
    expect(editDistance('', 'abc')).to.equal(3);
  });

  it('offers only names within a third of the length, closest first, case-insensitively', () => {
    expect(closestNames('Thermstat', ['Printer', 'Thermostat', 'thermostats', 'Hygrometer'])).to.deep.equal(['Thermostat', 'thermostats']);
    expect(closestNames('printer', ['Printer'])).to.deep.equal(['Printer']);
    expect(closestNames('Zzz', ['Printer'])).to.deep.equal([]);
    expect(didYouMean('Printr', ['Printer', 'Pointer'])).to.equal(' Did you mean "Printer" or "Pointer"?');
    expect(didYouMean('Q', ['Printer'])).to.equal('');
  });
});

describe('a replica of a name no host offers', () => {
  let w: World;
  afterEach(() => w.close());

  it('logs a warning at once naming the closest known sources, when the source lists are in', async () => {
    w = new World();
    const host = await w.host();
    expect(host.enableRemoting(new Printer())).to.equal(true);
    const node = await w.connectedNode(host);
    const typo = node.acquireDynamic('Printr');
    const line = w.nodeLog.lines.find((l) => l.message.includes('"Printr"'));
    expect(line, 'no warning logged synchronously by acquireDynamic').to.not.equal(undefined);
    expect(line!.message).to.equal('a replica of "Printr" waits for a source that no connected host offers (yet). Did you mean "Printer"?');
    expect(typo.state).to.equal('uninitialized');

    // Once per name; and never for a name that is offered.
    node.acquireDynamic('Printr');
    node.acquire(Printer);
    expect(w.nodeLog.lines.filter((l) => l.message.includes('waits for a source'))).to.have.length(1);
  });

  it('before the source lists are known: says so when they arrive', async () => {
    w = new World();
    const host = await w.host();
    expect(host.enableRemoting(new Printer())).to.equal(true);
    const node = w.node();
    node.acquireDynamic('Prnter');
    expect(w.nodeLog.lines).to.deep.equal([]);
    await node.connectToNode(host.hostUrl);
    const line = await w.nodeLog.waitFor(/"Prnter"/, WAIT_MS);
    expect(line.message).to.contain('Did you mean "Printer"?');
  });

  it('counts the registry in; says nothing about a name close to none (a source yet to come)', async () => {
    w = new World();
    const registry = new RegistryHost('tcp://127.0.0.1:0', { logger: recordingLogger() });
    w.defer(() => registry.close());
    await registry.listening;
    const host = await w.host(undefined, { registryUrl: registry.hostUrl });
    expect(host.enableRemoting(new Printer())).to.equal(true);
    const node = w.node({ registryUrl: registry.hostUrl });
    expect(await node.waitForRegistry(WAIT_MS)).to.equal(true);
    await new Promise<void>((resolve) => {
      if (node.instances('Printer').length > 0) resolve();
      else node.on('remoteObjectAdded', () => resolve());
    });
    node.acquireDynamic('Scanner');
    node.acquireDynamic('Printre');
    const line = await w.nodeLog.waitFor(/"Printre"/, WAIT_MS);
    expect(line.message).to.equal('a replica of "Printre" waits for a source that no connected host or the registry offers (yet). Did you mean "Printer"?');
    expect(w.nodeLog.lines.filter((l) => l.message.includes('Scanner'))).to.deep.equal([]);
  });
});

describe('enableRemoting on a host that failed to listen', () => {
  it('returns false and says why', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    const log = recordingLogger();
    const host = new Host(`tcp://127.0.0.1:${port}`, { logger: log });
    try {
      let failed: unknown;
      await host.listening.catch((err: unknown) => (failed = err));
      expect(failed, 'listening should reject: the port is taken').to.not.equal(undefined);
      expect(host.enableRemoting(new Printer())).to.equal(false);
      const line = await log.waitFor(/not listening/);
      expect(line.message).to.contain('no node could reach the source');
    } finally {
      await host.close();
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  });
});
