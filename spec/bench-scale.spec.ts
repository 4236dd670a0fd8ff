// Smoke test of the scale scenarios: `node dist/bench/run.js --scale --quick` (small counts, one
// run, tcp) must finish, exit 0 by itself and report every scale figure with sane numbers: the
// fan-out's CPU per delivery and rate at several connection counts with their raw baseline and
// growth, idle connections' memory and reach time, the many-sources figures (host and
// registry), and the value-size curve. It asserts nothing about performance.

import { expect } from 'chai';
import { runBench, type BenchRow } from './support/run-bench';


type Row = BenchRow;

describe('bench harness (--scale --quick)', function () {
  this.timeout(240_000);

  it('runs every scale scenario with small counts and reports each figure', async () => {
    const { code, stdout, stderr, json: results } = await runBench<{ errors: unknown[]; results: Row[]; meta: { quick: boolean; scale: boolean; loadAverage: number[] } }>(['--scale', '--quick'], 230_000);
    expect(code, `exit code; stderr:\n${stderr}`).to.equal(0);
    expect(results, 'the harness wrote no JSON').to.not.equal(undefined);
    const json = results!;
    expect(stdout).to.include('goals (bench/goals.ts):');
    expect(json.meta.quick).to.equal(true);
    expect(json.meta.scale).to.equal(true);
    expect(json.meta.loadAverage).to.have.length(3);
    expect(json.errors).to.deep.equal([]);
    const rows = (scenario: string): Row[] => json.results.filter((r) => r.scenario === scenario);
    const one = (scenario: string, metric: RegExp): Row => {
      const found = rows(scenario).filter((r) => metric.test(r.metric));
      expect(found.length, `${scenario}: ${metric}`).to.equal(1);
      return found[0]!;
    };
    const positive = (r: Row, withRaw: boolean): void => {
      const what = `${r.scenario}/${r.metric}`;
      expect(r.transport, what).to.equal('tcp');
      expect(r.tsro.n, what).to.equal(1);
      expect(r.tsro.median, what).to.be.greaterThan(0);
      expect(Number.isFinite(r.tsro.median), what).to.equal(true);
      if (withRaw) {
        expect(r.raw, `${what} has a raw baseline`).to.not.equal(undefined);
        expect(r.raw!.median, what).to.be.greaterThan(0);
        expect(Number.isFinite(r.ratio), `${what} ratio`).to.equal(true);
      }
    };

    // Fan-out: three connection counts, each with CPU per delivery, rate and nothing lost.
    for (const r of [1, 4, 12]) {
      positive(one('scale-fanout', new RegExp(`^host CPU per delivered update, R=${r}$`)), true);
      positive(one('scale-fanout', new RegExp(`^updates/s delivered to all, R=${r}$`)), true);
      expect(one('scale-fanout', new RegExp(`^updates lost, R=${r}$`)).tsro.median).to.equal(0);
    }
    positive(one('scale-fanout', /^CPU per delivery growth, R=4 -> R=12$/), true);

    // Idle connections: memory after GC can come out at any small size for 200 connections,
    // but must be a number; the change must reach all of them.
    for (const m of [/^host memory per idle connection, 200$/, /^host memory per connection after one change, 200$/]) {
      const r = one('scale-idle', m);
      expect(Number.isFinite(r.tsro.median), r.metric).to.equal(true);
      expect(Number.isFinite(r.raw!.median), r.metric).to.equal(true);
    }
    positive(one('scale-idle', /^one change reaching all 200$/), true);

    // Many sources, on a host and in a registry.
    positive(one('scale-sources', /^host memory per source, 1200$/), true);
    // 1200 sources are past the node's list limit: the list is not sent at connect (whole, it
    // would be ~100 KB).
    const connectBytes = one('scale-sources', /^bytes received until connected, 1200 sources$/);
    positive(connectBytes, false);
    expect(connectBytes.tsro.median).to.be.below(4096);
    positive(one('scale-sources', /^connect, 1200 sources$/), true);
    positive(one('scale-sources', /^acquire one of 1200$/), true);
    positive(one('scale-sources', /^list all 1200 \(node.listSources\(\)\)$/), false);
    positive(one('scale-sources', /^registry: all 1200 registered$/), false);
    positive(one('scale-sources', /^acquire one of 1200 through the registry, fresh node$/), false);

    // Value sizes: the quick curve stops at 64 KiB.
    for (const label of ['8 B', '1 KiB', '64 KiB']) positive(one('scale-values', new RegExp(`^${label} values, \\d+ per run$`)), true);
  });
});
