// Scenario: stream throughput. A stream slot yields n int32 items (an async generator in the
// host's process); the replica takes them with for-await; items per second from the call to the
// last item. Baselines in the same run: raw framed int32 items (256 a frame, no flow control, no
// generator) and tsro pipelined slot calls (the goal: a stream at least as fast as calls).

import { Node, type Replica } from '../../src/index';
import { BenchSource } from '../bench-api';
import { BenchChild } from '../ipc';
import { RawRpcClient, rawConnect, rawStream, type RawConn } from '../raw-baseline';
import type { MetricResult, Scenario, ScenarioContext } from '../scenario';
import { median, nowMs } from '../stats';
import { withTimeout } from '../util';
import { burst } from './pipelined';

async function tsroStream(r: Replica<BenchSource>, n: number): Promise<number> {
  const t0 = nowMs();
  let next = 0;
  await withTimeout(
    (async () => {
      for await (const x of r.count(n)) if (x !== next++) throw new Error(`stream item ${next - 1} was ${x}`);
    })(),
    120_000,
    `a stream of ${n} items`,
  );
  if (next !== n) throw new Error(`stream ended after ${next} of ${n} items`);
  return (n / (nowMs() - t0)) * 1000;
}

async function rawRate(conn: RawConn, n: number): Promise<number> {
  const t0 = nowMs();
  await withTimeout(rawStream(conn, n), 120_000, `a raw stream of ${n} items`);
  return (n / (nowMs() - t0)) * 1000;
}

export const streams: Scenario = {
  name: 'streams',
  title: 'stream slot throughput',
  async run(ctx: ScenarioContext): Promise<MetricResult[]> {
    const n = ctx.quick ? 2000 : 200_000;
    const child = await BenchChild.fork(ctx.script('server-child'), `server-child(${ctx.transport})`);
    const node = new Node();
    let raw: RawConn | undefined;
    let rpcConn: RawConn | undefined;
    try {
      const { tsroUrl, rawUrl } = (await child.request('start', { transport: ctx.transport, sources: 'bench' })) as {
        tsroUrl: string;
        rawUrl: string;
      };
      await node.connectToNode(tsroUrl);
      const r = node.acquire(BenchSource);
      if (!(await r.waitForSource(10_000))) throw new Error('replica did not become valid');
      raw = await rawConnect(rawUrl);
      rpcConn = await rawConnect(rawUrl);
      const rpc = new RawRpcClient(rpcConn);
      if (!ctx.quick) {
        await tsroStream(r, n / 10);
        await rawRate(raw, n / 10);
        await burst(n / 10, (a, b) => r.add(a, b));
      }
      const tsro: number[] = [];
      const rawRates: number[] = [];
      const calls: number[] = [];
      const rawCalls: number[] = [];
      for (let run = 0; run < ctx.runs; run++) {
        rawRates.push(await rawRate(raw, n));
        tsro.push(await tsroStream(r, n));
        calls.push(await burst(n, (a, b) => r.add(a, b)));
        rawCalls.push(await burst(n, (a, b) => rpc.add(a, b)));
        ctx.log(
          `streams ${ctx.transport} run ${run + 1}: stream ${tsro.at(-1)!.toFixed(0)} items/s, raw ${rawRates.at(-1)!.toFixed(0)}/s, ` +
            `pipelined calls ${calls.at(-1)!.toFixed(0)}/s`,
        );
      }
      const pipelinedMedian = median(calls);
      return [
        {
          scenario: 'streams',
          transport: ctx.transport,
          metric: `stream of ${n / 1000}k int32 items`,
          unit: 'items/s',
          better: 'higher',
          tsro,
          raw: rawRates,
          target: { op: '>=', value: pipelinedMedian, text: `>= pipelined calls (${(pipelinedMedian / 1000).toFixed(0)}k/s)` },
          notes: [
            'an async generator in the host process yields n int32 items; the replica takes them with for await',
            'raw baseline: the same items as raw frames of up to 256 little-endian int32s, produced in a loop, no flow control',
            'target: tsro pipelined add() calls measured in the same run (extra.pipelinedCalls; extra.rawPipelinedCalls for the raw RPC)',
          ],
          extra: { pipelinedCalls: calls, rawPipelinedCalls: rawCalls },
        },
      ];
    } finally {
      await node.close();
      await raw?.close();
      await rpcConn?.close();
      await child.close();
    }
  },
};
