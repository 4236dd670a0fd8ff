// The host's CPU per delivered update in a fan-out, tsro against the raw baseline in the same run:
// R receiver processes (fanout-child.js), N property updates set `chunk` per turn, and the CPU
// time (user + system) the bench process spent from the first set until every receiver reported
// the last value. CPU time is what the send path costs; it moves far less than elapsed time when
// other processes share the machine (run it while others work; compare ratios).
//
//   node dist/bench/send-path-cpu.js [receivers=10] [updates=50000] [runs=5] [tcp|local]

import { Host } from '../src/index';
import { BenchSource } from './bench-api';
import { BenchChild, armChildren } from './ipc';
import { RawWriter, rawListen, type RawConn } from './raw-baseline';
import { median } from './stats';
import { immediate, listenUrl, sleep, withTimeout, type TransportName } from './util';

async function main(): Promise<void> {
  const receivers = Number(process.argv[2] ?? 10);
  const updates = Number(process.argv[3] ?? 50_000);
  const runs = Number(process.argv[4] ?? 5);
  const transport = (process.argv[5] ?? 'tcp') as TransportName;
  const chunk = 1000;
  const host = new Host(listenUrl(transport, 'cpu'));
  await host.listening;
  const src = new BenchSource();
  host.enableRemoting(src);
  const accepted: RawConn[] = [];
  const rawServer = await rawListen(listenUrl(transport, 'cpur'), (c) => accepted.push(c));
  const children = await Promise.all(Array.from({ length: receivers }, (_, i) => BenchChild.fork(`${__dirname}/fanout-child.js`, `cpu-child#${i}`)));
  try {
    await Promise.all(children.map((c) => c.request('connect', { mode: 'tsro', url: host.hostUrl, kind: 'property' })));
    await Promise.all(children.map((c) => c.request('connect', { mode: 'raw', url: rawServer.url, kind: 'property' })));
    while (accepted.length < receivers) await sleep(5);
    const raw = new RawWriter(accepted.map((c) => c.socket));
    let value = 0;
    const emitTsro = (v: number): void => {
      src.value = v;
    };
    const emitRaw = (v: number): void => {
      const at = raw.begin(4);
      raw.buf.writeInt32LE(v, at);
    };
    const measure = async (emit: (v: number) => void): Promise<number> => {
      const first = value + 1;
      const last = value + updates;
      value = last;
      const dones = await armChildren(children, last);
      const cpu0 = process.cpuUsage();
      for (let v = first; v <= last; ) {
        const end = Math.min(last, v + chunk - 1);
        for (; v <= end; v++) emit(v);
        if (v <= last) await immediate();
      }
      await withTimeout(Promise.all(dones), 120_000, 'receivers');
      const cpu = process.cpuUsage(cpu0);
      return ((cpu.user + cpu.system) * 1000) / (updates * receivers); // ns per delivery
    };
    await measure(emitRaw);
    await measure(emitTsro);
    const t: number[] = [];
    const r: number[] = [];
    for (let i = 0; i < runs; i++) {
      r.push(await measure(emitRaw));
      t.push(await measure(emitTsro));
    }
    const fmt = (xs: number[]): string => xs.map((x) => x.toFixed(0)).join(' ');
    console.log(
      `host CPU per delivery, ${receivers} receivers, ${updates} updates, ${transport}: tsro ${median(t).toFixed(0)} ns [${fmt(t)}], ` +
        `raw ${median(r).toFixed(0)} ns [${fmt(r)}], tsro/raw ${(median(t) / median(r)).toFixed(2)}x`,
    );
  } finally {
    await Promise.all(children.map((c) => c.request('disconnect').catch(() => {})));
    await Promise.all(children.map((c) => c.close()));
    await host.close();
    await rawServer.close();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
