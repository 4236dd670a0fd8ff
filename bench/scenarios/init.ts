// Scenario 6: init. Time from acquire to valid (waitForSource) for a host (in another process)
// holding: one 1 MiB Uint8Array property; one 256 Ki-element number[] property; 1000 int32
// properties, acquired typed and dynamic (the dynamic replica also receives the API
// definition). Each measurement uses a fresh Node, connected before the clock starts. Per run,
// the sample is the median of `reps` measurements.
//
// Baseline: a fresh raw connection per measurement; one request frame, one reply frame with the
// data in its plainest binary form, decoded into what a replica would hold (a view over the
// bytes; a number[]; an array of 1000 numbers; for "dynamic", also the 1000 names into a Map).

import { Node } from '../../src/index';
import {
  BLOB_BYTES,
  BlobSource,
  NUMBERS_LENGTH,
  NumbersSource,
  SNAPSHOT_BLOB,
  SNAPSHOT_NUMBERS,
  SNAPSHOT_WIDE,
  SNAPSHOT_WIDE_NAMED,
  WIDE_PROPERTIES,
  WideSource,
} from '../bench-api';
import { BenchChild } from '../ipc';
import { goal } from '../goals';
import { OP_SNAPSHOT, rawConnect, rawRequest } from '../raw-baseline';
import type { MetricResult, Scenario, ScenarioContext, Target } from '../scenario';
import { median, nowMs } from '../stats';

interface Case {
  metric: string;
  snapshot: number;
  target?: Target;
  qtro?: number;
  acquire(node: Node): { waitForSource(ms: number): Promise<boolean>; check(): void; release(): void };
  decodeRaw(body: Buffer): void;
}

function expect(ok: boolean, what: string): void {
  if (!ok) throw new Error(`init: ${what}`);
}

const cases: Case[] = [
  {
    metric: '1 MiB Uint8Array property (typed)',
    snapshot: SNAPSHOT_BLOB,
    target: goal('init-1mib'),
    qtro: 0.7,
    acquire(node) {
      const r = node.acquire(BlobSource);
      return {
        waitForSource: (ms) => r.waitForSource(ms),
        check: () => expect(r.data.length === BLOB_BYTES && r.data[1] === 31, 'blob content'),
        release: () => r.release(),
      };
    },
    decodeRaw(body) {
      const view = new Uint8Array(body.buffer, body.byteOffset, body.length);
      expect(view.length === BLOB_BYTES && view[1] === 31, 'raw blob content');
    },
  },
  {
    metric: '256 Ki-element number[] property (typed)',
    snapshot: SNAPSHOT_NUMBERS,
    acquire(node) {
      const r = node.acquire(NumbersSource);
      return {
        waitForSource: (ms) => r.waitForSource(ms),
        check: () => expect(r.items.length === NUMBERS_LENGTH && r.items[3] === 3.25, 'numbers content'),
        release: () => r.release(),
      };
    },
    decodeRaw(body) {
      // One copy into aligned memory (the frame may sit at any offset), then a plain array.
      const doubles = new Float64Array(NUMBERS_LENGTH);
      new Uint8Array(doubles.buffer).set(body.subarray(0, NUMBERS_LENGTH * 8));
      // (push, not new Array(n): V8 makes a dictionary-mode array of a large preallocated one.)
      const out: number[] = [];
      for (let i = 0; i < NUMBERS_LENGTH; i++) out.push(doubles[i]!);
      expect(out[3] === 3.25, 'raw numbers content');
    },
  },
  {
    metric: '1000 int32 properties (typed)',
    snapshot: SNAPSHOT_WIDE,
    target: goal('init-wide-typed'),
    qtro: 1.2,
    acquire(node) {
      const r = node.acquire(WideSource) as unknown as {
        waitForSource(ms: number): Promise<boolean>;
        release(): void;
        [k: string]: unknown;
      };
      return {
        waitForSource: (ms) => r.waitForSource(ms),
        check: () => expect(r.p999 === 999_000, 'wide content'),
        release: () => r.release(),
      };
    },
    decodeRaw(body) {
      const out = new Array<number>(WIDE_PROPERTIES);
      for (let i = 0; i < WIDE_PROPERTIES; i++) out[i] = body.readInt32LE(i * 4);
      expect(out[999] === 999_000, 'raw wide content');
    },
  },
  {
    metric: '1000 int32 properties (dynamic)',
    snapshot: SNAPSHOT_WIDE_NAMED,
    target: goal('init-wide-dynamic'),
    qtro: 8.4,
    acquire(node) {
      const r = node.acquireDynamic('Wide');
      return {
        waitForSource: (ms) => r.waitForSource(ms),
        check: () => expect(r.get('p999') === 999_000, 'dynamic wide content'),
        release: () => r.release(),
      };
    },
    decodeRaw(body) {
      const namesLength = body.readUInt32LE(0);
      const names = body.toString('utf8', 4, 4 + namesLength).split('\n');
      const index = new Map<string, number>();
      for (let i = 0; i < names.length; i++) index.set(names[i]!, i);
      const values = new Array<number>(names.length);
      for (let i = 0; i < names.length; i++) values[i] = body.readInt32LE(4 + namesLength + i * 4);
      expect(values[index.get('p999')!] === 999_000, 'raw dynamic wide content');
    },
  },
];

async function measureTsro(url: string, c: Case): Promise<number> {
  const node = new Node();
  try {
    await node.connectToNode(url);
    const t0 = nowMs();
    const r = c.acquire(node);
    const valid = await r.waitForSource(10_000);
    const ms = nowMs() - t0;
    expect(valid, `${c.metric}: replica did not become valid`);
    r.check();
    r.release();
    return ms;
  } finally {
    await node.close();
  }
}

async function measureRaw(url: string, c: Case): Promise<number> {
  const conn = await rawConnect(url);
  try {
    const t0 = nowMs();
    const body = await rawRequest(conn, Uint8Array.of(OP_SNAPSHOT, c.snapshot));
    c.decodeRaw(body);
    return nowMs() - t0;
  } finally {
    await conn.close();
  }
}

export const init: Scenario = {
  name: 'init',
  title: 'replica init',
  async run(ctx: ScenarioContext): Promise<MetricResult[]> {
    const reps = ctx.quick ? 2 : 15;
    const warm = ctx.quick ? 0 : 3;
    const child = await BenchChild.fork(ctx.script('server-child'), `server-child(${ctx.transport})`);
    try {
      const { tsroUrl, rawUrl } = (await child.request('start', { transport: ctx.transport, sources: 'init' })) as {
        tsroUrl: string;
        rawUrl: string;
      };
      const tsro = cases.map(() => [] as number[]);
      const raw = cases.map(() => [] as number[]);
      for (const c of cases) {
        for (let i = 0; i < warm; i++) {
          await measureRaw(rawUrl, c);
          await measureTsro(tsroUrl, c);
        }
      }
      for (let run = 0; run < ctx.runs; run++) {
        for (const [k, c] of cases.entries()) {
          const t: number[] = [];
          const r: number[] = [];
          for (let i = 0; i < reps; i++) {
            r.push(await measureRaw(rawUrl, c));
            t.push(await measureTsro(tsroUrl, c));
          }
          tsro[k]!.push(median(t));
          raw[k]!.push(median(r));
        }
        ctx.log(`init ${ctx.transport} run ${run + 1}: ${cases.map((c, k) => `${c.metric}: ${tsro[k]!.at(-1)!.toFixed(2)} ms`).join('; ')}`);
      }
      return cases.map((c, k) => ({
        scenario: 'init',
        transport: ctx.transport,
        metric: c.metric,
        unit: 'ms',
        better: 'lower',
        tsro: tsro[k]!,
        raw: raw[k]!,
        target: c.target,
        qtro: c.qtro,
        notes:
          k === 0
            ? [`acquire -> valid on a fresh, already connected Node; per run the median of ${reps} measurements (after ${warm} warm-ups per case); host in a child process`]
            : undefined,
      }));
    } finally {
      await child.close();
    }
  },
};
