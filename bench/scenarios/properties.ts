// Scenario 3: property updates. 200 k distinct values set on the source (in the bench process),
// 1000 per event-loop turn; time until a replica in another process has seen the last one, and
// how many it received (tsro does not coalesce, so all of them are expected). See push.ts.

import { pushExtra, pushNotes, runPush, type PushOptions } from '../push';
import type { MetricResult, Scenario, ScenarioContext } from '../scenario';

export const properties: Scenario = {
  name: 'properties',
  title: 'property updates',
  async run(ctx: ScenarioContext): Promise<MetricResult[]> {
    const o: PushOptions = {
      kind: 'property',
      receivers: 1,
      updates: ctx.quick ? 2000 : 200_000,
      chunk: 1000,
      warmupUpdates: ctx.quick ? 0 : 20_000,
    };
    const r = await runPush(ctx, o);
    const rate = (s: { elapsedMs: number }): number => (o.updates / s.elapsedMs) * 1000;
    const common = { scenario: 'properties', transport: ctx.transport };
    return [
      {
        ...common,
        metric: `${o.updates / 1000}k updates, 1 replica`,
        unit: 'updates/s',
        better: 'higher',
        tsro: r.tsro.map(rate),
        raw: r.raw.map(rate),
        target: { op: '>=', value: 2_000_000, text: '>= 2 M/s' },
        qtro: 392_000,
        notes: pushNotes(o, r),
        extra: pushExtra(r),
      },
      {
        ...common,
        metric: 'updates lost',
        unit: 'updates',
        better: 'lower',
        tsro: r.tsro.map((s) => s.lost),
        raw: r.raw.map((s) => s.lost),
        target: { op: '<=', value: 0, text: 'none' },
      },
    ];
  },
};
