// Smoke test of the benchmark harness: `node dist/bench/run.js --quick` (tiny sizes, one run,
// both transports) must finish, exit 0 by itself, print the table and write JSON with a row for
// every scenario and transport, each with sane (finite, positive) numbers. It asserts nothing
// about performance.

import { expect } from 'chai';
import { runBench, type BenchRow } from './support/run-bench';

const SCENARIOS = ['rtt', 'pipelined', 'streams', 'timeouts', 'properties', 'signals', 'fanout', 'init', 'memory', 'bytes'];

type Row = BenchRow;

describe('bench harness (--quick)', function () {
  // Not a timed test: a loaded machine may take several times the ~25 s the harness needs idle.
  this.timeout(180_000);

  it('runs every scenario over tcp and local and reports sane numbers', async () => {
    const { code, stdout, stderr, seconds, json: results } = await runBench<{ errors: unknown[]; results: Row[]; meta: { quick: boolean } }>(['--quick'], 170_000);
    expect(code, `exit code; stderr:\n${stderr}`).to.equal(0);
    expect(results, 'the harness wrote no JSON').to.not.equal(undefined);
    const json = results!;
    expect(stdout).to.match(/scenario\s+tr\s+metric.*\sgoal\s+status/);
    // Every goal of bench/goals.ts is listed under the table, measured or not.
    expect(stdout).to.include('goals (bench/goals.ts):');
    for (const figure of ['property updates, 1 replica', 'signals, 1 replica', 'pipelined calls', '10-way fan-out time', '1 MiB init (one copy)']) {
      expect(stdout, figure).to.match(new RegExp(`${figure.replace(/[()]/g, '\\$&')}\\s+\\S.*(met|MISSED)`));
    }
    expect(json.meta.quick).to.equal(true);
    expect(json.errors).to.deep.equal([]);
    for (const scenario of SCENARIOS) {
      for (const transport of ['tcp', 'local']) {
        const rows = json.results.filter((r) => r.scenario === scenario && r.transport === transport);
        expect(rows.length, `${scenario} over ${transport}`).to.be.greaterThan(0);
        for (const r of rows) {
          const what = `${scenario}/${transport}/${r.metric}`;
          expect(r.tsro.n, what).to.equal(1);
          expect(Number.isFinite(r.tsro.median), `${what}: ${r.tsro.median}`).to.equal(true);
          expect(r.raw, `${what} has a raw baseline`).to.not.equal(undefined);
          expect(Number.isFinite(r.raw!.median), `${what} raw: ${r.raw!.median}`).to.equal(true);
          if (/lost/.test(r.metric)) {
            expect(r.tsro.median, what).to.be.at.least(0);
          } else if (scenario !== 'memory') {
            // Memory deltas of a handful of objects are noise-sized; the rest must be positive.
            expect(r.tsro.median, what).to.be.greaterThan(0);
            expect(r.raw!.median, what).to.be.greaterThan(0);
          }
        }
      }
    }
    // The ratio goals are held against the raw baseline, with the ratio and a verdict.
    for (const [scenario, id] of [['properties', 'properties'], ['signals', 'signals'], ['pipelined', 'pipelined'], ['rtt', 'rtt'], ['fanout', 'fanout']]) {
      const held = json.results.filter((r) => r.scenario === scenario && r.target?.goal === id);
      expect(held.length, `${scenario} rows held to goal ${id}`).to.equal(2);
      for (const r of held) {
        expect(r.target!.relativeToRaw, id).to.equal(true);
        expect(Number.isFinite(r.ratio), `${id} ratio`).to.equal(true);
        expect(r.status, id).to.match(/^(met|MISSED x\d)/);
      }
    }
    // NATS vs direct tcp: tcp only (NATS has no local variant), each side against the other
    // rather than against a raw baseline.
    const natsRows = json.results.filter((r) => r.scenario === 'nats');
    expect(natsRows.map((r) => r.transport)).to.satisfy((t: string[]) => t.length > 0 && t.every((x) => x === 'tcp'));
    for (const side of ['over NATS', 'direct tcp']) {
      expect(natsRows.filter((r) => r.metric.endsWith(side)).length, side).to.be.at.least(3);
    }
    for (const r of natsRows) {
      if (/lost/.test(r.metric)) expect(r.tsro.median, r.metric).to.equal(0);
      else expect(r.tsro.median, r.metric).to.be.greaterThan(0);
    }
    // ws:// vs tcp://: tcp only, each side against the other.
    const wsRows = json.results.filter((r) => r.scenario === 'websocket');
    expect(wsRows.map((r) => r.transport)).to.satisfy((t: string[]) => t.length === 6 && t.every((x) => x === 'tcp'));
    for (const r of wsRows) expect(r.tsro.median, r.metric).to.be.greaterThan(0);
    // Informative only: the harness is meant to stay well under 20 s in --quick mode.
    if (seconds > 20) console.warn(`bench --quick took ${seconds.toFixed(1)} s`);
  });
});
