// Scenario 7: memory. From process.memoryUsage() (heapUsed + external, after global.gc()):
//
// - per idle replica: one Node connected to a host (another process) offering 1000 sources;
//   the difference before/after acquiring a typed replica of each (all valid), divided by 1000.
//   The host's side (per subscription) is read in the host process the same way.
// - per idle connection: 1000 Nodes, each connected to one host; the difference divided by 1000,
//   on the nodes' side and on the host's side.
//
// Baseline: per subscription, a raw subscribe request and, on the client, a plain record
// {id, value, listeners} in a Map (the host keeps {id, conn} per subscriber); per connection, a
// bare net socket with the baseline's reader and writer.

import { Node } from '../../src/index';
import { BenchSource } from '../bench-api';
import { BenchChild } from '../ipc';
import { OP_SUBSCRIBE, rawConnect, type RawConn } from '../raw-baseline';
import type { MetricResult, Scenario, ScenarioContext } from '../scenario';
import { measureMemory, sleep, withTimeout } from '../util';

type Urls = { tsroUrl: string; rawUrl: string };

async function childBytes(child: BenchChild): Promise<number> {
  return (await child.request('mem')).bytes as number;
}

async function inBatches<T>(count: number, batch: number, make: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < count; i += batch) {
    const n = Math.min(batch, count - i);
    out.push(...(await Promise.all(Array.from({ length: n }, (_, k) => make(i + k)))));
  }
  return out;
}

interface Pair {
  client: number;
  host: number;
}

async function tsroReplicas(child: BenchChild, urls: Urls, count: number): Promise<Pair> {
  const node = new Node();
  try {
    await node.connectToNode(urls.tsroUrl);
    const before = await measureMemory();
    const hostBefore = await childBytes(child);
    const replicas = [];
    for (let i = 0; i < count; i++) replicas.push(node.acquire(BenchSource, `Bench-${i}`));
    const valid = await Promise.all(replicas.map((r) => r.waitForSource(30_000)));
    if (!valid.every(Boolean)) throw new Error('not every replica became valid');
    const after = await measureMemory();
    const hostAfter = await childBytes(child);
    if (replicas[count - 1]!.value !== count - 1) throw new Error('replica value wrong');
    for (const r of replicas) r.release();
    return { client: (after.bytes - before.bytes) / count, host: (hostAfter - hostBefore) / count };
  } finally {
    await node.close();
  }
}

async function rawReplicas(child: BenchChild, urls: Urls, count: number): Promise<Pair> {
  const conn = await rawConnect(urls.rawUrl);
  try {
    const before = await measureMemory();
    const hostBefore = await childBytes(child);
    const records = new Map<number, { id: number; value: number; listeners: (() => void)[] }>();
    const waiting = new Map<number, () => void>();
    conn.onFrame = (buf, start) => {
      const id = buf.readUInt32LE(start);
      records.set(id, { id, value: buf.readInt32LE(start + 4), listeners: [] });
      waiting.get(id)?.();
      waiting.delete(id);
    };
    const replies = [];
    for (let id = 0; id < count; id++) {
      const at = conn.writer.begin(5);
      conn.writer.buf[at] = OP_SUBSCRIBE;
      conn.writer.buf.writeUInt32LE(id, at + 1);
      replies.push(new Promise<void>((resolve) => waiting.set(id, resolve)));
    }
    await withTimeout(Promise.all(replies), 30_000, 'raw subscriptions');
    const after = await measureMemory();
    const hostAfter = await childBytes(child);
    if (records.get(count - 1)?.value !== count - 1) throw new Error('raw record value wrong');
    return { client: (after.bytes - before.bytes) / count, host: (hostAfter - hostBefore) / count };
  } finally {
    await conn.close();
  }
}

async function tsroConnections(child: BenchChild, urls: Urls, count: number): Promise<Pair> {
  const before = await measureMemory();
  const hostBefore = await childBytes(child);
  const nodes = await inBatches(count, 50, async () => {
    const n = new Node();
    await n.connectToNode(urls.tsroUrl);
    return n;
  });
  try {
    const after = await measureMemory();
    const hostAfter = await childBytes(child);
    return { client: (after.bytes - before.bytes) / count, host: (hostAfter - hostBefore) / count };
  } finally {
    await Promise.all(nodes.map((n) => n.close()));
  }
}

async function rawConnections(child: BenchChild, urls: Urls, count: number): Promise<Pair> {
  const before = await measureMemory();
  const hostBefore = await childBytes(child);
  const conns: RawConn[] = await inBatches(count, 50, () => rawConnect(urls.rawUrl));
  try {
    await sleep(50); // let the host accept the last ones
    const after = await measureMemory();
    const hostAfter = await childBytes(child);
    return { client: (after.bytes - before.bytes) / count, host: (hostAfter - hostBefore) / count };
  } finally {
    await Promise.all(conns.map((c) => c.close()));
  }
}

export const memory: Scenario = {
  name: 'memory',
  title: 'memory per idle replica / connection',
  async run(ctx: ScenarioContext): Promise<MetricResult[]> {
    const count = ctx.quick ? 20 : 1000;
    const runs = Math.min(ctx.runs, 3);
    const child = await BenchChild.fork(ctx.script('server-child'), `server-child(${ctx.transport})`);
    try {
      const acc = {
        repTsro: [] as Pair[],
        repRaw: [] as Pair[],
        connTsro: [] as Pair[],
        connRaw: [] as Pair[],
      };
      let urls = (await child.request('start', { transport: ctx.transport, sources: 'many', count })) as Urls;
      // One unmeasured round first, so that code and lazily created structures exist already.
      if (!ctx.quick) {
        await tsroReplicas(child, urls, Math.min(count, 50));
        await rawReplicas(child, urls, Math.min(count, 50));
      }
      for (let run = 0; run < runs; run++) {
        urls = (await child.request('start', { transport: ctx.transport, sources: 'many', count })) as Urls;
        acc.repRaw.push(await rawReplicas(child, urls, count));
        acc.repTsro.push(await tsroReplicas(child, urls, count));
      }
      urls = (await child.request('start', { transport: ctx.transport, sources: 'bench' })) as Urls;
      if (!ctx.quick) {
        await tsroConnections(child, urls, Math.min(count, 50));
        await rawConnections(child, urls, Math.min(count, 50));
      }
      for (let run = 0; run < runs; run++) {
        acc.connRaw.push(await rawConnections(child, urls, count));
        acc.connTsro.push(await tsroConnections(child, urls, count));
      }
      ctx.log(`memory ${ctx.transport}: replica ${acc.repTsro.map((p) => p.client.toFixed(0)).join('/')} B, connection ${acc.connTsro.map((p) => p.client.toFixed(0)).join('/')} B`);
      await child.request('stop');
      const common = { scenario: 'memory', transport: ctx.transport, unit: 'bytes', better: 'lower' as const };
      const gcNote = (globalThis as { gc?: unknown }).gc ? 'after global.gc()' : 'WITHOUT gc (run with --expose-gc)';
      return [
        {
          ...common,
          metric: 'per idle replica, node side',
          tsro: acc.repTsro.map((p) => p.client),
          raw: acc.repRaw.map((p) => p.client),
          notes: [`${count} typed replicas of distinct sources on one connection; heapUsed + external, ${gcNote}; ${runs} runs`],
        },
        {
          ...common,
          metric: 'per idle replica, host side',
          tsro: acc.repTsro.map((p) => p.host),
          raw: acc.repRaw.map((p) => p.host),
        },
        {
          ...common,
          metric: 'per idle connection, node side',
          tsro: acc.connTsro.map((p) => p.client),
          raw: acc.connRaw.map((p) => p.client),
          notes: [`${count} Nodes (or raw sockets) connected to one host in another process`],
        },
        {
          ...common,
          metric: 'per idle connection, host side',
          tsro: acc.connTsro.map((p) => p.host),
          raw: acc.connRaw.map((p) => p.host),
        },
      ];
    } finally {
      await child.close();
    }
  },
};
