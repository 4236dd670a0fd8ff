// Scale 2: 10 000 idle connections on one host (in the bench process), each a Node in one of a
// few child processes holding one replica. Measured host side: memory per connection (heapUsed
// + external after GC, the difference over connecting them all, divided by their number), once
// idle and again after one change reached all of them (write buffers a connection keeps after
// its first frame count there), and the time for that change to reach every connection. The raw
// baseline: the same number of bare sockets, each with the baseline's reader and writer, and one
// 4-byte frame written to every socket.
//
// Needs 10 000 file descriptors in the bench process (ulimit -n); with fewer, it measures the
// largest count the limit allows and says so.

import { execFileSync } from 'node:child_process';
import { Host } from '../../src/index';
import { BenchSource } from '../bench-api';
import { goal } from '../goals';
import { RawWriter, rawListen } from '../raw-baseline';
import { accepted, Crowd } from '../scale-clients';
import type { MetricResult, Scenario, ScenarioContext } from '../scenario';
import { measureMemory } from '../util';

/** The soft limit on open files of this process, if the shell can tell. */
function openFileLimit(): number {
  try {
    const out = execFileSync('/bin/sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).trim();
    return out === 'unlimited' ? Infinity : Number(out);
  } catch {
    return NaN;
  }
}

interface Sample {
  idle: number;
  afterChange: number;
  reachMs: number;
}

export const scaleIdle: Scenario = {
  name: 'scale-idle',
  title: 'scale: 10 000 idle connections',
  async run(ctx: ScenarioContext): Promise<MetricResult[]> {
    if (ctx.transport !== 'tcp') return [];
    const wanted = ctx.quick ? 200 : 10_000;
    const limit = openFileLimit();
    // Room for the listener, the children's IPC pipes and what Node holds itself.
    const count = Number.isFinite(limit) ? Math.min(wanted, limit - 200) : wanted;
    const notes = [
      `${count} connections (one replica each) over ${ctx.quick ? 2 : 4} child processes, host in the bench process; memory: heapUsed + external after GC, difference / connections`,
    ];
    if (count < wanted) notes.push(`ulimit -n is ${limit}: measured ${count} connections, not ${wanted}`);
    const tsro: Sample[] = [];
    const raw: Sample[] = [];
    let value = 0;
    const crowd = await Crowd.fork(ctx.script('scale-child'), count, ctx.quick ? 2 : 4);
    try {
      for (let run = 0; run < ctx.runs; run++) {
        {
          const host = new Host('tcp://127.0.0.1:0', { maxConnections: count + 10 });
          await host.listening;
          const src = new BenchSource();
          host.enableRemoting(src);
          const before = await measureMemory();
          await crowd.connect('tsro', host.hostUrl, 'int');
          const idle = await measureMemory();
          const last = ++value;
          const { elapsedMs } = await crowd.timed('tsro', last, 1, () => {
            src.value = last;
          });
          const after = await measureMemory();
          tsro.push({ idle: (idle.bytes - before.bytes) / count, afterChange: (after.bytes - before.bytes) / count, reachMs: elapsedMs });
          await crowd.disconnect();
          await host.close();
        }
        {
          const server = await rawListen('tcp://127.0.0.1:0', () => {});
          const before = await measureMemory();
          await crowd.connect('raw', server.url, 'int');
          await accepted(server, count);
          const idle = await measureMemory();
          const writer = new RawWriter([...server.connections].map((c) => c.socket));
          const last = ++value;
          const { elapsedMs } = await crowd.timed('raw', last, 1, () => {
            const at = writer.begin(4);
            writer.buf.writeInt32LE(last, at);
          });
          const after = await measureMemory();
          raw.push({ idle: (idle.bytes - before.bytes) / count, afterChange: (after.bytes - before.bytes) / count, reachMs: elapsedMs });
          await crowd.disconnect();
          await server.close();
        }
        const t = tsro.at(-1)!;
        ctx.log(`scale-idle ${count} run ${run + 1}: tsro ${t.idle.toFixed(0)} / ${t.afterChange.toFixed(0)} B per connection, reach ${t.reachMs.toFixed(1)} ms; raw reach ${raw.at(-1)!.reachMs.toFixed(1)} ms`);
      }
    } finally {
      await crowd.close();
    }
    const common = { scenario: 'scale-idle', transport: ctx.transport };
    const held = (id: string): { target?: ReturnType<typeof goal> } => (ctx.quick ? {} : { target: goal(id) });
    return [
      { ...common, metric: `host memory per idle connection, ${count}`, unit: 'bytes', better: 'lower', tsro: tsro.map((s) => s.idle), raw: raw.map((s) => s.idle), ...held('scale-idle-memory'), notes },
      { ...common, metric: `host memory per connection after one change, ${count}`, unit: 'bytes', better: 'lower', tsro: tsro.map((s) => s.afterChange), raw: raw.map((s) => s.afterChange), ...held('scale-idle-memory') },
      { ...common, metric: `one change reaching all ${count}`, unit: 'ms', better: 'lower', tsro: tsro.map((s) => s.reachMs), raw: raw.map((s) => s.reachMs), ...held('scale-idle-reach') },
    ];
  },
};
