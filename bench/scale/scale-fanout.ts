// Scale 1: one host (in the bench process), R = 1 / 10 / 100 / 1000 replica connections spread
// over a few child processes, one replica each. The source sets `updates` distinct values, 1000
// per event-loop turn; measured: the update rate delivered to all (updates / time until every
// connection saw the last), and the host's CPU per delivered update (process.cpuUsage of the
// bench process over the same time, divided by updates x R). The raw baseline does the same
// fan-out over bare sockets: each turn's frames encoded once into one buffer, written to every
// socket.

import { Host } from '../../src/index';
import { BenchSource } from '../bench-api';
import { FANOUT_REPLICAS, goal } from '../goals';
import { RawWriter, rawListen } from '../raw-baseline';
import { accepted, Crowd } from '../scale-clients';
import type { MetricResult, Scenario, ScenarioContext } from '../scenario';
import { median } from '../stats';
import { immediate } from '../util';

interface Sample {
  rate: number;
  cpuNs: number;
  lost: number;
}

const CHUNK = 1000;

export const scaleFanout: Scenario = {
  name: 'scale-fanout',
  title: 'scale: fan-out to 1 / 10 / 100 / 1000 connections',
  async run(ctx: ScenarioContext): Promise<MetricResult[]> {
    if (ctx.transport !== 'tcp') return [];
    const counts = ctx.quick ? [1, 4, 12] : [...FANOUT_REPLICAS];
    const updates = ctx.quick ? 500 : 20_000;
    const processes = ctx.quick ? 2 : 4;
    const results: MetricResult[] = [];
    const perR: { r: number; tsro: Sample[]; raw: Sample[] }[] = [];
    let value = 0;
    for (const r of counts) {
      const host = new Host('tcp://127.0.0.1:0', { maxConnections: r + 10 });
      const rawServer = await rawListen('tcp://127.0.0.1:0', () => {});
      const crowd = await Crowd.fork(ctx.script('scale-child'), r, processes);
      try {
        await host.listening;
        const src = new BenchSource();
        host.enableRemoting(src);
        await crowd.connect('tsro', host.hostUrl, 'int');
        await crowd.connect('raw', rawServer.url, 'int');
        await accepted(rawServer, r);
        const writer = new RawWriter([...rawServer.connections].map((c) => c.socket));
        const emitTsro = (v: number): void => {
          src.value = v;
        };
        const emitRaw = (v: number): void => {
          const at = writer.begin(4);
          writer.buf.writeInt32LE(v, at);
        };
        const measure = async (mode: 'tsro' | 'raw', emit: (v: number) => void, n: number): Promise<Sample> => {
          const first = value + 1;
          const last = value + n;
          value = last;
          let cpu0 = process.cpuUsage();
          const { elapsedMs, lost } = await crowd.timed(mode, last, n, async () => {
            cpu0 = process.cpuUsage();
            for (let v = first; v <= last; ) {
              const end = Math.min(last, v + CHUNK - 1);
              for (; v <= end; v++) emit(v);
              if (v <= last) await immediate();
            }
          });
          const cpu = process.cpuUsage(cpu0);
          return { rate: (n / elapsedMs) * 1000, cpuNs: ((cpu.user + cpu.system) * 1000) / (n * r), lost };
        };
        if (!ctx.quick) {
          await measure('raw', emitRaw, Math.min(updates, 5000));
          await measure('tsro', emitTsro, Math.min(updates, 5000));
        }
        const entry = { r, tsro: [] as Sample[], raw: [] as Sample[] };
        for (let run = 0; run < ctx.runs; run++) {
          entry.raw.push(await measure('raw', emitRaw, updates));
          entry.tsro.push(await measure('tsro', emitTsro, updates));
          const t = entry.tsro.at(-1)!;
          const w = entry.raw.at(-1)!;
          ctx.log(`scale-fanout R=${r} run ${run + 1}: tsro ${t.cpuNs.toFixed(0)} ns/delivery, ${(t.rate / 1000).toFixed(0)}k/s; raw ${w.cpuNs.toFixed(0)} ns, ${(w.rate / 1000).toFixed(0)}k/s`);
        }
        perR.push(entry);
      } finally {
        await crowd.close();
        await host.close();
        await rawServer.close();
      }
    }
    const common = { scenario: 'scale-fanout', transport: ctx.transport };
    for (const { r, tsro, raw } of perR) {
      const full = FANOUT_REPLICAS.includes(r) && !ctx.quick;
      results.push(
        {
          ...common,
          metric: `host CPU per delivered update, R=${r}`,
          unit: 'ns',
          better: 'lower',
          tsro: tsro.map((s) => s.cpuNs),
          raw: raw.map((s) => s.cpuNs),
          ...(full ? { target: goal(`scale-cpu-${r}`) } : {}),
          ...(r === perR[0]!.r
            ? {
                notes: [
                  `${updates} distinct int32 values, ${CHUNK} per turn, host in the bench process, R connections (one replica each) over ${processes} child processes; ` +
                    'CPU: process.cpuUsage() of the host process from the first set until every connection saw the last, / (updates x R)',
                ],
              }
            : {}),
        },
        { ...common, metric: `updates/s delivered to all, R=${r}`, unit: 'updates/s', better: 'higher', tsro: tsro.map((s) => s.rate), raw: raw.map((s) => s.rate) },
        { ...common, metric: `updates lost, R=${r}`, unit: 'updates', better: 'lower', tsro: tsro.map((s) => s.lost), raw: raw.map((s) => s.lost), target: goal('lost') },
      );
    }
    // Growth of the CPU per delivery from the second count to the largest (flat = 1).
    const a = perR[1];
    const b = perR.at(-1);
    if (a && b && a !== b) {
      results.push({
        ...common,
        metric: `CPU per delivery growth, R=${a.r} -> R=${b.r}`,
        unit: 'x',
        better: 'lower',
        tsro: b.tsro.map((s, i) => s.cpuNs / a.tsro[i]!.cpuNs),
        raw: b.raw.map((s, i) => s.cpuNs / a.raw[i]!.cpuNs),
        ...(ctx.quick ? {} : { target: goal('scale-cpu-flat') }),
        extra: { medianNs: perR.map((p) => ({ r: p.r, tsro: median(p.tsro.map((s) => s.cpuNs)), raw: median(p.raw.map((s) => s.cpuNs)) })) },
      });
    }
    return results;
  },
};
