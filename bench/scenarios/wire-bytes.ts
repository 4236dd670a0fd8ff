// Scenario 8: bytes on the wire. A counting proxy sits between a Node and a Host and records
// every byte that crosses it, each way. Each message is produced alone on an otherwise quiet
// connection (the proxy waits until nothing has moved for a while before and after), so the bytes
// that crossed are exactly that message's frame(s), length prefix included. The frames are parsed
// back (varint length + body) to check there is exactly one and to show them in hex.
//
// Measured: a small call add(1, 2) (node -> host), its reply (host -> node), a change of an
// int32 property to 42 and a signal tick(1, "x") (host -> node). The raw baseline's frames for
// the same messages go through the same proxy.

import * as net from 'node:net';
import { Host, Node } from '../../src/index';
import { BenchSource } from '../bench-api';
import { goal } from '../goals';
import { RawRpcClient, rawConnect, rawListen, serveRaw, type RawConn } from '../raw-baseline';
import type { MetricResult, Scenario, ScenarioContext, Target } from '../scenario';
import { listenUrl, netAddress, sleep, withTimeout, type TransportName } from '../util';

export interface CountingProxy {
  readonly url: string;
  bytes(): { up: Buffer; down: Buffer };
  readonly lastActivity: () => number;
  close(): Promise<void>;
}

export async function countingProxy(transport: TransportName, target: string): Promise<CountingProxy> {
  const up: Buffer[] = [];
  const down: Buffer[] = [];
  let activity = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer({ noDelay: true }, (client) => {
    const upstream = net.connect({ ...netAddress(target), noDelay: true } as net.NetConnectOpts);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.on('data', (c: Buffer) => {
      up.push(Buffer.from(c));
      activity++;
      upstream.write(c);
    });
    upstream.on('data', (c: Buffer) => {
      down.push(Buffer.from(c));
      activity++;
      client.write(c);
    });
    client.on('end', () => upstream.end());
    upstream.on('end', () => client.end());
  });
  const listenAt = netAddress(listenUrl(transport, 'x'));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listenAt, () => resolve());
  });
  const url =
    'path' in listenAt
      ? `local:${listenAt.path}`
      : `tcp://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  return {
    url,
    bytes: () => ({ up: Buffer.concat(up), down: Buffer.concat(down) }),
    lastActivity: () => activity,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}

/** Waits until nothing has crossed the proxy for `ms`. */
export async function quiet(proxy: CountingProxy, ms = 40): Promise<void> {
  for (;;) {
    const before = proxy.lastActivity();
    await sleep(ms);
    if (proxy.lastActivity() === before) return;
  }
}

interface Captured {
  up: Buffer;
  down: Buffer;
}

async function capture(proxy: CountingProxy, op: () => Promise<void>): Promise<Captured> {
  await quiet(proxy);
  const before = proxy.bytes();
  await withTimeout(op(), 5000, 'wire-bytes operation');
  await quiet(proxy);
  const after = proxy.bytes();
  return { up: after.up.subarray(before.up.length), down: after.down.subarray(before.down.length) };
}

/** Splits captured bytes into frames (prefix + body each). */
function frames(bytes: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    let p = pos;
    let len = 0;
    let mul = 1;
    let b: number;
    do {
      b = bytes[p++]!;
      len += (b & 0x7f) * mul;
      mul *= 128;
    } while (b & 0x80 && p < bytes.length);
    out.push(bytes.subarray(pos, p + len));
    pos = p + len;
  }
  return out;
}

interface Message {
  metric: string;
  target?: Target;
  qtro?: number;
}

const MESSAGES: Message[] = [
  { metric: 'small call add(1, 2)', target: goal('bytes-call'), qtro: 49 },
  { metric: 'its reply', target: goal('bytes-reply'), qtro: 33 },
  { metric: 'int32 property change (to 42)', target: goal('bytes-change'), qtro: 82 },
  { metric: 'signal tick(1, "x")' },
];

/** Bytes of each MESSAGES entry, and their frames in hex. */
async function tsroBytes(transport: TransportName): Promise<{ sizes: number[]; hex: string[] }> {
  const host = new Host(listenUrl(transport, 'w'));
  const node = new Node();
  let proxy: CountingProxy | undefined;
  try {
    await host.listening;
    const src = new BenchSource();
    host.enableRemoting(src);
    proxy = await countingProxy(transport, host.hostUrl);
    await node.connectToNode(proxy.url);
    const r = node.acquire(BenchSource);
    if (!(await r.waitForSource(5000))) throw new Error('replica did not become valid');
    const call = await capture(proxy, async () => {
      if ((await r.add(1, 2)) !== 3) throw new Error('add(1, 2) !== 3');
    });
    const prop = await capture(proxy, async () => {
      const seen = new Promise<void>((resolve) => r.once('valueChanged', () => resolve()));
      src.value = 42;
      await seen;
    });
    const sig = await capture(proxy, async () => {
      const seen = new Promise<void>((resolve) => r.once('tick', () => resolve()));
      src.tick(1, 'x');
      await seen;
    });
    return describe([call.up, call.down, prop.down, sig.down], [prop.up, sig.up]);
  } finally {
    await node.close();
    await host.close();
    await proxy?.close();
  }
}

async function rawBytes(transport: TransportName): Promise<{ sizes: number[]; hex: string[] }> {
  let serverConn: RawConn | undefined;
  const server = await rawListen(listenUrl(transport, 'wr'), (c) => {
    serverConn = c;
    serveRaw(c, {});
  });
  let proxy: CountingProxy | undefined;
  let client: RawConn | undefined;
  try {
    proxy = await countingProxy(transport, server.url);
    client = await rawConnect(proxy.url);
    const rpc = new RawRpcClient(client);
    const call = await capture(proxy, async () => {
      if ((await rpc.add(1, 2)) !== 3) throw new Error('raw add(1, 2) !== 3');
    });
    const conn = client;
    const push = (write: () => void): Promise<void> =>
      new Promise<void>((resolve) => {
        conn.onFrame = () => resolve();
        write();
      });
    const prop = await capture(proxy, () =>
      push(() => {
        const w = serverConn!.writer;
        w.buf.writeInt32LE(42, w.begin(4));
      }),
    );
    const sig = await capture(proxy, () =>
      push(() => {
        const w = serverConn!.writer;
        const at = w.begin(5);
        w.buf.writeInt32LE(1, at);
        w.buf.write('x', at + 4, 1, 'utf8');
      }),
    );
    return describe([call.up, call.down, prop.down, sig.down], [prop.up, sig.up]);
  } finally {
    await client?.close();
    await proxy?.close();
    await server.close();
  }
}

function describe(captured: Buffer[], mustBeEmpty: Buffer[]): { sizes: number[]; hex: string[] } {
  for (const b of mustBeEmpty) if (b.length > 0) throw new Error(`unexpected ${b.length} bytes the other way`);
  return {
    sizes: captured.map((b) => b.length),
    hex: captured.map((b) => frames(b).map((f) => f.toString('hex')).join(' | ')),
  };
}

export const wireBytes: Scenario = {
  name: 'bytes',
  title: 'bytes on the wire',
  async run(ctx: ScenarioContext): Promise<MetricResult[]> {
    const t = await tsroBytes(ctx.transport);
    const r = await rawBytes(ctx.transport);
    ctx.log(`bytes ${ctx.transport}: tsro ${t.sizes.join('/')} raw ${r.sizes.join('/')}`);
    return MESSAGES.map((m, i) => ({
      scenario: 'bytes',
      transport: ctx.transport,
      metric: m.metric,
      unit: 'bytes',
      better: 'lower',
      tsro: [t.sizes[i]!],
      raw: [r.sizes[i]!],
      target: m.target,
      qtro: m.qtro,
      notes:
        i === 0
          ? ['exact bytes through a counting proxy, length prefix included; deterministic, measured once']
          : undefined,
      extra: { tsroFrames: t.hex[i], rawFrames: r.hex[i] },
    }));
  },
};
