// Scale 3: 10 000 sources on one host (in the bench process), and the same sources registered
// with one registry (a RegistryHost in a child process). Measured:
//
// - host memory per source (heapUsed + external after GC over enabling them, / sources); raw:
//   a plain record per source in a Map (what any directory of them holds at least);
// - the bytes a node receives until connectToNode resolves (through a counting proxy), and the
//   connect time; raw: a bare socket's connect;
// - acquire -> valid of one source among them on a connected node; raw: a subscribe request
//   answered with the current value; the time to list them all (node.listSources());
// - the registry: time until all are registered (seen by a node following the registry), the
//   registry's memory per source, and acquire -> valid of one through the registry by a fresh
//   node (registry connect and init, host connect, acquire).

import { Host, Node } from '../../src/index';
import { BenchSource } from '../bench-api';
import { goal } from '../goals';
import { BenchChild } from '../ipc';
import { OP_SUBSCRIBE, rawConnect, rawListen, rawRequest, serveRaw } from '../raw-baseline';
import type { MetricResult, Scenario, ScenarioContext } from '../scenario';
import { countingProxy, quiet } from '../scenarios/wire-bytes';
import { median, nowMs } from '../stats';
import { measureMemory, withTimeout } from '../util';

interface Sample {
  memoryPerSource: number;
  connectBytes: number;
  connectMs: number;
  acquireMs: number;
}

async function timedAcquire(node: Node, name: string): Promise<number> {
  const t0 = nowMs();
  const r = node.acquire(BenchSource, name);
  const ok = await r.waitForSource(60_000);
  const ms = nowMs() - t0;
  if (!ok) throw new Error(`replica of ${name} did not become valid`);
  r.release();
  return ms;
}

export const scaleSources: Scenario = {
  name: 'scale-sources',
  title: 'scale: 10 000 sources on one host and one registry',
  async run(ctx: ScenarioContext): Promise<MetricResult[]> {
    if (ctx.transport !== 'tcp') return [];
    const count = ctx.quick ? 1200 : 10_000; // quick: still past the node's list limit (1000)
    const reps = ctx.quick ? 3 : 15;
    const tsro: Sample[] = [];
    const raw: Sample[] = [];
    const listMs: number[] = [];
    const registry = { registerMs: [] as number[], memoryPerSource: [] as number[], acquireMs: [] as number[], nextAcquireMs: [] as number[] };
    const pick = (i: number): number => (i * 7919 + 4711) % count;
    for (let run = 0; run < ctx.runs; run++) {
      // One host, `count` sources.
      {
        const host = new Host('tcp://127.0.0.1:0');
        const sources: BenchSource[] = [];
        try {
          await host.listening;
          const before = await measureMemory();
          for (let i = 0; i < count; i++) {
            const s = new BenchSource();
            s.value = i;
            sources.push(s);
            if (!host.enableRemoting(s, `Bench-${i}`)) throw new Error(`enableRemoting Bench-${i} failed`);
          }
          const after = await measureMemory();
          const proxy = await countingProxy('tcp', host.hostUrl);
          let connectBytes: number;
          try {
            const viaProxy = new Node({ reconnect: false });
            await viaProxy.connectToNode(proxy.url);
            connectBytes = proxy.bytes().down.length;
            await viaProxy.close();
            await quiet(proxy);
          } finally {
            await proxy.close();
          }
          const connects: number[] = [];
          const acquires: number[] = [];
          for (let i = 0; i < reps; i++) {
            const node = new Node({ reconnect: false });
            try {
              const t0 = nowMs();
              await node.connectToNode(host.hostUrl);
              connects.push(nowMs() - t0);
              acquires.push(await timedAcquire(node, `Bench-${pick(i)}`));
            } finally {
              await node.close();
            }
          }
          // The whole list, on request (page by page from a host with more than the node's limit).
          const lister = new Node({ reconnect: false });
          try {
            await lister.connectToNode(host.hostUrl);
            const t0 = nowMs();
            const all = await lister.listSources();
            listMs.push(nowMs() - t0);
            if (all.length !== count) throw new Error(`listSources gave ${all.length} of ${count} sources`);
          } finally {
            await lister.close();
          }
          tsro.push({ memoryPerSource: (after.bytes - before.bytes) / count, connectBytes, connectMs: median(connects), acquireMs: median(acquires) });
        } finally {
          await host.close();
        }
      }
      // The raw floor: records in a Map, a bare connect, a subscribe request.
      {
        const before = await measureMemory();
        const records = new Map<string, { id: number; name: string; typeName: string; signature: string; value: number }>();
        for (let i = 0; i < count; i++) records.set(`Bench-${i}`, { id: i + 1, name: `Bench-${i}`, typeName: 'Bench', signature: 'f'.repeat(64), value: i });
        const after = await measureMemory();
        if (records.size !== count) throw new Error('raw records');
        const server = await rawListen('tcp://127.0.0.1:0', (conn) => serveRaw(conn, { currentValue: (id) => records.get(`Bench-${id}`)?.value ?? -1 }));
        const connects: number[] = [];
        const acquires: number[] = [];
        try {
          for (let i = 0; i < reps; i++) {
            const t0 = nowMs();
            const conn = await rawConnect(server.url);
            connects.push(nowMs() - t0);
            const t1 = nowMs();
            const id = pick(i);
            const body = await rawRequest(conn, Buffer.from([OP_SUBSCRIBE, id & 0xff, (id >> 8) & 0xff, 0, 0]));
            if (body.readInt32LE(4) !== id) throw new Error('raw subscribe answered a wrong value');
            acquires.push(nowMs() - t1);
            await conn.close();
          }
        } finally {
          await server.close();
        }
        raw.push({ memoryPerSource: (after.bytes - before.bytes) / count, connectBytes: 0, connectMs: median(connects), acquireMs: median(acquires) });
      }
      // The same sources registered with one registry.
      {
        const child = await BenchChild.fork(ctx.script('server-child'), 'registry-child');
        const host = new Host('tcp://127.0.0.1:0');
        const watcher = new Node();
        try {
          const { tsroUrl: registryUrl } = (await child.request('start', { transport: 'tcp', sources: 'registry' })) as { tsroUrl: string };
          const before = (await child.request('mem')).bytes as number;
          await host.listening;
          watcher.setRegistryUrl(registryUrl);
          if (!(await watcher.waitForRegistry(30_000))) throw new Error('registry did not become valid');
          const all = new Promise<void>((resolve) => {
            const check = (): void => {
              if (watcher.registry!.sourceLocations.size >= count) resolve();
            };
            watcher.registry!.on('sourceLocationsChanged', check);
            check();
          });
          const t0 = nowMs();
          host.setRegistryUrl(registryUrl);
          const sources: BenchSource[] = [];
          for (let i = 0; i < count; i++) {
            const s = new BenchSource();
            s.value = i;
            sources.push(s);
            host.enableRemoting(s, `Bench-${i}`);
          }
          await withTimeout(all, 600_000, `the registry to list ${count} sources`);
          registry.registerMs.push(nowMs() - t0);
          registry.memoryPerSource.push((((await child.request('mem')).bytes as number) - before) / count);
          const acquires: number[] = [];
          const next: number[] = [];
          for (let i = 0; i < Math.min(reps, 5); i++) {
            const node = new Node({ registryUrl });
            try {
              acquires.push(await timedAcquire(node, `Bench-${pick(i)}`));
              next.push(await timedAcquire(node, `Bench-${pick(i + 100)}`));
            } finally {
              await node.close();
            }
          }
          registry.acquireMs.push(median(acquires));
          registry.nextAcquireMs.push(median(next));
        } finally {
          await watcher.close();
          await host.close();
          await child.close();
        }
      }
      const t = tsro.at(-1)!;
      ctx.log(
        `scale-sources ${count} run ${run + 1}: ${t.memoryPerSource.toFixed(0)} B/source, connect ${t.connectBytes} B in ${t.connectMs.toFixed(2)} ms, acquire ${t.acquireMs.toFixed(2)} ms; ` +
          `registry: all registered in ${registry.registerMs.at(-1)!.toFixed(0)} ms, ${registry.memoryPerSource.at(-1)!.toFixed(0)} B/source, acquire ${registry.acquireMs.at(-1)!.toFixed(1)} ms`,
      );
    }
    const common = { scenario: 'scale-sources', transport: ctx.transport };
    const held = (id: string): { target?: ReturnType<typeof goal> } => (ctx.quick ? {} : { target: goal(id) });
    return [
      {
        ...common,
        metric: `host memory per source, ${count}`,
        unit: 'bytes',
        better: 'lower',
        tsro: tsro.map((s) => s.memoryPerSource),
        raw: raw.map((s) => s.memoryPerSource),
        ...held('scale-sources-memory'),
        notes: [`${count} BenchSources on one host in the bench process; per run the median of ${reps} fresh nodes; raw: a Map of plain records, a bare connect, a subscribe request`],
      },
      { ...common, metric: `bytes received until connected, ${count} sources`, unit: 'bytes', better: 'lower', tsro: tsro.map((s) => s.connectBytes), ...held('scale-sources-connect') },
      { ...common, metric: `connect, ${count} sources`, unit: 'ms', better: 'lower', tsro: tsro.map((s) => s.connectMs), raw: raw.map((s) => s.connectMs) },
      { ...common, metric: `acquire one of ${count}`, unit: 'ms', better: 'lower', tsro: tsro.map((s) => s.acquireMs), raw: raw.map((s) => s.acquireMs), ...held('scale-sources-acquire') },
      { ...common, metric: `list all ${count} (node.listSources())`, unit: 'ms', better: 'lower', tsro: listMs },
      { ...common, metric: `registry: all ${count} registered`, unit: 'ms', better: 'lower', tsro: registry.registerMs },
      { ...common, metric: `registry memory per source, ${count}`, unit: 'bytes', better: 'lower', tsro: registry.memoryPerSource },
      { ...common, metric: `acquire one of ${count} through the registry, fresh node`, unit: 'ms', better: 'lower', tsro: registry.acquireMs },
      { ...common, metric: `acquire another through the registry`, unit: 'ms', better: 'lower', tsro: registry.nextAcquireMs },
    ];
  },
};
