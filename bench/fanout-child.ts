// A receiving end of the push scenarios (property updates, signals, fan-out), in its own
// process: a tsro replica of the bench's BenchSource, or a raw-socket client of the bench's raw
// server. It counts what arrives and, when the value it was armed with arrives, sends the bench
// a "done" event with the count and its receive time on the shared clock.
//
// It can hold a tsro replica and a raw connection at once (one per mode); only one of them is
// fed at a time.
//
// Commands (see ipc.ts): connect {mode, url, kind} ; arm {last} ; status -> {count} ;
// disconnect ; ping ; exit.

import { Node, type Replica } from '../src/index';
import { BenchSource } from './bench-api';
import { sendToBench, serveBench } from './ipc';
import { rawConnect, type RawConn } from './raw-baseline';
import { sharedClockMs } from './stats';

let node: Node | undefined;
let replica: Replica<BenchSource> | undefined;
let raw: RawConn | undefined;
let count = 0;
let chars = 0;
let last = NaN;
let armed = false;

function seen(value: number): void {
  count++;
  if (armed && value === last) {
    armed = false;
    sendToBench({ event: 'done', count, chars, t: sharedClockMs() });
  }
}

async function disconnect(): Promise<void> {
  replica?.release();
  replica = undefined;
  const n = node;
  const r = raw;
  node = undefined;
  raw = undefined;
  await Promise.all([n?.close(), r?.close()]);
}

serveBench(
  {
    async connect(m) {
      const url = m.url as string;
      const kind = m.kind as 'property' | 'signal';
      if (m.mode === 'tsro') {
        if (node) throw new Error('already connected (tsro)');
        node = new Node();
        await node.connectToNode(url);
        replica = node.acquire(BenchSource);
        if (!(await replica.waitForSource(10_000))) throw new Error(`replica of Bench at ${url} did not become valid`);
        if (kind === 'property') {
          replica.on('valueChanged', (v: number) => seen(v));
        } else {
          replica.on('tick', (n: number, s: string) => {
            chars += s.length;
            seen(n);
          });
        }
      } else {
        if (raw) throw new Error('already connected (raw)');
        raw = await rawConnect(url);
        if (kind === 'property') {
          raw.onFrame = (buf, start) => seen(buf.readInt32LE(start));
        } else {
          raw.onFrame = (buf, start, end) => {
            const s = buf.toString('utf8', start + 4, end);
            chars += s.length;
            seen(buf.readInt32LE(start));
          };
        }
      }
    },
    arm(m) {
      count = 0;
      chars = 0;
      last = m.last as number;
      armed = true;
    },
    status() {
      return { count, chars };
    },
    async disconnect() {
      await disconnect();
    },
    ping() {},
  },
  disconnect,
);
