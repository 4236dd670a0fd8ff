// Scenario 5: fan-out. One source in the bench process, 10 replicas in 10 separate processes
// (fanout-child.js), 50 k property updates; time from the first set until every child has
// reported (IPC "done") that it saw the last value. See push.ts for what the time includes.

import { pushExtra, pushNotes, runPush, type PushOptions } from '../push';
import { goal } from '../goals';
import type { MetricResult, Scenario, ScenarioContext } from '../scenario';

export const fanout: Scenario = {
  name: 'fanout',
  title: 'fan-out to 10 processes',
  async run(ctx: ScenarioContext): Promise<MetricResult[]> {
    const o: PushOptions = {
      kind: 'property',
      receivers: ctx.quick ? 2 : 10,
      updates: ctx.quick ? 1000 : 50_000,
      chunk: 1000,
      warmupUpdates: ctx.quick ? 0 : 5000,
    };
    const r = await runPush(ctx, o);
    const common = { scenario: 'fanout', transport: ctx.transport };
    return [
      {
        ...common,
        metric: `${o.updates / 1000}k updates to ${o.receivers} processes`,
        unit: 'ms',
        better: 'lower',
        tsro: r.tsro.map((s) => s.elapsedMs),
        raw: r.raw.map((s) => s.elapsedMs),
        target: goal('fanout'),
        qtro: ctx.quick ? undefined : 360,
        notes: pushNotes(o, r),
        extra: pushExtra(r),
      },
      {
        ...common,
        metric: 'updates lost (all receivers)',
        unit: 'updates',
        better: 'lower',
        tsro: r.tsro.map((s) => s.lost),
        raw: r.raw.map((s) => s.lost),
        target: goal('lost'),
      },
    ];
  },
};
