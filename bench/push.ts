// The push scenarios (property updates, signals, fan-out) share this driver. The source lives in
// the bench process; every receiver is a separate child process (fanout-child.js) holding a tsro
// replica and a raw connection. A measurement:
//
//   1. arm every receiver with the last value of this run (IPC round trip, not timed);
//   2. t0 on the bench's clock; the source sets/emits `updates` distinct values, `chunk` of them
//      per event-loop turn (setImmediate between chunks), so that each chunk goes out in one
//      write and the network, the receivers and the source overlap; the sender never holds more
//      than a chunk of frames in its own batch buffer (the socket's write queue may grow if a
//      receiver falls behind: nothing throttles the source, as with tsro's API);
//   3. each receiver sends "done" over IPC when the last value arrives; the elapsed time ends
//      when the last "done" arrives on the bench's clock. Nothing is subtracted: the result
//      includes one IPC hop (child -> bench), whose round trip is measured separately and
//      reported (half of it is the overhead). The receivers also stamp "done" with the shared
//      clock (performance.timeOrigin + performance.now()), reported as a cross-check.
//
// The raw baseline sends the same values as 4-byte frames (signals: 4 bytes + the UTF-8 string),
// batched per turn, the same bytes written once per receiver socket.

import { Host } from '../src/index';
import { BenchSource } from './bench-api';
import { goal } from './goals';
import { BenchChild } from './ipc';
import { RawWriter, rawListen, type RawConn } from './raw-baseline';
import type { MetricResult, Scenario, ScenarioContext } from './scenario';
import { median, nowMs, sharedClockMs } from './stats';
import { immediate, listenUrl, sleep, withTimeout } from './util';

export interface PushOptions {
  kind: 'property' | 'signal';
  receivers: number;
  updates: number;
  chunk: number;
  warmupUpdates: number;
}

export interface PushSample {
  /** From the first set to the last receiver's "done" on the bench's clock, ms. */
  elapsedMs: number;
  /** Same, with the receivers' own timestamps on the shared clock, ms. */
  sharedClockMs: number;
  /** How long the source's set loop itself took, ms. */
  pushMs: number;
  /** Updates sent minus received, summed over receivers. */
  lost: number;
}

export interface PushResult {
  tsro: PushSample[];
  raw: PushSample[];
  ipcRoundTripMs: number;
}

const SIGNAL_TEXT = 'hello';

export async function runPush(ctx: ScenarioContext, o: PushOptions): Promise<PushResult> {
  const host = new Host(listenUrl(ctx.transport, 'p'));
  const children: BenchChild[] = [];
  const accepted: RawConn[] = [];
  const rawServer = await rawListen(listenUrl(ctx.transport, 'pr'), (c) => accepted.push(c));
  try {
    await host.listening;
    const src = new BenchSource();
    if (!host.enableRemoting(src)) throw new Error('enableRemoting failed');

    const forks = await Promise.allSettled(
      Array.from({ length: o.receivers }, (_, i) => BenchChild.fork(ctx.script('fanout-child'), `fanout-child#${i}`)),
    );
    for (const f of forks) if (f.status === 'fulfilled') children.push(f.value);
    for (const f of forks) if (f.status === 'rejected') throw f.reason;
    await Promise.all(children.map((c) => c.request('connect', { mode: 'tsro', url: host.hostUrl, kind: o.kind })));
    await Promise.all(children.map((c) => c.request('connect', { mode: 'raw', url: rawServer.url, kind: o.kind })));
    const deadline = Date.now() + 10_000;
    while (accepted.length < o.receivers) {
      if (Date.now() > deadline) throw new Error('raw receivers did not connect');
      await sleep(5);
    }
    const rawWriter = new RawWriter(accepted.map((c) => c.socket));

    // IPC round trip bench -> child -> bench, to put the "done" hop in proportion.
    const ipc: number[] = [];
    for (let i = 0; i < 20; i++) {
      const t = nowMs();
      await children[i % children.length]!.request('ping');
      ipc.push(nowMs() - t);
    }

    let value = 0;
    const textBytes = (s: string): number => Buffer.byteLength(s);
    const emitTsro =
      o.kind === 'property'
        ? (v: number): void => {
            src.value = v;
          }
        : (v: number): void => src.tick(v, SIGNAL_TEXT);
    const emitRaw =
      o.kind === 'property'
        ? (v: number): void => {
            const at = rawWriter.begin(4);
            rawWriter.buf.writeInt32LE(v, at);
          }
        : (v: number): void => {
            const len = textBytes(SIGNAL_TEXT);
            const at = rawWriter.begin(4 + len);
            const buf = rawWriter.buf;
            buf.writeInt32LE(v, at);
            buf.write(SIGNAL_TEXT, at + 4, len, 'utf8');
          };

    const measure = async (emit: (v: number) => void, n: number): Promise<PushSample> => {
      const first = value + 1;
      const last = value + n;
      value = last;
      await Promise.all(children.map((c) => c.request('arm', { last })));
      const dones = children.map((c) => c.next('done').then((m) => ({ m, at: nowMs() })));
      const t0 = nowMs();
      const t0Shared = sharedClockMs();
      for (let v = first; v <= last; ) {
        const end = Math.min(last, v + o.chunk - 1);
        for (; v <= end; v++) emit(v);
        if (v <= last) await immediate();
      }
      const pushMs = nowMs() - t0;
      let results;
      try {
        results = await withTimeout(Promise.all(dones), 120_000, `receivers to see value ${last}`);
      } catch (err) {
        const counts = await Promise.all(children.map((c) => c.request('status').catch(() => ({ count: NaN }))));
        throw new Error(`${(err as Error).message}; received ${counts.map((c) => c.count).join(', ')} of ${n}`);
      }
      const elapsedMs = Math.max(...results.map((r) => r.at)) - t0;
      const sharedMs = Math.max(...results.map((r) => r.m.t as number)) - t0Shared;
      const lost = results.reduce((sum, r) => sum + (n - (r.m.count as number)), 0);
      return { elapsedMs, sharedClockMs: sharedMs, pushMs, lost };
    };

    if (o.warmupUpdates > 0) {
      await measure(emitRaw, o.warmupUpdates);
      await measure(emitTsro, o.warmupUpdates);
    }
    const result: PushResult = { tsro: [], raw: [], ipcRoundTripMs: median(ipc) };
    for (let run = 0; run < ctx.runs; run++) {
      result.raw.push(await measure(emitRaw, o.updates));
      result.tsro.push(await measure(emitTsro, o.updates));
      const t = result.tsro.at(-1)!;
      const r = result.raw.at(-1)!;
      ctx.log(
        `${o.kind} x${o.receivers} ${ctx.transport} run ${run + 1}: tsro ${t.elapsedMs.toFixed(1)} ms (lost ${t.lost}), raw ${r.elapsedMs.toFixed(1)} ms`,
      );
    }
    return result;
  } finally {
    await Promise.all(children.map((c) => c.request('disconnect').catch(() => {})));
    await Promise.all(children.map((c) => c.close()));
    await host.close();
    await rawServer.close();
  }
}

/** Notes every push scenario's results carry. */
export function pushNotes(o: PushOptions, r: PushResult): string[] {
  return [
    `${o.updates} distinct values per run, ${o.chunk} per event-loop turn, source in the bench process, ` +
      `${o.receivers} receiver process(es); time ends when the last receiver's IPC "done" arrives`,
    `IPC round trip bench<->child: ${(r.ipcRoundTripMs * 1000).toFixed(0)} µs (included once, as one hop, in each time; not subtracted)`,
  ];
}

export function pushExtra(r: PushResult): Record<string, unknown> {
  return {
    ipcRoundTripMs: r.ipcRoundTripMs,
    tsroSharedClockMs: r.tsro.map((s) => s.sharedClockMs),
    rawSharedClockMs: r.raw.map((s) => s.sharedClockMs),
    tsroPushLoopMs: r.tsro.map((s) => s.pushMs),
    rawPushLoopMs: r.raw.map((s) => s.pushMs),
  };
}

/** What differs between the one-receiver push scenarios (property updates, signals). */
export interface PushScenarioSpec {
  readonly name: string;
  readonly title: string;
  readonly kind: PushOptions['kind'];
  /** The throughput metric's label, given the number of updates. */
  readonly metric: (updates: number) => string;
  /** What one update is called in units ("updates", "signals"). */
  readonly noun: string;
  readonly target?: MetricResult['target'];
  readonly qtro?: number;
}

/**
 * A scenario pushing 200 k (2 k when quick) updates, 1000 per turn, to one replica in another
 * process: its throughput and how many were lost.
 */
export function pushScenario(spec: PushScenarioSpec): Scenario {
  return {
    name: spec.name,
    title: spec.title,
    async run(ctx: ScenarioContext): Promise<MetricResult[]> {
      const o: PushOptions = {
        kind: spec.kind,
        receivers: 1,
        updates: ctx.quick ? 2000 : 200_000,
        chunk: 1000,
        warmupUpdates: ctx.quick ? 0 : 20_000,
      };
      const r = await runPush(ctx, o);
      const rate = (s: { elapsedMs: number }): number => (o.updates / s.elapsedMs) * 1000;
      const common = { scenario: spec.name, transport: ctx.transport };
      return [
        {
          ...common,
          metric: spec.metric(o.updates),
          unit: `${spec.noun}/s`,
          better: 'higher',
          tsro: r.tsro.map(rate),
          raw: r.raw.map(rate),
          ...(spec.target ? { target: spec.target } : {}),
          ...(spec.qtro !== undefined ? { qtro: spec.qtro } : {}),
          notes: pushNotes(o, r),
          extra: pushExtra(r),
        },
        {
          ...common,
          metric: `${spec.noun} lost`,
          unit: spec.noun,
          better: 'lower',
          tsro: r.tsro.map((s) => s.lost),
          raw: r.raw.map((s) => s.lost),
          target: goal('lost'),
        },
      ];
    },
  };
}
