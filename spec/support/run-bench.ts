// Runs the bench harness (dist/bench/run.js) in a child process with its JSON written to a
// temporary file, read back and removed: what spec/bench.spec.ts and spec/bench-scale.spec.ts check.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runNode, type NodeRun } from './run-node';

const RUN = path.join(__dirname, '..', '..', 'bench', 'run.js');

/** One row of the harness's results, as far as the specs read it (bench/table.ts has them all). */
export interface BenchRow {
  scenario: string;
  transport: string;
  metric: string;
  unit: string;
  tsro: { median: number; n: number };
  raw?: { median: number };
  ratio?: number;
  target?: { goal?: string; relativeToRaw?: boolean };
  status: string;
}

export interface BenchRun<J> extends NodeRun {
  /** Wall-clock seconds the harness took. */
  readonly seconds: number;
  /** The harness's JSON results; undefined if it wrote none. */
  readonly json: J | undefined;
}

/** Runs `node dist/bench/run.js ...args --out <temp>`; kills it after `killAfterMs`. */
export async function runBench<J>(args: readonly string[], killAfterMs: number): Promise<BenchRun<J>> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsro-bench-spec-'));
  const out = path.join(dir, 'results.json');
  try {
    const started = Date.now();
    const run = await runNode([RUN, ...args, '--out', out], { killAfterMs });
    const seconds = (Date.now() - started) / 1000;
    const json = fs.existsSync(out) ? (JSON.parse(fs.readFileSync(out, 'utf8')) as J) : undefined;
    return { ...run, seconds, json };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
