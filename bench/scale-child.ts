// The receiving ends of the scale scenarios, many per process: `count` tsro Nodes (one
// connection and one replica each) or `count` raw sockets, all to the same host. Each watches the
// value it receives: an int32 property (BenchSource.value) or the first 4 bytes (little-endian)
// of a bytes property (BytesSource.data), and the raw frames' first 4 bytes.
//
// Commands (see ipc.ts):
//   connect {mode: 'tsro'|'raw', url, count, kind: 'int'|'bytes'}
//   arm {mode, last, ackEvery}  "done" {count, t} once every connection of that mode saw `last`; with
//                          ackEvery > 0, "ack" {value, last} each time the first connection sees a
//                          value in a further block of ackEvery (the sender's window)
//   status -> {seen: the lowest count of any connection}; disconnect; ping; exit.

import { Node, type Replica } from '../src/index';
import { BenchSource, BytesSource } from './bench-api';
import { sendToBench, serveBench } from './ipc';
import { rawConnect, type RawConn } from './raw-baseline';
import { sharedClockMs } from './stats';

interface Receiver {
  readonly mode: 'tsro' | 'raw';
  /** Values seen since the last arm. */
  seen: number;
}

let nodes: Node[] = [];
let replicas: { release(): void }[] = [];
let raws: RawConn[] = [];
let receivers: Receiver[] = [];
/** The receivers of the mode armed last (the other mode's connections get nothing meanwhile). */
let armedSet: Receiver[] = [];
let last = NaN;
let armed = false;
let reached = 0;
let ackEvery = 0;
let ackedBucket = -1;

function seen(r: Receiver, value: number): void {
  r.seen++;
  // Acknowledged by value, not by count: a host may coalesce property values a replica is slow
  // to take, so "every ackEvery-th value" might never be seen.
  if (r === armedSet[0] && ackEvery > 0 && Math.floor(value / ackEvery) > ackedBucket) {
    ackedBucket = Math.floor(value / ackEvery);
    sendToBench({ event: 'ack', value, last });
  }
  if (armed && value === last && ++reached === armedSet.length) {
    armed = false;
    sendToBench({ event: 'done', count: Math.min(...armedSet.map((x) => x.seen)), t: sharedClockMs() });
  }
}

async function inBatches(count: number, batch: number, make: (i: number) => Promise<void>): Promise<void> {
  for (let i = 0; i < count; i += batch) {
    const n = Math.min(batch, count - i);
    await Promise.all(Array.from({ length: n }, (_, k) => make(i + k)));
  }
}

async function disconnect(): Promise<void> {
  for (const r of replicas) r.release();
  const closing = [...nodes.map((n) => n.close()), ...raws.map((r) => r.close())];
  nodes = [];
  replicas = [];
  raws = [];
  receivers = [];
  armedSet = [];
  await Promise.all(closing);
}

serveBench(
  {
    async connect(m) {
      const url = m.url as string;
      const count = m.count as number;
      const kind = m.kind as 'int' | 'bytes';
      const base = receivers.length;
      await inBatches(count, 50, async (k) => {
        const i = base + k;
        const r: Receiver = { mode: m.mode === 'tsro' ? 'tsro' : 'raw', seen: 0 };
        receivers[i] = r;
        if (m.mode === 'tsro') {
          // 16 MiB values need frames past the default 16 MiB limit (the value plus its packet).
          const node = new Node(kind === 'bytes' ? { reconnect: false, maxFrameSize: 32 * 1024 * 1024 } : { reconnect: false });
          nodes.push(node);
          await node.connectToNode(url);
          if (kind === 'int') {
            const replica: Replica<BenchSource> = node.acquire(BenchSource);
            replicas.push(replica);
            replica.on('valueChanged', (v: number) => seen(r, v));
            if (!(await replica.waitForSource(60_000))) throw new Error(`replica #${i} of Bench at ${url} did not become valid`);
          } else {
            const replica: Replica<BytesSource> = node.acquire(BytesSource);
            replicas.push(replica);
            replica.on('dataChanged', (v: Uint8Array) => seen(r, v.length >= 4 ? new DataView(v.buffer, v.byteOffset, 4).getInt32(0, true) : -1));
            if (!(await replica.waitForSource(60_000))) throw new Error(`replica #${i} of Bytes at ${url} did not become valid`);
          }
        } else {
          const conn = await rawConnect(url);
          raws.push(conn);
          conn.onFrame = (buf, start) => seen(r, buf.readInt32LE(start));
        }
      });
      return { connected: receivers.length };
    },
    arm(m) {
      armedSet = receivers.filter((r) => r.mode === m.mode);
      if (armedSet.length === 0) throw new Error(`no ${String(m.mode)} connections to arm`);
      for (const r of receivers) r.seen = 0;
      last = m.last as number;
      ackEvery = (m.ackEvery as number | undefined) ?? 0;
      ackedBucket = -1;
      reached = 0;
      armed = true;
    },
    status() {
      return { seen: armedSet.length === 0 ? 0 : Math.min(...armedSet.map((r) => r.seen)) };
    },
    async disconnect() {
      await disconnect();
    },
    ping() {},
  },
  disconnect,
);
