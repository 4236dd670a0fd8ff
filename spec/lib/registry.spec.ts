// The registry: hosts publish their sources to a RegistryHost, nodes find them there and connect
// by themselves. In-process first, then with registry, hosts and client in separate processes
// that are killed and restarted.

import { expect } from 'chai';
import type { ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { Host, Node, RegistryHost, type RemoteObjectLocation } from '../../src/index';
import { recordingLogger, TCP_ANY, transports, within, trackClosing } from '../support/fixtures';
import { Printer } from '../support/printer';
import { exited, startChildHost, type ChildHost } from '../support/child-hosts';
import { nextEvent, waitFor, waitForState } from '../../src/testing';


const FAST = { reconnect: { initialDelay: 20, maxDelay: 200 } } as const;

describe('registry (in-process)', () => {
  const track = trackClosing();

  it('lets a node acquire a source knowing only the registry, and lists it', async () => {
    const logger = recordingLogger();
    const registry = track(new RegistryHost(TCP_ANY, { logger }));
    await registry.listening;
    const host = track(new Host(TCP_ANY, { logger, registryUrl: registry.hostUrl }));
    await host.listening;
    const printer = new Printer();
    printer.inkLevel = 33;
    host.enableRemoting(printer);

    const node = track(new Node({ logger, registryUrl: registry.hostUrl }));
    expect(await node.waitForRegistry(2000)).to.equal(true);
    const r = node.acquire(Printer);
    expect(await r.waitForSource(2000)).to.equal(true);
    expect(r.inkLevel).to.equal(33);
    expect(node.instances('Printer')).to.deep.equal(['Printer']);
    const where = node.registry!.sourceLocations.get('Printer');
    expect(where).to.deep.include({ typeName: 'Printer', hostUrl: host.hostUrl });
    expect(node.knownSources().map((s) => s.name)).to.include('Printer');
  });

  it('picks up sources that appear later, and reports added and removed', async () => {
    const logger = recordingLogger();
    const registry = track(new RegistryHost(TCP_ANY, { logger }));
    await registry.listening;
    const node = track(new Node({ logger, registryUrl: registry.hostUrl }));
    expect(await node.waitForRegistry(2000)).to.equal(true);
    const r = node.acquire(Printer, 'LatePrinter');
    expect(r.state).to.equal('default');

    const host = track(new Host(TCP_ANY, { logger, registryUrl: registry.hostUrl }));
    await host.listening;
    const added = nextEvent<[RemoteObjectLocation]>(node, 'remoteObjectAdded');
    const printer = new Printer();
    host.enableRemoting(printer, 'LatePrinter');
    expect((await added)[0]).to.deep.equal({ name: 'LatePrinter', typeName: 'Printer', url: host.hostUrl });
    expect(await r.waitForSource(2000)).to.equal(true);

    const removed = nextEvent<[RemoteObjectLocation]>(node, 'remoteObjectRemoved');
    host.disableRemoting(printer);
    expect((await removed)[0].name).to.equal('LatePrinter');
    await waitForState(r, 'suspect');
    expect(node.instances('Printer')).to.deep.equal([]);
  });

  it('withdraws a host\'s sources when its connection drops', async () => {
    const logger = recordingLogger();
    const registry = track(new RegistryHost(TCP_ANY, { logger }));
    await registry.listening;
    const host = new Host(TCP_ANY, { logger, registryUrl: registry.hostUrl });
    await host.listening;
    host.enableRemoting(new Printer());
    const node = track(new Node({ logger, registryUrl: registry.hostUrl }));
    await node.waitForRegistry(2000);
    await waitFor(node.registry!, 'sourceLocations', (l) => l.has('Printer'));
    const removed = nextEvent<[RemoteObjectLocation]>(node, 'remoteObjectRemoved');
    await host.close();
    expect((await removed)[0]).to.deep.include({ name: 'Printer', url: host.hostUrl });
  });

  it('keeps the first of two hosts offering one name, warns the second, and promotes it when the first goes', async () => {
    const logger = recordingLogger();
    const registry = track(new RegistryHost(TCP_ANY, { logger }));
    await registry.listening;
    const first = new Host(TCP_ANY, { logger, registryUrl: registry.hostUrl });
    await first.listening;
    const a = new Printer();
    a.inkLevel = 1;
    first.enableRemoting(a);
    const node = track(new Node({ logger, registryUrl: registry.hostUrl }));
    const r = node.acquire(Printer);
    expect(await r.waitForSource(2000)).to.equal(true);

    const secondLogger = recordingLogger();
    const second = track(new Host(TCP_ANY, { logger: secondLogger, registryUrl: registry.hostUrl }));
    await second.listening;
    const b = new Printer();
    b.inkLevel = 2;
    second.enableRemoting(b);
    const warning = await secondLogger.waitFor(/already registered by/);
    expect(warning.message).to.include(first.hostUrl);
    expect(node.registry!.sourceLocations.get('Printer')!.hostUrl).to.equal(first.hostUrl);
    expect(r.inkLevel).to.equal(1);

    const moved = nextEvent<[RemoteObjectLocation]>(node, 'remoteObjectAdded');
    await first.close();
    expect((await moved)[0].url).to.equal(second.hostUrl);
    await waitFor(r, 'inkLevel', 2, { timeout: 5000 });
  });

  it('refuses a second setRegistryUrl and answers waitForRegistry false without one', async () => {
    const logger = recordingLogger();
    const node = track(new Node({ logger }));
    expect(await node.waitForRegistry(10)).to.equal(false);
    expect(node.setRegistryUrl('tcp://127.0.0.1:1')).to.equal(true);
    expect(node.setRegistryUrl('tcp://127.0.0.1:2')).to.equal(false);
    expect(() => node.setRegistryUrl('nope')).to.throw().with.property('code', 'URL_INVALID');
  });
});

for (const t of transports()) {
  describe(`registry across processes (${t.name})`, function () {
    this.timeout(30_000);
    const children: ChildProcess[] = [];
    const nodes: Node[] = [];
    afterEach(async () => {
      await Promise.all(nodes.splice(0).map((n) => n.close()));
      for (const c of children.splice(0)) {
        c.kill('SIGKILL');
        await exited(c);
      }
    });
    async function child(args: string[]): Promise<ChildHost> {
      const c = await startChildHost(args);
      children.push(c.process);
      return c;
    }

    it('follows a registry and hosts that are killed and restarted', async () => {
      const registry = await child([t.url(), '0', '', '', 'registry']);
      const hostA = await child([t.url(), '10', registry.url, 'A']);
      const hostB = await child([t.url(), '20', registry.url, 'B']);
      const node = new Node({ logger: recordingLogger(), ...FAST });
      nodes.push(node);
      node.setRegistryUrl(registry.url);
      const a = node.acquire(Printer, 'A');
      const b = node.acquire(Printer, 'B');
      expect(await a.waitForSource(5000)).to.equal(true);
      expect(await b.waitForSource(5000)).to.equal(true);
      expect([a.inkLevel, b.inkLevel]).to.deep.equal([10, 20]);

      // The registry dies: replicas of A and B keep working (their hosts are up).
      registry.process.kill('SIGKILL');
      await waitForState(node.registry!, 'suspect', { timeout: 5000 });
      expect(await a.add(1, 2)).to.equal(3);
      await exited(registry.process);

      // It comes back on the same URL: hosts re-publish, the directory is whole again.
      await child([registry.url, '0', '', '', 'registry']);
      await waitForState(node.registry!, 'valid', { timeout: 10_000 });
      await waitFor(node.registry!, 'sourceLocations', (l) => l.size === 2, { timeout: 10_000 });
      expect(node.instances('Printer')).to.deep.equal(['A', 'B']);

      // Host A dies: the registry withdraws it, the replica turns suspect.
      const removed = nextEvent<[RemoteObjectLocation]>(node, 'remoteObjectRemoved', { timeout: 5000 });
      hostA.process.kill('SIGKILL');
      expect((await removed)[0].name).to.equal('A');
      await waitForState(a, 'suspect', { timeout: 5000 });
      await exited(hostA.process);

      // A restarted A (new values) is picked up by the existing replica.
      const changed = nextEvent(a, 'inkLevelChanged', { timeout: 10_000 });
      await child([hostA.url, '11', registry.url, 'A']);
      expect(await changed).to.deep.equal([11]);
      expect(a.state).to.equal('valid');
      expect(b.inkLevel).to.equal(20);
      void hostB;
    });
  });
}
