// A crowd of receivers for the scale scenarios: `count` connections spread over a few child
// processes (scale-child.js), tsro Nodes or raw sockets, armed together and timed together.

import { BenchChild } from './ipc';
import type { RawServer } from './raw-baseline';
import { nowMs } from './stats';
import { sleep, withTimeout } from './util';

/** Resolves once `server` holds `count` accepted connections (a client's connect can come first). */
export async function accepted(server: RawServer, count: number, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (server.connections.size < count) {
    if (Date.now() > deadline) throw new Error(`raw server: ${server.connections.size} of ${count} connections accepted`);
    await sleep(5);
  }
}

export class Crowd {
  private constructor(
    private readonly children: BenchChild[],
    /** Connections per child. */
    readonly counts: number[],
  ) {}

  /** Forks `processes` children (fewer if there are fewer connections) for `count` connections. */
  static async fork(script: string, count: number, processes: number): Promise<Crowd> {
    const n = Math.max(1, Math.min(processes, count));
    const counts = Array.from({ length: n }, (_, i) => Math.floor(count / n) + (i < count % n ? 1 : 0));
    const forks = await Promise.allSettled(counts.map((_, i) => BenchChild.fork(script, `scale-child#${i}`)));
    const children = forks.flatMap((f) => (f.status === 'fulfilled' ? [f.value] : []));
    const failed = forks.find((f) => f.status === 'rejected');
    if (failed) {
      await Promise.all(children.map((c) => c.close()));
      throw (failed as PromiseRejectedResult).reason;
    }
    return new Crowd(children, counts);
  }

  get count(): number {
    return this.counts.reduce((a, b) => a + b, 0);
  }

  /** Opens every child's share of connections (tsro or raw) to `url`. */
  async connect(mode: 'tsro' | 'raw', url: string, kind: 'int' | 'bytes', timeoutMs = 300_000): Promise<void> {
    await Promise.all(this.children.map((c, i) => c.request('connect', { mode, url, count: this.counts[i], kind }, timeoutMs)));
  }

  async disconnect(): Promise<void> {
    await Promise.all(this.children.map((c) => c.request('disconnect', {}, 120_000).catch(() => {})));
  }

  /**
   * Arms every child for `last`, runs `push` (which sends the values), and resolves with the time
   * from the start of `push` until the last child said every one of its connections saw `last`
   * (on this process's clock; one IPC hop included), and the most values any connection missed.
   */
  async timed(
    mode: 'tsro' | 'raw',
    last: number,
    expected: number,
    push: () => Promise<void> | void,
    ackEvery = 0,
    timeoutMs = 300_000,
  ): Promise<{ elapsedMs: number; lost: number }> {
    await Promise.all(this.children.map((c) => c.request('arm', { mode, last, ackEvery })));
    const dones = this.children.map((c) => c.next('done').then((m) => ({ m, at: nowMs() })));
    const t0 = nowMs();
    await push();
    let results;
    try {
      results = await withTimeout(Promise.all(dones), timeoutMs, `every connection to see value ${last}`);
    } catch (err) {
      const seen = await Promise.all(this.children.map((c) => c.request('status').catch(() => ({ seen: NaN }))));
      throw new Error(`${(err as Error).message}; lowest count per child: ${seen.map((s) => s.seen).join(', ')} of ${expected}`);
    }
    const elapsedMs = Math.max(...results.map((r) => r.at)) - t0;
    const lost = Math.max(...results.map((r) => expected - (r.m.count as number)));
    return { elapsedMs, lost };
  }

  /** The value in the first child's next "ack" of the run armed for `last` (the value-size curve's window). */
  async nextAck(last: number, timeoutMs = 120_000): Promise<number> {
    for (;;) {
      const m = await withTimeout(this.children[0]!.next('ack'), timeoutMs, `an acknowledgement of the values up to ${last}`);
      if (m.last === last) return m.value as number;
    }
  }

  async close(): Promise<void> {
    await this.disconnect();
    await Promise.all(this.children.map((c) => c.close()));
  }
}
