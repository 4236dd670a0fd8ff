// Scenario 4: signals. 200 k emissions of `tick(n: int32, s: string)` (s = "hello") on the source
// in the bench process, 1000 per event-loop turn; time until a replica in another process has
// received the last one. See push.ts.

import { pushExtra, pushNotes, runPush, type PushOptions } from '../push';
import type { MetricResult, Scenario, ScenarioContext } from '../scenario';

export const signals: Scenario = {
  name: 'signals',
  title: 'signals',
  async run(ctx: ScenarioContext): Promise<MetricResult[]> {
    const o: PushOptions = {
      kind: 'signal',
      receivers: 1,
      updates: ctx.quick ? 2000 : 200_000,
      chunk: 1000,
      warmupUpdates: ctx.quick ? 0 : 20_000,
    };
    const r = await runPush(ctx, o);
    const rate = (s: { elapsedMs: number }): number => (o.updates / s.elapsedMs) * 1000;
    const common = { scenario: 'signals', transport: ctx.transport };
    return [
      {
        ...common,
        metric: `${o.updates / 1000}k signals (int, string)`,
        unit: 'signals/s',
        better: 'higher',
        tsro: r.tsro.map(rate),
        raw: r.raw.map(rate),
        notes: pushNotes(o, r),
        extra: pushExtra(r),
      },
      {
        ...common,
        metric: 'signals lost',
        unit: 'signals',
        better: 'lower',
        tsro: r.tsro.map((s) => s.lost),
        raw: r.raw.map((s) => s.lost),
        target: { op: '<=', value: 0, text: 'none' },
      },
    ];
  },
};
