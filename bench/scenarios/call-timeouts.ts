// Scenario: what a timeout costs a call. The same pipelined add() calls from two nodes connected
// to one host: one with `callTimeout` set (every call timed, none expiring), one without. The
// "raw" column here is the node without a timeout: the target is at most 10% per-call overhead.

import { Node } from '../../src/index';
import { BenchSource } from '../bench-api';
import { goal } from '../goals';
import { BenchChild } from '../ipc';
import type { MetricResult, Scenario, ScenarioContext } from '../scenario';
import { burst } from './pipelined';

export const callTimeouts: Scenario = {
  name: 'timeouts',
  title: 'cost of a call timeout',
  async run(ctx: ScenarioContext): Promise<MetricResult[]> {
    const calls = ctx.quick ? 1000 : 100_000;
    const child = await BenchChild.fork(ctx.script('server-child'), `server-child(${ctx.transport})`);
    const plain = new Node();
    const timed = new Node({ callTimeout: 60_000 });
    try {
      const { tsroUrl } = (await child.request('start', { transport: ctx.transport, sources: 'bench' })) as { tsroUrl: string };
      await plain.connectToNode(tsroUrl);
      await timed.connectToNode(tsroUrl);
      const a = plain.acquire(BenchSource);
      const b = timed.acquire(BenchSource);
      if (!(await a.waitForSource(10_000)) || !(await b.waitForSource(10_000))) throw new Error('replicas did not become valid');
      if (!ctx.quick) {
        await burst(calls / 10, (x, y) => a.add(x, y));
        await burst(calls / 10, (x, y) => b.add(x, y));
      }
      const withTimeoutRate: number[] = [];
      const without: number[] = [];
      for (let run = 0; run < ctx.runs; run++) {
        without.push(await burst(calls, (x, y) => a.add(x, y)));
        withTimeoutRate.push(await burst(calls, (x, y) => b.add(x, y)));
        ctx.log(`timeouts ${ctx.transport} run ${run + 1}: with ${withTimeoutRate.at(-1)!.toFixed(0)}/s, without ${without.at(-1)!.toFixed(0)}/s`);
      }
      return [
        {
          scenario: 'timeouts',
          transport: ctx.transport,
          metric: `${calls / 1000}k pipelined calls with callTimeout`,
          unit: 'calls/s',
          better: 'higher',
          tsro: withTimeoutRate,
          raw: without,
          target: goal('timeouts'),
          notes: [
            'tsro: a node with callTimeout 60 s (every call timed, none expires); raw column: the same calls from a node without',
            'one deadline timer per connection, not one per call',
          ],
        },
      ];
    } finally {
      await plain.close();
      await timed.close();
      await child.close();
    }
  },
};
