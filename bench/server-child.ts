// The far end of the request/reply scenarios (slot calls, init, memory), in its own process: a
// tsro Host with the scenario's sources and, next to it, a raw-socket server answering the same
// requests. The bench process connects to both and measures on its own clock.
//
// Commands (see ipc.ts): start {transport, sources: bench|init|many|registry, count} -> {tsroUrl, rawUrl}; mem -> memory
// after GC; stop; ping; exit.

import { Host, RegistryHost } from '../src/index';
import { BenchSource, makeBlob, makeNumbers, makeWide, rawSnapshots } from './bench-api';
import { serveBench } from './ipc';
import { rawListen, serveRaw, type RawServer, type RawSubscription } from './raw-baseline';
import { listenUrl, measureMemory, type TransportName } from './util';

let host: Host | undefined;
let raw: RawServer | undefined;
let rawSubscriptions = new Map<number, RawSubscription[]>();
// Keeps the sources reachable for as long as they are remoted.
let sources: object[] = [];

async function stop(): Promise<void> {
  const h = host;
  const r = raw;
  host = undefined;
  raw = undefined;
  sources = [];
  rawSubscriptions = new Map();
  await Promise.all([h?.close(), r?.close()]);
}

serveBench(
  {
    async start(m) {
      await stop();
      const transport = m.transport as TransportName;
      const kind = m.sources as string;
      const h = kind === 'registry' ? new RegistryHost(listenUrl(transport, 'g')) : new Host(listenUrl(transport, 'h'));
      host = h;
      await h.listening;
      const snapshots = kind === 'init' ? rawSnapshots() : new Map<number, Uint8Array>();
      if (kind === 'bench') {
        sources = [new BenchSource()];
        h.enableRemoting(sources[0]!);
      } else if (kind === 'init') {
        sources = [makeBlob(), makeNumbers(), makeWide()];
        for (const s of sources) if (!h.enableRemoting(s)) throw new Error('enableRemoting failed');
      } else if (kind === 'registry') {
        // A registry and nothing else: hosts register their sources with it.
      } else if (kind === 'many') {
        const count = m.count as number;
        for (let i = 0; i < count; i++) {
          const s = new BenchSource();
          s.value = i;
          sources.push(s);
          if (!h.enableRemoting(s, `Bench-${i}`)) throw new Error(`enableRemoting Bench-${i} failed`);
        }
      } else {
        throw new Error(`unknown source set ${kind}`);
      }
      raw = await rawListen(listenUrl(transport, 'r'), (conn) =>
        serveRaw(conn, { snapshot: (k) => snapshots.get(k)!, currentValue: (id) => id }, rawSubscriptions),
      );
      return { tsroUrl: h.hostUrl, rawUrl: raw.url };
    },
    async mem() {
      return { ...(await measureMemory()) };
    },
    async stop() {
      await stop();
    },
    ping() {},
  },
  stop,
);
