// Scenario 2: pipelined slot calls. 100 k calls of `add` fired in one synchronous loop, then all
// replies awaited; calls per second from the first call to the last reply. Host in another
// process. Baseline: 100 k raw requests (one Promise each, matched by serial) and their replies.

import { Node } from '../../src/index';
import { BenchSource } from '../bench-api';
import { BenchChild } from '../ipc';
import { RawRpcClient, rawConnect } from '../raw-baseline';
import { goal } from '../goals';
import type { MetricResult, Scenario, ScenarioContext } from '../scenario';
import { nowMs } from '../stats';
import { withTimeout } from '../util';

/** Fires `calls` add() calls in one synchronous loop, awaits every reply, checks them; calls/s. */
export async function burst(calls: number, add: (a: number, b: number) => Promise<number>): Promise<number> {
  const t0 = nowMs();
  const replies = new Array<Promise<number>>(calls);
  for (let i = 0; i < calls; i++) replies[i] = add(i, 1);
  const values = await withTimeout(Promise.all(replies), 120_000, `${calls} pipelined calls`);
  const elapsed = nowMs() - t0;
  for (let i = 0; i < calls; i++) if (values[i] !== i + 1) throw new Error(`call ${i} returned ${values[i]}`);
  return (calls / elapsed) * 1000;
}

/** The wire-only ceiling: the same raw traffic without a Promise or pending-call entry per call. */
async function burstNoPromises(calls: number, rpc: RawRpcClient): Promise<number> {
  let replies = 0;
  let sum = 0;
  const done = new Promise<void>((resolve) => {
    rpc.onReply = (_serial, value) => {
      sum += value;
      if (++replies === calls) resolve();
    };
  });
  const t0 = nowMs();
  for (let i = 0; i < calls; i++) rpc.send(i, 1);
  await withTimeout(done, 120_000, `${calls} raw calls without promises`);
  const elapsed = nowMs() - t0;
  rpc.onReply = undefined;
  if (sum !== (calls * (calls + 1)) / 2) throw new Error('raw replies wrong');
  return (calls / elapsed) * 1000;
}

export const pipelined: Scenario = {
  name: 'pipelined',
  title: 'pipelined slot calls',
  async run(ctx: ScenarioContext): Promise<MetricResult[]> {
    const calls = ctx.quick ? 1000 : 100_000;
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
      if (!ctx.quick) {
        await burst(calls / 10, (a, b) => rpc.add(a, b));
        await burst(calls / 10, (a, b) => r.add(a, b));
      }
      const tsroRate: number[] = [];
      const rawRate: number[] = [];
      const rawNoPromiseRate: number[] = [];
      for (let run = 0; run < ctx.runs; run++) {
        rawNoPromiseRate.push(await burstNoPromises(calls, rpc));
        rawRate.push(await burst(calls, (a, b) => rpc.add(a, b)));
        tsroRate.push(await burst(calls, (a, b) => r.add(a, b)));
        ctx.log(`pipelined ${ctx.transport} run ${run + 1}: tsro ${tsroRate.at(-1)!.toFixed(0)}/s, raw ${rawRate.at(-1)!.toFixed(0)}/s`);
      }
      return [
        {
          scenario: 'pipelined',
          transport: ctx.transport,
          metric: `${calls / 1000}k pipelined calls`,
          unit: 'calls/s',
          better: 'higher',
          tsro: tsroRate,
          raw: rawRate,
          target: goal('pipelined'),
          qtro: 159_000,
          notes: [
            `${calls} calls issued in one synchronous loop, then Promise.all of the replies; host in a child process`,
            'raw baseline: one Promise per call resolved from a Map by serial, like a slot call; ' +
              'extra.rawWithoutPromises is the same raw traffic with only a reply counter',
          ],
          extra: { rawWithoutPromises: rawNoPromiseRate },
        },
      ];
    } finally {
      await node.close();
      await rawRpc?.conn.close();
      await child.close();
    }
  },
};
