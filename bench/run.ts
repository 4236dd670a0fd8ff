// tsro benchmark harness: runs every scenario over tcp and local sockets, each against a
// raw-socket baseline measured in the same run, prints a table and writes JSON.
//
//   node dist/bench/run.js [--quick] [--scale] [--only name[,name...]] [--transport tcp|local] [--runs N] [--out file]
//
//   --quick      tiny sizes and one run (the smoke test); writes bench/results/quick.json
//   --scale      the scale scenarios instead (scale-fanout, scale-idle, scale-sources, scale-values;
//                tcp only, 3 runs); `npm run bench:scale`. With --quick: small counts (their test)
//   --only       scenarios by name: rtt, pipelined, streams, timeouts, properties, signals, fanout, init, memory, bytes, nats, websocket,
//                and the scale ones
//   --transport  one transport instead of both
//   --runs       repetitions per scenario (default 5; quick: 1); the table shows median, min..max
//   --out        where the JSON goes (default bench/results/latest.json)
//
// The memory scenario needs global.gc: without --expose-gc the harness re-runs itself with it.
// Children it forks inherit the Node flags (so `node --expose-gc --cpu-prof --cpu-prof-dir=/tmp/p
// dist/bench/run.js --only X` profiles the bench process and every child).

import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { closeAllChildren } from './ipc';
import { scriptPath, type MetricResult, type Scenario, type ScenarioContext } from './scenario';
import { fanout } from './scenarios/fanout';
import { init } from './scenarios/init';
import { memory } from './scenarios/memory';
import { nats } from './scenarios/nats';
import { websocket } from './scenarios/websocket';
import { pipelined } from './scenarios/pipelined';
import { properties } from './scenarios/properties';
import { rtt } from './scenarios/rtt';
import { signals } from './scenarios/signals';
import { wireBytes } from './scenarios/wire-bytes';
import { streams } from './scenarios/streams';
import { callTimeouts } from './scenarios/call-timeouts';
import { pressure } from './scenarios/pressure';
import { scaleFanout } from './scale/scale-fanout';
import { scaleIdle } from './scale/scale-idle';
import { scaleSources } from './scale/scale-sources';
import { scaleValues } from './scale/scale-values';
import { evaluate, formatGoalSummary, formatTable, type Row } from './table';
import { errorText, type TransportName } from './util';

export const SCENARIOS: Scenario[] = [rtt, pipelined, streams, callTimeouts, properties, signals, fanout, init, memory, wireBytes, nats, websocket, pressure];
/** The scale scenarios (--scale): long, tcp only, each host in the bench process. */
export const SCALE_SCENARIOS: Scenario[] = [scaleFanout, scaleIdle, scaleSources, scaleValues];
const ALL = [...SCENARIOS, ...SCALE_SCENARIOS];

interface Options {
  quick: boolean;
  scale: boolean;
  only: string[] | undefined;
  transports: TransportName[];
  runs: number;
  out: string;
}

function usage(message: string): never {
  console.error(`bench: ${message}`);
  console.error('usage: node dist/bench/run.js [--quick] [--scale] [--only name[,name]] [--transport tcp|local] [--runs N] [--out file]');
  console.error(`scenarios: ${SCENARIOS.map((s) => s.name).join(', ')}; --scale: ${SCALE_SCENARIOS.map((s) => s.name).join(', ')}`);
  process.exit(2);
}

function parseOptions(argv: string[]): Options {
  let quick = false;
  let scale = false;
  let only: string[] | undefined;
  let transports: TransportName[] | undefined;
  let runs: number | undefined;
  let out: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) usage(`${a} needs a value`);
      return v;
    };
    if (a === '--quick') quick = true;
    else if (a === '--scale') scale = true;
    else if (a === '--only') only = value().split(',').filter(Boolean);
    else if (a === '--transport') {
      const t = value();
      if (t !== 'tcp' && t !== 'local') usage(`unknown transport ${t}`);
      transports = [t];
    } else if (a === '--runs') {
      runs = Number(value());
      if (!Number.isInteger(runs) || runs < 1) usage('--runs needs a positive integer');
    } else if (a === '--out') out = path.resolve(value());
    else usage(`unknown option ${a}`);
  }
  for (const name of only ?? []) if (!ALL.some((s) => s.name === name)) usage(`unknown scenario ${name}`);
  // The scale scenarios run over tcp only (they return nothing for local).
  const scaleOnly = scale || (only !== undefined && only.every((n) => SCALE_SCENARIOS.some((s) => s.name === n)));
  const resultsDir = path.join(__dirname, '..', '..', 'bench', 'results');
  const name = `${scale ? 'scale-' : ''}${quick ? 'quick' : 'latest'}.json`;
  return {
    quick,
    scale,
    only,
    transports: transports ?? (scaleOnly ? ['tcp'] : ['tcp', 'local']),
    runs: runs ?? (quick ? 1 : scale ? 3 : 5),
    out: out ?? path.join(resultsDir, name),
  };
}

/** Re-runs this script with --expose-gc; resolves with its exit code. */
function reexecWithGc(): void {
  const child = spawn(process.execPath, ['--expose-gc', ...process.execArgv, __filename, ...process.argv.slice(2)], {
    stdio: 'inherit',
  });
  const forward = (signal: NodeJS.Signals): void => {
    child.kill(signal);
  };
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  child.on('exit', (code, signal) => {
    process.removeListener('SIGINT', forward);
    process.removeListener('SIGTERM', forward);
    process.exitCode = code ?? (signal ? 1 : 0);
  });
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  if (typeof (globalThis as { gc?: unknown }).gc !== 'function') {
    reexecWithGc();
    return;
  }
  const started = new Date();
  const t0 = performance.now();
  const selected = options.only ? ALL.filter((s) => options.only!.includes(s.name)) : options.scale ? SCALE_SCENARIOS : SCENARIOS;
  const results: MetricResult[] = [];
  const errors: { scenario: string; transport: string; error: string }[] = [];
  const log = (message: string): void => {
    const s = ((performance.now() - t0) / 1000).toFixed(1).padStart(6);
    process.stderr.write(`[${s}s] ${message}\n`);
  };
  log(
    `tsro bench: ${options.quick ? 'quick, ' : ''}${options.runs} run(s), ${options.transports.join('+')}, ` +
      `scenarios ${selected.map((s) => s.name).join(', ')}; node ${process.version}, ${os.cpus().length} cpus, ` +
      `load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`,
  );

  for (const scenario of selected) {
    for (const transport of options.transports) {
      const ctx: ScenarioContext = { transport, runs: options.runs, quick: options.quick, script: scriptPath, log };
      log(`-- ${scenario.title} (${transport})`);
      try {
        results.push(...(await scenario.run(ctx)));
      } catch (err) {
        log(`!! ${scenario.name} (${transport}) failed: ${errorText(err)}`);
        errors.push({ scenario: scenario.name, transport, error: errorText(err) });
      }
    }
  }
  await closeAllChildren();

  const rows: Row[] = results.map(evaluate);
  const durationS = (performance.now() - t0) / 1000;
  const table = formatTable(rows);
  process.stdout.write(`\n${table}\n\n`);
  process.stdout.write(
    'tsro/raw: the metric divided by the raw-socket baseline of the same run (median of per-run ratios);\n' +
      'for rates below 1 means slower than raw, for times/bytes above 1 means slower/bigger. ' +
      'QtRO: C++ Qt Remote Objects, 2 cores, tcp loopback.\n',
  );
  process.stdout.write(`\n${formatGoalSummary(rows)}\n\n`);
  for (const e of errors) process.stdout.write(`FAILED ${e.scenario} (${e.transport}): ${e.error.split('\n')[0]}\n`);
  process.stdout.write(`total ${durationS.toFixed(1)} s; load average at the end ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}\n`);

  const json = {
    meta: {
      started: started.toISOString(),
      durationS,
      node: process.version,
      platform: `${os.platform()} ${os.release()} ${os.arch()}`,
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model,
      quick: options.quick,
      scale: options.scale,
      loadAverage: os.loadavg(),
      runs: options.runs,
      transports: options.transports,
      scenarios: selected.map((s) => s.name),
      gc: true,
    },
    table,
    results: rows,
    errors,
  };
  fs.mkdirSync(path.dirname(options.out), { recursive: true });
  fs.writeFileSync(options.out, `${JSON.stringify(json, null, 2)}\n`);
  log(`wrote ${options.out}`);
  process.exitCode = errors.length > 0 ? 1 : 0;

  // Everything is closed by now and the process should exit on its own. If something still
  // holds the loop, say what (the timer itself does not keep the process alive).
  setTimeout(() => {
    process.stderr.write(`bench: still running 10 s after the end; active: ${process.getActiveResourcesInfo().join(', ')}\n`);
    process.exit(process.exitCode ?? 1);
  }, 10_000).unref();
}

main().catch((err: unknown) => {
  console.error(`bench: ${errorText(err)}`);
  process.exitCode = 1;
  void closeAllChildren();
});
