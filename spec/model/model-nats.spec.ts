// Models over nats:// (a real nats-server on loopback): a model's rows and deltas are per node
// (each node's cache decides what it is sent), so they travel on the node's own NATS link, never
// on a source's shared stream; everything else works as over a socket.

import { expect } from 'chai';
import { Host, ListModel, Node, silentLogger } from '../../src/index';
import { until } from '../support/fixtures';
import { nextEvent } from './next-event';
import { NatsServer } from '../support/nats-server';

describe('models over nats://', function () {
  this.timeout(20_000);
  let server: NatsServer;
  let host: Host;
  let nodes: Node[];
  let model: ListModel<string>;

  before(async () => {
    server = await NatsServer.start();
  });
  after(async () => {
    await server?.stop();
  });
  beforeEach(async () => {
    host = new Host(`${server.url}/models${process.pid}`, { logger: silentLogger });
    await host.listening;
    model = new ListModel<string>('string');
    model.push('a', 'b', 'c');
    host.enableRemoting(model, 'NatsRows');
    nodes = [];
  });
  afterEach(async () => {
    for (const n of nodes) await n.close();
    await host.close();
  });

  it('fetches rows, follows changes of the rows it holds, and forwards sets', async () => {
    const holders = [];
    for (let k = 0; k < 2; k++) {
      const node = new Node({ logger: silentLogger });
      nodes.push(node);
      await node.connectToNode(server.url);
      const m = node.acquireModel<string>('NatsRows', { prefetch: 3 });
      expect(await m.waitForSource(5000)).to.equal(true);
      await until(m, 'rowsChanged', () => m.cachedRowCount === 3, 5000);
      holders.push(m);
    }
    const [a, b] = holders;
    const changed = nextEvent(b!, 'rowsChanged', 5000);
    model.set(1, 'B');
    expect(await changed).to.deep.equal([1, 1]);
    expect(b!.row(1)).to.equal('B');
    const inserted = nextEvent(a!, 'rowsInserted', 5000);
    model.push('d');
    expect(await inserted).to.deep.equal([3, 1]);
    expect(a!.row(3)).to.equal('d');
    // b hears of the change on its own link: not ordered with a's reply.
    const seen = nextEvent(b!, 'rowsChanged', 5000);
    await a!.set(0, 'A');
    expect(model.at(0)).to.equal('A');
    await seen;
    expect(await b!.fetch(0, 4)).to.deep.equal(['A', 'B', 'c', 'd']);
  });
});
