// Persisted properties: a typed replica remembers the values it last saw in its node's store and
// starts from them, in state `default`, before any connection (also after a process restart,
// with the file store).

import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FilePersistedStore, Host, MemoryPersistedStore, Node, Property, RemoteObjectType } from '../../src/index';
import { TCP_ANY, recordingLogger } from '../support/fixtures';
import { waitFor } from '../../src/testing';

@RemoteObjectType('Thermostat')
class Thermostat {
  @Property({ persisted: true }) target = 20;
  @Property({ persisted: true, type: 'int64' }) cycles = 0n;
  @Property() current = 0;
}

@RemoteObjectType('Thermostat')
class ThermostatV2 {
  @Property({ persisted: true }) target = 20;
  @Property({ persisted: true, type: 'int64' }) cycles = 0n;
  @Property() current = 0;
  @Property() mode = 'auto';
}

describe('persisted properties', () => {
  const open: { close(): Promise<void> }[] = [];
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsro-persist-'));
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((o) => o.close()));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function seen(store: MemoryPersistedStore | FilePersistedStore): Promise<void> {
    const logger = recordingLogger();
    const host = new Host(TCP_ANY, { logger });
    open.push(host);
    await host.listening;
    const source = new Thermostat();
    source.target = 23.5;
    source.cycles = 12n;
    source.current = 19;
    host.enableRemoting(source);
    const node = new Node({ logger, persistedStore: store });
    open.push(node);
    await node.connectToNode(host.hostUrl);
    const r = node.acquire(Thermostat);
    expect(await r.waitForSource(2000)).to.equal(true);
    source.cycles = 13n;
    await waitFor(r, 'cycles', 13n);
    await node.close();
    await host.close();
  }

  it('starts a new replica from the values the node last saw', async () => {
    const store = new MemoryPersistedStore();
    await seen(store);
    const node = new Node({ logger: recordingLogger(), persistedStore: store });
    open.push(node);
    const r = node.acquire(Thermostat);
    expect(r.state).to.equal('default');
    expect(r.target).to.equal(23.5);
    expect(r.cycles).to.equal(13n);
    expect(r.current, 'not persisted: the class default').to.equal(0);
  });

  it('survives a restart through the file store', async () => {
    const file = path.join(dir, 'replicas.bin');
    const store = new FilePersistedStore(file);
    await seen(store);
    await store.close();
    const reopened = new FilePersistedStore(file);
    open.push(reopened);
    const node = new Node({ logger: recordingLogger(), persistedStore: reopened });
    open.push(node);
    const r = node.acquire(Thermostat);
    expect(r.state).to.equal('default');
    expect([r.target, r.cycles]).to.deep.equal([23.5, 13n]);
  });

  it('does not restore values saved under another API signature', async () => {
    const store = new MemoryPersistedStore();
    await seen(store);
    const node = new Node({ logger: recordingLogger(), persistedStore: store });
    open.push(node);
    const r = node.acquire(ThermostatV2);
    expect([r.target, r.cycles]).to.deep.equal([20, 0n]);
  });
});
