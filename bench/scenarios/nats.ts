// NATS vs direct TCP, in one run: the same source set from the bench process, its replicas in 10
// child processes (nats-child.js, several replicas per process), reached once through one local
// nats-server and once over direct tcp:// connections.
//
//   - fan-out: 50 000 updates to 10 and to 100 replicas, time until every replica has the last;
//   - the host's CPU per delivered change (user + system time of the bench process, which holds
//     the host, during the push, divided by updates x replicas): over NATS the host publishes a
//     change once whatever the number of replicas, so this should fall as replicas are added;
//     direct, it writes to every connection;
//   - slot call round trip, a node in the bench process calling through NATS vs directly.
// Runs once, under the tcp transport (NATS has no local variant). Needs nats-server on PATH.

import { Host } from '../../src/index';
import { NatsServer } from '../../spec/support/nats-server';
import { BenchSource } from '../bench-api';
import { goal } from '../goals';
import { BenchChild, armChildren } from '../ipc';
import { slotRoundTripUs } from '../slot-round-trip';
import type { MetricResult, Scenario, ScenarioContext } from '../scenario';
import { median, nowMs } from '../stats';
import { immediate, withTimeout } from '../util';

interface FanoutSample {
  elapsedMs: number;
  /** Host CPU (bench process) per delivered change, ns. */
  cpuPerDeliveryNs: number;
  lost: number;
}

export const nats: Scenario = {
  name: 'nats',
  title: 'NATS vs direct tcp',
  async run(ctx: ScenarioContext): Promise<MetricResult[]> {
    if (ctx.transport !== 'tcp') return [];
    const server = await NatsServer.start();
    const natsHost = new Host(`${server.url}/bench`);
    const tcpHost = new Host('tcp://127.0.0.1:0');
    const children: BenchChild[] = [];
    try {
      await Promise.all([natsHost.listening, tcpHost.listening]);
      const natsSource = new BenchSource();
      const tcpSource = new BenchSource();
      natsHost.enableRemoting(natsSource);
      tcpHost.enableRemoting(tcpSource);
      const processes = ctx.quick ? 2 : 10;
      const counts = ctx.quick ? [2, 10] : [10, 100];
      const updates = ctx.quick ? 2000 : 50_000;
      for (let i = 0; i < processes; i++) children.push(await BenchChild.fork(ctx.script('nats-child'), `nats-child#${i}`));

      const results: MetricResult[] = [];
      const common = { scenario: 'nats', transport: ctx.transport };
      let value = 0;
      let connected = 0;
      for (const replicasTotal of counts) {
        const perChild = replicasTotal / processes;
        // The children keep the replicas of the smaller count and add to them.
        const add = perChild - connected;
        await Promise.all(children.map((c) => c.request('connect', { url: natsHost.hostUrl, replicas: add })));
        connected = perChild;

        const measure = async (source: BenchSource): Promise<FanoutSample> => {
          const first = value + 1;
          const last = value + updates;
          value = last;
          const dones = await armChildren(children, last);
          const cpu0 = process.cpuUsage();
          const t0 = nowMs();
          for (let v = first; v <= last; ) {
            const end = Math.min(last, v + 999);
            for (; v <= end; v++) source.value = v;
            if (v <= last) await immediate();
          }
          const got = await withTimeout(Promise.all(dones), 180_000, `replicas to see ${last}`);
          const elapsedMs = nowMs() - t0;
          const cpu = process.cpuUsage(cpu0);
          const received = got.reduce((sum, m) => sum + (m.count as number), 0);
          return {
            elapsedMs,
            cpuPerDeliveryNs: ((cpu.user + cpu.system) * 1000) / (updates * replicasTotal),
            lost: updates * replicasTotal - received,
          };
        };

        const viaNats: FanoutSample[] = [];
        for (let run = 0; run < ctx.runs; run++) viaNats.push(await measure(natsSource));
        // Same replicas, now over direct connections: the children reconnect their replicas.
        await Promise.all(children.map((c) => c.request('disconnect')));
        await Promise.all(children.map((c) => c.request('connect', { url: tcpHost.hostUrl, replicas: perChild })));
        const direct2: FanoutSample[] = [];
        for (let run = 0; run < ctx.runs; run++) direct2.push(await measure(tcpSource));
        await Promise.all(children.map((c) => c.request('disconnect')));
        await Promise.all(children.map((c) => c.request('connect', { url: natsHost.hostUrl, replicas: perChild })));
        ctx.log(
          `nats fan-out x${replicasTotal}: NATS ${median(viaNats.map((s) => s.elapsedMs)).toFixed(0)} ms ` +
            `(${median(viaNats.map((s) => s.cpuPerDeliveryNs)).toFixed(0)} ns host CPU/delivery), direct ${median(direct2.map((s) => s.elapsedMs)).toFixed(0)} ms ` +
            `(${median(direct2.map((s) => s.cpuPerDeliveryNs)).toFixed(0)} ns)`,
        );
        const label = `${updates / 1000}k updates to ${replicasTotal} replicas (${processes} processes)`;
        results.push(
          { ...common, metric: `fan-out ${label}, over NATS`, unit: 'ms', better: 'lower', tsro: viaNats.map((s) => s.elapsedMs) },
          { ...common, metric: `fan-out ${label}, direct tcp`, unit: 'ms', better: 'lower', tsro: direct2.map((s) => s.elapsedMs) },
          { ...common, metric: `host CPU per delivered change, ${replicasTotal} replicas, over NATS`, unit: 'ns', better: 'lower', tsro: viaNats.map((s) => s.cpuPerDeliveryNs) },
          { ...common, metric: `host CPU per delivered change, ${replicasTotal} replicas, direct tcp`, unit: 'ns', better: 'lower', tsro: direct2.map((s) => s.cpuPerDeliveryNs) },
          {
            ...common,
            metric: `updates lost, ${replicasTotal} replicas (NATS + direct)`,
            unit: 'updates',
            better: 'lower',
            tsro: viaNats.map((s, i) => s.lost + direct2[i]!.lost),
            target: goal('lost'),
          },
        );
      }

      // Round trip of a slot call from this process, through NATS and directly.
      const rtt = (url: string): Promise<number> => slotRoundTripUs(url, ctx.quick ? 200 : 2000);
      const natsRtt: number[] = [];
      const tcpRtt: number[] = [];
      for (let run = 0; run < ctx.runs; run++) {
        natsRtt.push(await rtt(natsHost.hostUrl));
        tcpRtt.push(await rtt(tcpHost.hostUrl));
      }
      ctx.log(`nats rtt: NATS ${median(natsRtt).toFixed(0)} µs, direct ${median(tcpRtt).toFixed(0)} µs`);
      results.push(
        { ...common, metric: 'slot round trip, over NATS', unit: 'µs', better: 'lower', tsro: natsRtt },
        { ...common, metric: 'slot round trip, direct tcp', unit: 'µs', better: 'lower', tsro: tcpRtt },
      );
      return results;
    } finally {
      await Promise.all(children.map((c) => c.request('disconnect').catch(() => {})));
      await Promise.all(children.map((c) => c.close()));
      await natsHost.close();
      await tcpHost.close();
      await server.stop();
    }
  },
};
