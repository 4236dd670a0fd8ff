// Finding 5: `await node.close()` did not wait for FilePersistedStore saves: a node opened right
// after started from stale values (10 of 10 trials), and process.exit(0) right after close lost
// the value every time. close() (node and host) now resolves once the saves are durable.

import { expect } from 'chai';
import { fork } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Host, Node } from '../../src/index';
import { apiOf } from '../../src/api/metadata';
import { FilePersistedStore } from '../../src/persistence/file-persisted-store';
import { WAIT_MS, World } from '../support/e2e';
import { within } from '../support/fixtures';
import { Dial } from '../support/dial';

describe('hardening: close() resolves once persisted values are durable', function () {
  this.timeout(60_000);

  let w: World;
  let dir: string;
  beforeEach(() => {
    w = new World();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsro-persist-close-'));
  });
  afterEach(async () => {
    await w.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function seen(node: Node, level: number): Promise<void> {
    const dial = node.acquire(Dial);
    await within(
      new Promise<void>((resolve) => {
        const check = (): void => {
          if (dial.isReplicaValid() && dial.level === level) resolve();
        };
        dial.on('levelChanged', check);
        dial.on('initialized', check);
        check();
      }),
      WAIT_MS,
      `the replica to show ${level}`,
    );
  }

  it('a new Node opened right after close() starts from the last value (10 trials)', async () => {
    const host = await w.host();
    const dial = new Dial();
    host.enableRemoting(dial);
    const file = path.join(dir, 'state.bin');
    for (let trial = 1; trial <= 10; trial++) {
      dial.level = trial * 11;
      const node = new Node({ logger: w.nodeLog, persistedStore: new FilePersistedStore(file), reconnect: false });
      await node.connectToNode(host.hostUrl);
      await seen(node, trial * 11);
      await node.close();
      const next = new Node({ logger: w.nodeLog, persistedStore: new FilePersistedStore(file), reconnect: false });
      w.defer(() => next.close());
      const r = next.acquire(Dial);
      expect(r.state, 'before any connection').to.equal('default');
      expect(r.level, `trial ${trial}`).to.equal(trial * 11);
    }
  });

  it('a host\'s own replicas too: host.close() waits for the saves', async () => {
    const file = path.join(dir, 'host.bin');
    const host = new Host('tcp://127.0.0.1:0', { logger: w.hostLog, persistedStore: new FilePersistedStore(file) });
    await host.listening;
    const dial = new Dial();
    host.enableRemoting(dial);
    dial.level = 77;
    await seen(host, 77);
    await host.close();
    expect(new FilePersistedStore(file).restore('Dial', apiOf(Dial).signature)).to.deep.equal([77]);
  });

  it('process.exit(0) right after close() keeps the value', async () => {
    const host = await w.host();
    const dial = new Dial();
    host.enableRemoting(dial);
    dial.level = 4242;
    const file = path.join(dir, 'child.bin');
    const child = fork(path.join(__dirname, '../support/persist-close-child.js'), [host.hostUrl, file, '4242'], { stdio: 'inherit' });
    const code = await within(new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c))), 20_000, 'the child to exit');
    expect(code).to.equal(0);
    expect(new FilePersistedStore(file).restore('Dial', apiOf(Dial).signature)).to.deep.equal([4242]);
  });
});
