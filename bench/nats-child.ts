// A receiving process of the NATS scenario: holds `replicas` replicas of the bench's Bench source,
// each in a Node of its own (as separate applications would), at a given URL: over NATS or a
// direct tcp:// connection. When every replica has seen the value it was armed with, it sends
// the bench "done" with the total count received.
//
// Commands (see ipc.ts): connect {url, replicas} ; arm {last} ; disconnect ; ping ; exit.

import { Node, type Replica } from '../src/index';
import { BenchSource } from './bench-api';
import { sendToBench, serveBench } from './ipc';

let nodes: Node[] = [];
let replicas: Replica<BenchSource>[] = [];
let count = 0;
let last = NaN;
let waiting = 0;

async function disconnect(): Promise<void> {
  for (const r of replicas) r.release();
  replicas = [];
  const closing = nodes;
  nodes = [];
  await Promise.all(closing.map((n) => n.close()));
}

serveBench(
  {
    async connect(m) {
      const url = m.url as string;
      const n = m.replicas as number;
      for (let i = 0; i < n; i++) {
        const node = new Node();
        nodes.push(node);
        await node.connectToNode(url);
        const replica = node.acquire(BenchSource);
        if (!(await replica.waitForSource(20_000))) throw new Error(`replica of Bench at ${url} did not become valid`);
        replica.on('valueChanged', (v: number) => {
          count++;
          if (v === last && --waiting === 0) sendToBench({ event: 'done', count });
        });
        replicas.push(replica);
      }
    },
    arm(m) {
      count = 0;
      last = m.last as number;
      waiting = replicas.length;
    },
    async disconnect() {
      await disconnect();
    },
    ping() {},
  },
  disconnect,
);
