// What a scenario is and what it reports. A scenario sets itself up once per transport, repeats
// its measurement `ctx.runs` times (tsro and the raw baseline in each run, one after the other)
// and returns one MetricResult per thing it measured, with one sample per run.

import * as path from 'node:path';
import type { TransportName } from './util';

export interface ScenarioContext {
  readonly transport: TransportName;
  readonly runs: number;
  readonly quick: boolean;
  /** Path of a compiled bench script, e.g. script('server-child'). */
  script(name: string): string;
  /** Progress line on stderr (the table goes to stdout). */
  log(message: string): void;
}

export interface Target {
  readonly op: '<=' | '>=';
  readonly value: number;
  /** The limit is `value` times the raw baseline's median (same run), not an absolute number. */
  readonly relativeToRaw?: boolean;
  /** How the target reads in the table, e.g. "<= 1.15x raw". */
  readonly text: string;
  /** The id of the goal in goals.ts this target is, if it is one. */
  readonly goal?: string;
}

export interface MetricResult {
  readonly scenario: string;
  readonly transport: TransportName;
  readonly metric: string;
  readonly unit: string;
  readonly better: 'lower' | 'higher';
  /** One sample per run. */
  readonly tsro: number[];
  /** The raw baseline, one sample per run (same runs as `tsro`). */
  readonly raw?: number[];
  readonly target?: Target;
  /** The C++ Qt Remote Objects figure for the same thing, where known (2 cores, tcp loopback). */
  readonly qtro?: number;
  readonly notes?: string[];
  readonly extra?: Record<string, unknown>;
}

export interface Scenario {
  /** Short name for --only. */
  readonly name: string;
  readonly title: string;
  run(ctx: ScenarioContext): Promise<MetricResult[]>;
}

export function scriptPath(name: string): string {
  return path.join(__dirname, `${name}.js`);
}
