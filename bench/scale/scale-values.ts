// Scale 4: values from 8 B to 16 MiB, the throughput curve against raw. The source (a bytes
// property, in the bench process) is set to distinct values of one size as fast as the receiver
// (one replica in a child process) takes them: at most 2 MiB (and at least one value) in flight,
// the receiver acknowledging over IPC every quarter window, so that neither tsro's nor the raw
// socket's buffers grow without bound; small values go 1000 per event-loop turn. Throughput:
// payload bytes / time until the receiver saw the last value. Raw: the same payloads as frames
// on a bare socket (the first 4 bytes number them), with the same window.

import { Host } from '../../src/index';
import { BytesSource } from '../bench-api';
import { goal, VALUE_SIZES } from '../goals';
import { RawWriter, rawListen } from '../raw-baseline';
import { accepted, Crowd } from '../scale-clients';
import type { MetricResult, Scenario, ScenarioContext } from '../scenario';
import { immediate } from '../util';

// Below the host's default pressure threshold (maxBufferedBytes / 8 = 4 MiB), past which it would
// coalesce values the replica is slow to take: the curve is of values delivered, not skipped.
const WINDOW_BYTES = 2 * 1024 * 1024;
const CHUNK = 1000;

export const scaleValues: Scenario = {
  name: 'scale-values',
  title: 'scale: value sizes 8 B .. 16 MiB',
  async run(ctx: ScenarioContext): Promise<MetricResult[]> {
    if (ctx.transport !== 'tcp') return [];
    const sizes = ctx.quick ? VALUE_SIZES.filter((v) => v.bytes <= 64 * 1024) : VALUE_SIZES;
    const budget = ctx.quick ? 2 * 1024 * 1024 : 128 * 1024 * 1024;
    // A 16 MiB value and its packet are past the default 16 MiB frame limit (both ends raise it).
    const host = new Host('tcp://127.0.0.1:0', { maxFrameSize: 32 * 1024 * 1024 });
    const rawServer = await rawListen('tcp://127.0.0.1:0', () => {});
    const crowd = await Crowd.fork(ctx.script('scale-child'), 1, 1);
    const results: MetricResult[] = [];
    try {
      await host.listening;
      const src = new BytesSource();
      host.enableRemoting(src);
      await crowd.connect('tsro', host.hostUrl, 'bytes');
      await crowd.connect('raw', rawServer.url, 'bytes');
      await accepted(rawServer, 1);
      const writer = new RawWriter([...rawServer.connections].map((c) => c.socket));
      let seq = 0;
      for (const size of sizes) {
        const n = Math.max(4, Math.min(20_000, Math.floor(budget / size.bytes)));
        const window = Math.max(1, Math.floor(WINDOW_BYTES / size.bytes));
        const ackEvery = Math.max(1, Math.floor(window / 4));
        // A few distinct buffers, reused: the sender's allocation is not what is measured.
        const payloads = Array.from({ length: Math.min(n, 4) }, (_, k) => {
          const b = new Uint8Array(Math.max(8, size.bytes));
          for (let i = 4; i < b.length; i += 4096) b[i] = (i + k) & 0xff;
          return b;
        });
        const stamp = (v: number): Uint8Array => {
          const b = payloads[v % payloads.length]!;
          new DataView(b.buffer).setInt32(0, v, true);
          return b;
        };
        const run = async (mode: 'tsro' | 'raw', emit: (v: number) => void): Promise<{ rate: number; lost: number }> => {
          const first = seq + 1;
          const last = seq + n;
          seq = last;
          let acked = 0;
          const { elapsedMs, lost } = await crowd.timed(
            mode,
            last,
            n,
            async () => {
              let pendingAck: Promise<number> | undefined;
              for (let v = first; v <= last; ) {
                const sent = v - first;
                if (sent - acked >= window) {
                  pendingAck ??= crowd.nextAck(last);
                  // Every value up to the one acknowledged was delivered or superseded.
                  acked = (await pendingAck) - first + 1;
                  pendingAck = undefined;
                  continue;
                }
                const end = Math.min(last, v + CHUNK - 1, first + acked + window - 1);
                for (; v <= end; v++) emit(v);
                if (v <= last) await immediate();
              }
            },
            ackEvery,
          );
          // Values delivered (a host under pressure may coalesce some), per second, in bytes.
          return { rate: (((n - lost) * size.bytes) / elapsedMs) * 1000, lost };
        };
        const emitTsro = (v: number): void => {
          // A new view each time: the property changes only when the value is another object.
          const b = stamp(v);
          src.data = new Uint8Array(b.buffer, 0, size.bytes);
        };
        const emitRaw = (v: number): void => {
          const b = stamp(v);
          const at = writer.begin(size.bytes);
          writer.buf.set(b.subarray(0, size.bytes), at);
        };
        if (!ctx.quick) {
          await run('raw', emitRaw);
          await run('tsro', emitTsro);
        }
        const tsro: number[] = [];
        const raw: number[] = [];
        const lost: number[] = [];
        for (let r = 0; r < ctx.runs; r++) {
          raw.push((await run('raw', emitRaw)).rate);
          const t = await run('tsro', emitTsro);
          tsro.push(t.rate);
          lost.push(t.lost);
          ctx.log(`scale-values ${size.label} run ${r + 1}: tsro ${(tsro.at(-1)! / 1e6).toFixed(1)} MB/s, raw ${(raw.at(-1)! / 1e6).toFixed(1)} MB/s`);
        }
        results.push({
          scenario: 'scale-values',
          transport: ctx.transport,
          metric: `${size.label} values, ${n} per run`,
          unit: 'B/s',
          better: 'higher',
          tsro,
          raw,
          ...(ctx.quick ? {} : { target: goal(`scale-value-${size.bytes}`) }),
          ...(size === sizes[0]
            ? { notes: [`one replica in a child process; at most ${WINDOW_BYTES / 1024 / 1024} MiB in flight (receiver acknowledges over IPC), ${CHUNK} values per turn at most; B/s of payload`] }
            : {}),
          extra: { valuesNotDelivered: lost },
        });
      }
    } finally {
      await crowd.close();
      await host.close();
      await rawServer.close();
    }
    return results;
  },
};
