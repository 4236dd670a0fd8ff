// Scenario: a fast source, one fast and one slow replica. Values of 16 MiB (just under, so that
// a change fits the 16 MiB frame limit) and of 1 KiB are set as fast as the fast replica takes
// them (the source waits for it after every window of sets: 1 value of 16 MiB, 256 of 1 KiB),
// with the host's default pressureThreshold and maxBufferedBytes. The slow replica reads through
// a socket the bench throttles (what the socket buffered, every 20 ms: under a MB/s). Expected: no disconnect, the fast
// replica sees every value, the slow one ends on the final value; reported: how many changes
// were coalesced for the slow one, the fast replica's throughput, and how long the slow one
// took to catch up once the source stopped.
//
// All in the bench process (host, fast and slow nodes): the figures are about coalescing, not
// about a separate process's speed. No raw baseline: a raw socket has no coalescing to compare.

import * as net from 'node:net';
import 'reflect-metadata';
import { Host, Node, Property, RemoteObjectType, type Replica } from '../../src/index';
import type { MetricResult, Scenario, ScenarioContext } from '../scenario';
import { listenUrl, netAddress, withTimeout } from '../util';

@RemoteObjectType('PressureValue')
class ValueSource {
  @Property({ type: 'bytes' }) value: Uint8Array = new Uint8Array(4);
}

const MiB = 1024 * 1024;

interface Case {
  readonly label: string;
  readonly size: number;
  readonly values: number;
  readonly window: number;
}

interface Sample {
  fastSeen: number;
  slowSeen: number;
  coalesced: number;
  disconnects: number;
  slowFinal: boolean;
  fastMBps: number;
  catchUpMs: number;
}

const indexOf = (v: Uint8Array): number => (v.length >= 4 ? new DataView(v.buffer, v.byteOffset, 4).getUint32(0, true) : -1);

/** Resolves once `replica`'s value is numbered `n`. */
function valueReaches(replica: Replica<ValueSource>, n: number, ms: number, what: string): Promise<void> {
  if (indexOf(replica.value) === n) return Promise.resolve();
  return withTimeout(
    new Promise<void>((resolve) => {
      const check = (v: Uint8Array): void => {
        if (indexOf(v) !== n) return;
        replica.off('valueChanged', check);
        resolve();
      };
      replica.on('valueChanged', check);
    }),
    ms,
    what,
  );
}

async function runCase(ctx: ScenarioContext, c: Case, next: { value: number }): Promise<Sample> {
  const host = new Host(listenUrl(ctx.transport, 'press'));
  const fastNode = new Node();
  const slowNode = new Node();
  let throttle: NodeJS.Timeout | undefined;
  try {
    await host.listening;
    const source = new ValueSource();
    host.enableRemoting(source);
    await fastNode.connectToNode(host.hostUrl);
    const fast = fastNode.acquire(ValueSource);
    const socket = net.connect(netAddress(host.hostUrl));
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    await slowNode.addClientSideConnection(socket, 'slow');
    const slow = slowNode.acquire(ValueSource);
    if (!(await fast.waitForSource(10_000)) || !(await slow.waitForSource(10_000))) throw new Error('replicas did not become valid');
    let disconnects = 0;
    slowNode.on('disconnected', () => disconnects++);
    fastNode.on('disconnected', () => disconnects++);
    let fastSeen = 0;
    let slowSeen = 0;
    fast.on('valueChanged', () => fastSeen++);
    slow.on('valueChanged', () => slowSeen++);
    // The slow reader: reads during one turn every 20 ms.
    // The slow reader: in paused mode, takes what the socket has buffered (at most its
    // highWaterMark) every 20 ms, well under a MB/s.
    socket.pause();
    throttle = setInterval(() => socket.read(), 20);
    const buffers = [new Uint8Array(c.size), new Uint8Array(c.size)];
    const coalescedBefore = host.coalescedChanges;
    const t0 = performance.now();
    let last = 0;
    for (let i = 0; i < c.values; ) {
      const end = Math.min(c.values, i + c.window);
      for (; i < end; i++) {
        const b = buffers[i & 1]!;
        last = ++next.value;
        new DataView(b.buffer).setUint32(0, last, true);
        source.value = b;
      }
      await valueReaches(fast, last, 60_000, `the fast replica to see value ${last}`);
    }
    const t1 = performance.now();
    clearInterval(throttle);
    throttle = undefined;
    socket.resume();
    await valueReaches(slow, last, 120_000, `the slow replica to reach value ${last}`);
    const t2 = performance.now();
    return {
      fastSeen,
      slowSeen,
      coalesced: host.coalescedChanges - coalescedBefore,
      disconnects,
      slowFinal: indexOf(slow.value) === last,
      fastMBps: (c.values * c.size) / MiB / ((t1 - t0) / 1000),
      catchUpMs: t2 - t1,
    };
  } finally {
    if (throttle !== undefined) clearInterval(throttle);
    await fastNode.close();
    await slowNode.close();
    await host.close();
  }
}

export const pressure: Scenario = {
  name: 'pressure',
  title: 'a fast source, a fast and a slow replica (coalescing)',
  async run(ctx: ScenarioContext): Promise<MetricResult[]> {
    const cases: Case[] = [
      { label: '16 MiB', size: 16 * MiB - 64, values: ctx.quick ? 3 : 12, window: 1 },
      { label: '1 KiB', size: 1024, values: ctx.quick ? 2000 : 40_000, window: 256 },
    ];
    const next = { value: 0 };
    const out: MetricResult[] = [];
    for (const c of cases) {
      const samples: Sample[] = [];
      for (let run = 0; run < ctx.runs; run++) {
        const s = await runCase(ctx, c, next);
        samples.push(s);
        ctx.log(
          `pressure ${c.label} ${ctx.transport} run ${run + 1}: fast saw ${s.fastSeen}/${c.values} at ${s.fastMBps.toFixed(0)} MB/s, ` +
            `slow saw ${s.slowSeen} (${s.coalesced} coalesced), ${s.disconnects} disconnects, slow caught up in ${s.catchUpMs.toFixed(0)} ms`,
        );
      }
      const common = { scenario: 'pressure', transport: ctx.transport };
      const notes = [
        `${c.values} values of ${c.label}, ${c.window} per window, the source waits for the fast replica after each window; ` +
          `the slow replica reads what its socket buffered every 20 ms; default pressureThreshold (4 MiB) and maxBufferedBytes (32 MiB)`,
      ];
      out.push(
        {
          ...common,
          metric: `${c.label} values: fast replica throughput`,
          unit: 'MB/s',
          better: 'higher',
          tsro: samples.map((s) => s.fastMBps),
          notes,
        },
        {
          ...common,
          metric: `${c.label} values: missed by the fast replica`,
          unit: 'values',
          better: 'lower',
          tsro: samples.map((s) => c.values - s.fastSeen),
          target: { op: '<=', value: 0, text: 'none' },
        },
        {
          ...common,
          metric: `${c.label} values: coalesced for the slow replica`,
          unit: 'values',
          better: 'higher',
          tsro: samples.map((s) => s.coalesced),
          extra: { slowSeen: samples.map((s) => s.slowSeen) },
        },
        {
          ...common,
          metric: `${c.label} values: disconnects`,
          unit: 'count',
          better: 'lower',
          tsro: samples.map((s) => s.disconnects + (s.slowFinal ? 0 : 1)),
          target: { op: '<=', value: 0, text: 'none, and the slow one ends on the final value' },
        },
        {
          ...common,
          metric: `${c.label} values: slow replica catches up after the last set`,
          unit: 'ms',
          better: 'lower',
          tsro: samples.map((s) => s.catchUpMs),
        },
      );
    }
    return out;
  },
};
