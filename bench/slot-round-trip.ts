// Median round trip of a slot call from the bench process to a host at `url`, through a fresh
// node: 100 warm-up calls, then `calls` sequential ones, each timed alone. Scenarios that compare
// transports (WebSocket vs tcp, NATS vs direct) measure each side with it.

import { Node } from '../src/index';
import { BenchSource } from './bench-api';
import { median, nowMs } from './stats';

/** Median round trip of `BenchSource.add` at `url`, in µs. */
export async function slotRoundTripUs(url: string, calls: number): Promise<number> {
  const node = new Node();
  try {
    await node.connectToNode(url);
    const r = node.acquire(BenchSource);
    if (!(await r.waitForSource(10_000))) throw new Error(`Bench at ${url} did not become valid`);
    for (let i = 0; i < 100; i++) await r.add(i, 1);
    const samples: number[] = [];
    for (let i = 0; i < calls; i++) {
      const t = nowMs();
      await r.add(i, 1);
      samples.push((nowMs() - t) * 1000);
    }
    return median(samples);
  } finally {
    await node.close();
  }
}
