// WebSocket vs TCP, in one run: the same source behind a ws:// host and a tcp:// host (both in the
// bench process), measured against each other rather than against a raw baseline.
//
//   - property-update rate: 200 k (2 k when quick) distinct values set on the source, 1000 per
//     event-loop turn, to one replica in a child process (fanout-child.js), which reconnects to
//     the other host between measurements; time until it has seen the last value;
//   - slot round trip: sequential awaited calls from a node in the bench process.
//
// The ws/tcp ratios are logged and reported as rows of their own. Runs once, under the tcp
// transport (the comparison is its own pair of transports).

import { Host } from '../../src/index';
import { BenchSource } from '../bench-api';
import { BenchChild } from '../ipc';
import { slotRoundTripUs } from '../slot-round-trip';
import type { MetricResult, Scenario, ScenarioContext } from '../scenario';
import { nowMs } from '../stats';
import { immediate, withTimeout } from '../util';

export const websocket: Scenario = {
  name: 'websocket',
  title: 'ws:// vs tcp://',
  async run(ctx: ScenarioContext): Promise<MetricResult[]> {
    if (ctx.transport !== 'tcp') return [];
    const hosts = { tcp: new Host('tcp://127.0.0.1:0'), ws: new Host('ws://127.0.0.1:0/bench') };
    const sources = { tcp: new BenchSource(), ws: new BenchSource() };
    const child = await BenchChild.fork(ctx.script('fanout-child'), 'fanout-child(ws vs tcp)');
    try {
      await Promise.all([hosts.tcp.listening, hosts.ws.listening]);
      hosts.tcp.enableRemoting(sources.tcp);
      hosts.ws.enableRemoting(sources.ws);
      const updates = ctx.quick ? 2000 : 200_000;
      let value = 0;

      const pushRate = async (side: 'tcp' | 'ws'): Promise<number> => {
        await child.request('connect', { mode: 'tsro', url: hosts[side].hostUrl, kind: 'property' });
        try {
          const first = value + 1;
          const last = value + updates;
          value = last;
          await child.request('arm', { last });
          const done = child.next('done');
          const t0 = nowMs();
          for (let v = first; v <= last; ) {
            const end = Math.min(last, v + 999);
            for (; v <= end; v++) sources[side].value = v;
            if (v <= last) await immediate();
          }
          const m = await withTimeout(done, 120_000, `the replica over ${side} to see ${last}`);
          const elapsed = nowMs() - t0;
          if ((m.count as number) < updates) throw new Error(`over ${side}: ${m.count} of ${updates} updates arrived`);
          return updates / (elapsed / 1000);
        } finally {
          await child.request('disconnect');
        }
      };

      const roundTrip = (side: 'tcp' | 'ws'): Promise<number> => slotRoundTripUs(hosts[side].hostUrl, ctx.quick ? 200 : 3000);

      // Warm both paths once, then alternate, so that drift in the machine's load hits both.
      await pushRate('tcp');
      await pushRate('ws');
      const rate = { tcp: [] as number[], ws: [] as number[] };
      const rtt = { tcp: [] as number[], ws: [] as number[] };
      for (let run = 0; run < ctx.runs; run++) {
        for (const side of ['tcp', 'ws'] as const) rate[side].push(await pushRate(side));
        for (const side of ['tcp', 'ws'] as const) rtt[side].push(await roundTrip(side));
        ctx.log(
          `websocket run ${run + 1}: updates ws ${rate.ws.at(-1)!.toFixed(0)}/s vs tcp ${rate.tcp.at(-1)!.toFixed(0)}/s; ` +
            `round trip ws ${rtt.ws.at(-1)!.toFixed(0)} µs vs tcp ${rtt.tcp.at(-1)!.toFixed(0)} µs`,
        );
      }
      const ratio = (a: number[], b: number[]): number[] => a.map((x, i) => x / b[i]!);
      const common = { scenario: 'websocket', transport: ctx.transport };
      const notes = [`${updates} updates per run, 1000 per turn, to a replica in a child process; round trips from the bench process; hosts in the bench process`];
      return [
        { ...common, metric: `property updates/s, 1 replica, over ws://`, unit: 'updates/s', better: 'higher', tsro: rate.ws, notes },
        { ...common, metric: `property updates/s, 1 replica, over tcp://`, unit: 'updates/s', better: 'higher', tsro: rate.tcp },
        { ...common, metric: 'property update rate, ws/tcp', unit: 'x', better: 'higher', tsro: ratio(rate.ws, rate.tcp) },
        { ...common, metric: 'slot round trip, over ws://', unit: 'µs', better: 'lower', tsro: rtt.ws },
        { ...common, metric: 'slot round trip, over tcp://', unit: 'µs', better: 'lower', tsro: rtt.tcp },
        { ...common, metric: 'slot round trip, ws/tcp', unit: 'x', better: 'lower', tsro: ratio(rtt.ws, rtt.tcp) },
      ];
    } finally {
      await child.request('disconnect').catch(() => {});
      await child.close();
      await Promise.all([hosts.tcp.close(), hosts.ws.close()]);
    }
  },
};
