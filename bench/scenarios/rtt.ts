// Scenario 1: slot round trip. Sequential awaited calls of `add(a: int32, b: int32): int32` on a
// host in another process; each call's latency on the bench's clock. Baseline: raw
// request/reply ping-pong with the same batching.

import { Node } from '../../src/index';
import { BenchSource } from '../bench-api';
import { BenchChild } from '../ipc';
import { RawRpcClient, rawConnect } from '../raw-baseline';
import { goal } from '../goals';
import type { MetricResult, Scenario, ScenarioContext } from '../scenario';
import { median, nowMs, percentile } from '../stats';

async function sequential(calls: number, add: (a: number, b: number) => Promise<number>): Promise<number[]> {
  const lat = new Array<number>(calls);
  for (let i = 0; i < calls; i++) {
    const t0 = nowMs();
    const v = await add(i, 1);
    lat[i] = (nowMs() - t0) * 1000;
    if (v !== i + 1) throw new Error(`add(${i}, 1) returned ${v}`);
  }
  return lat;
}

export const rtt: Scenario = {
  name: 'rtt',
  title: 'slot round trip',
  async run(ctx: ScenarioContext): Promise<MetricResult[]> {
    const calls = ctx.quick ? 50 : 3000;
    const warm = ctx.quick ? 10 : 1000;
    const child = await BenchChild.fork(ctx.script('server-child'), `server-child(${ctx.transport})`);
    const node = new Node();
    let rawRpc: RawRpcClient | undefined;
    try {
      const { tsroUrl, rawUrl } = (await child.request('start', { transport: ctx.transport, sources: 'bench' })) as {
        tsroUrl: string;
        rawUrl: string;
      };
      await node.connectToNode(tsroUrl);
      const r = node.acquire(BenchSource);
      if (!(await r.waitForSource(10_000))) throw new Error('replica did not become valid');
      rawRpc = new RawRpcClient(await rawConnect(rawUrl));
      const rpc = rawRpc;
      await sequential(warm, (a, b) => rpc.add(a, b));
      await sequential(warm, (a, b) => r.add(a, b));

      const tsroMedian: number[] = [];
      const tsroP99: number[] = [];
      const rawMedian: number[] = [];
      const rawP99: number[] = [];
      for (let run = 0; run < ctx.runs; run++) {
        const rawLat = await sequential(calls, (a, b) => rpc.add(a, b));
        const tsroLat = await sequential(calls, (a, b) => r.add(a, b));
        rawMedian.push(median(rawLat));
        rawP99.push(percentile(rawLat, 99));
        tsroMedian.push(median(tsroLat));
        tsroP99.push(percentile(tsroLat, 99));
        ctx.log(`rtt ${ctx.transport} run ${run + 1}: tsro ${median(tsroLat).toFixed(1)} µs, raw ${median(rawLat).toFixed(1)} µs`);
      }
      const common = { scenario: 'rtt', transport: ctx.transport, unit: 'µs', better: 'lower' as const };
      const notes = [`${calls} sequential awaited calls per run after ${warm} warm-up calls; host in a child process`];
      return [
        {
          ...common,
          metric: 'round trip, median',
          tsro: tsroMedian,
          raw: rawMedian,
          target: goal('rtt'),
          qtro: 114,
          notes,
        },
        { ...common, metric: 'round trip, p99', tsro: tsroP99, raw: rawP99 },
      ];
    } finally {
      await node.close();
      await rawRpc?.conn.close();
      await child.close();
    }
  },
};
