// Every performance goal of the project, in one table. A scenario names the goal a figure is
// held to (`goal('properties')`); the table prints the goal and whether it was met, and the
// summary under the table lists every goal, including those the run did not measure.
//
// Ratios are to the raw-socket baseline measured in the same run (see raw-baseline.ts). Goals
// without a number in their issue keep the figure at least as good as it was measured when the
// issue was filed ("no worse than"), so a regression shows as a miss.

import type { Target } from './scenario';

export interface Goal {
  /** What scenarios refer to. */
  readonly id: string;
  /** The figure, as the summary names it. */
  readonly figure: string;
  readonly op: Target['op'];
  readonly value: number;
  /** Relative to the raw baseline of the same run; otherwise in the metric's own unit. */
  readonly relativeToRaw: boolean;
  /** Unit of an absolute goal, for its text. */
  readonly unit?: string;
  /** Where the goal comes from. */
  readonly origin: string;
}

function ratio(id: string, figure: string, op: Target['op'], value: number, origin = 'issue 18'): Goal {
  return { id, figure, op, value, relativeToRaw: true, origin };
}

function absolute(id: string, figure: string, op: Target['op'], value: number, unit: string, origin: string): Goal {
  return { id, figure, op, value, relativeToRaw: false, unit, origin };
}

/** Values of the value-size curve (bench/scale.ts), with the ratio measured when issue 18 was filed. */
export const VALUE_SIZES: readonly { readonly label: string; readonly bytes: number; readonly filed: number }[] = [
  { label: '8 B', bytes: 8, filed: 0.12 },
  { label: '1 KiB', bytes: 1024, filed: 0.47 },
  { label: '64 KiB', bytes: 64 * 1024, filed: 0.65 },
  { label: '1 MiB', bytes: 1024 * 1024, filed: 0.64 },
  { label: '16 MiB', bytes: 16 * 1024 * 1024, filed: 0.89 },
];

/** Replica counts of the scale fan-out (bench/scale.ts). */
export const FANOUT_REPLICAS: readonly number[] = [1, 10, 100, 1000];

export const GOALS: readonly Goal[] = [
  // Hot paths against what Node's sockets allow (issue 18).
  ratio('rtt', 'round trip (tcp and local)', '<=', 1.1),
  ratio('pipelined', 'pipelined calls', '>=', 0.8),
  ratio('properties', 'property updates, 1 replica', '>=', 0.4),
  ratio('signals', 'signals, 1 replica', '>=', 0.6),
  ratio('fanout', '10-way fan-out time', '<=', 2),
  ratio('init-1mib', '1 MiB init (one copy)', '<=', 1.1),
  absolute('lost', 'updates lost', '<=', 0, '', 'correctness'),
  // Scale (issue 18, bench/scale.ts).
  ...FANOUT_REPLICAS.map((r) => ratio(`scale-cpu-${r}`, `host CPU per delivered update, ${r} replica(s)`, '<=', 2)),
  absolute('scale-cpu-flat', 'host CPU per delivery, growth from 10 to 1000 replicas', '<=', 1.25, 'x', 'issue 18 ("flat")'),
  absolute('scale-idle-memory', 'memory per idle connection, host side', '<=', 4096, 'bytes', 'issue 18'),
  ratio('scale-idle-reach', 'one change reaching 10 000 idle connections', '<=', 1.4, 'issue 18 (filed at 1.0-1.4x)'),
  absolute('scale-sources-acquire', 'acquire one of 10 000 sources', '<=', 1, 'ms', 'issue 18 (filed at ~0.5 ms)'),
  absolute('scale-sources-memory', 'host memory per source', '<=', 1300, 'bytes', 'issue 18 (filed at 1.3 KB)'),
  absolute('scale-sources-connect', 'source-list bytes at connect, 10 000 sources', '<=', 64 * 1024, 'bytes', 'issue 18 (not sent whole)'),
  ...VALUE_SIZES.map((v) => ratio(`scale-value-${v.bytes}`, `${v.label} values, throughput`, '>=', v.filed, `issue 18 (no worse than ${v.filed}x)`)),
  // A slow replica must not be disconnected (issue 18; the coalescing scenario reports it).
  absolute('slow-replica-disconnects', 'slow replica disconnected', '<=', 0, '', 'issue 18'),
  // Earlier rounds, kept.
  absolute('init-wide-typed', '1000 int32 properties init (typed)', '<=', 2, 'ms', 'round one'),
  absolute('init-wide-dynamic', '1000 int32 properties init (dynamic)', '<=', 3, 'ms', 'round one'),
  absolute('bytes-call', 'bytes of a small call', '<=', 20, 'B', 'round one'),
  absolute('bytes-reply', 'bytes of its reply', '<=', 20, 'B', 'round one'),
  absolute('bytes-change', 'bytes of an int32 property change', '<=', 20, 'B', 'round one'),
  ratio('timeouts', 'calls with callTimeout vs without', '>=', 1 / 1.1, 'calls engineer (<= 10% per call)'),
];

const byId = new Map(GOALS.map((g) => [g.id, g]));

/** How a goal reads in the table. */
export function goalText(g: Goal): string {
  if (g.id === 'timeouts') return '<= 10% per call vs no timeout';
  if (g.value === 0 && !g.relativeToRaw) return 'none';
  const unit = g.unit === 'x' ? 'x' : g.unit ? ` ${g.unit}` : '';
  const v = g.relativeToRaw ? `${+g.value.toFixed(2)}x raw` : `${g.value}${unit}`;
  return `${g.op} ${v}`;
}

/** The target of goal `id` (it must be in GOALS). */
export function goal(id: string): Target & { readonly goal: string } {
  const g = byId.get(id);
  if (!g) throw new Error(`bench: no goal "${id}" in bench/goals.ts`);
  return { op: g.op, value: g.value, relativeToRaw: g.relativeToRaw, text: goalText(g), goal: g.id };
}
