// Model benchmarks (issue 17): a 1,000,000-row ListModel of Track value types, over tcp and local.
//
//   node dist/bench/models.js [--quick] [--transport tcp|local] [--out file]
//
// - acquire -> first 100 rows visible: a fresh, connected Node acquires the model with
//   prefetch 100; the clock stops when rows 0..99 are in its cache (goal <= 20 ms on tcp).
//   Baseline: one request and one reply of 100 JSON rows on a bare socket.
// - single-row change: the bytes one set(i) puts on the wire per replica holding the row (and
//   what a 1M-element array property would cost, the way to do it without models); time until
//   10 replicas (10 Nodes) holding the row have it.
// - replica memory with cacheSize 1000 after scrolling 20,000 rows, for a 10,000-row and a
//   1,000,000-row model (goal: the same): heap growth of the node and the host's mirror, after GC.
// - scrolling the whole model in 100-row fetches, awaited one after the other: rows/s, against
//   the same requests answered with JSON rows on a bare socket.
//
// Host and nodes share this process (one event loop does both ends' work), so times include
// both sides. The process re-runs itself with --expose-gc when global.gc is missing.

import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { Field, Host, ListModel, Node, ValueType, type ModelReplica } from '../src/index';
import { encodePacket } from '../src/protocol/packet-codec';
import { encodeValue } from '../src/protocol/value-codec';
import { median, nowMs } from './stats';
import { listenUrl, netAddress, type TransportName } from './util';

@ValueType('BenchTrack')
class Track {
  @Field({ type: 'string' }) title = '';
  @Field({ type: 'int32' }) seconds = 0;
}

function track(i: number): Track {
  return Object.assign(new Track(), { title: `Track number ${i}`, seconds: 60 + (i % 300) });
}

interface Row {
  metric: string;
  transport: TransportName | '-';
  unit: string;
  value: number;
  raw?: number;
  goal?: string;
  note?: string;
}

const quick = process.argv.includes('--quick');
const SIZE = quick ? 50_000 : 1_000_000;
const log = (m: string): void => void process.stderr.write(`[models] ${m}\n`);

async function until(check: () => boolean, on: (fn: () => void) => () => void, ms = 10_000): Promise<void> {
  if (check()) return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error('bench: timed out'));
    }, ms);
    const off = on(() => {
      if (!check()) return;
      clearTimeout(timer);
      off();
      resolve();
    });
  });
}

function rowsArrived(m: ModelReplica<Track>, from: number, to: number): Promise<void> {
  const check = (): boolean => {
    for (let i = from; i < to; i++) if (!m.hasRow(i)) return false;
    return true;
  };
  return until(check, (fn) => {
    m.on('rowsChanged', fn);
    return () => m.off('rowsChanged', fn);
  });
}

function gcHeap(): number {
  const gc = (globalThis as { gc?: () => void }).gc!;
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

// ---- raw baseline: a bare socket answering (start, count) with JSON rows, length-prefixed ----

async function rawServer(url: string, rows: readonly { title: string; seconds: number }[]): Promise<net.Server> {
  const server = net.createServer((socket) => {
    let buf = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 8) {
        const start = buf.readUInt32LE(0);
        const count = buf.readUInt32LE(4);
        buf = buf.subarray(8);
        const body = Buffer.from(JSON.stringify(rows.slice(start, start + count)));
        const head = Buffer.alloc(4);
        head.writeUInt32LE(body.length);
        socket.write(Buffer.concat([head, body]));
      }
    });
    socket.on('error', () => {});
  });
  const address = netAddress(url);
  await new Promise<void>((resolve) => ('path' in address ? server.listen(address.path, resolve) : server.listen(address.port, address.host, resolve)));
  return server;
}

function rawClient(server: net.Server, url: string): Promise<{ fetch(start: number, count: number): Promise<unknown[]>; close(): void }> {
  const address = netAddress(url);
  const a = server.address();
  const socket = 'path' in address ? net.connect(address.path) : net.connect((a as net.AddressInfo).port, '127.0.0.1');
  socket.setNoDelay(true);
  let buf = Buffer.alloc(0);
  let waiter: ((rows: unknown[]) => void) | undefined;
  socket.on('data', (chunk) => {
    buf = Buffer.concat([buf, chunk]);
    if (buf.length < 4) return;
    const n = buf.readUInt32LE(0);
    if (buf.length < 4 + n) return;
    const rows = JSON.parse(buf.subarray(4, 4 + n).toString()) as unknown[];
    buf = buf.subarray(4 + n);
    const w = waiter;
    waiter = undefined;
    w?.(rows);
  });
  return new Promise((resolve) =>
    socket.once('connect', () =>
      resolve({
        fetch(start, count) {
          const req = Buffer.alloc(8);
          req.writeUInt32LE(start, 0);
          req.writeUInt32LE(count, 4);
          socket.write(req);
          return new Promise((r) => (waiter = r));
        },
        close: () => socket.destroy(),
      }),
    ),
  );
}

// ---- scenarios ---------------------------------------------------------------------------------

async function runTransport(transport: TransportName, big: ListModel<Track>, small: ListModel<Track>, rows: Row[]): Promise<void> {
  const host = new Host(listenUrl(transport, 'models'), { logger: { warn: () => {}, error: (m, e) => log(`${m} ${String(e)}`) } });
  await host.listening;
  host.enableRemoting(big, 'Big');
  host.enableRemoting(small, 'Small');
  const plain = Array.from({ length: SIZE }, (_, i) => ({ title: `Track number ${i}`, seconds: 60 + (i % 300) }));
  const rawUrl = listenUrl(transport, 'models-raw');
  const raw = await rawServer(rawUrl.startsWith('tcp') ? 'tcp://127.0.0.1:0' : rawUrl, plain);
  const nodes: Node[] = [];
  const connected = async (): Promise<Node> => {
    const n = new Node();
    await n.connectToNode(host.hostUrl);
    nodes.push(n);
    return n;
  };
  try {
    // 1. acquire -> first 100 rows visible
    log(`${transport}: acquire -> first 100 rows`);
    const times: number[] = [];
    for (let rep = 0; rep < (quick ? 3 : 20); rep++) {
      const node = await connected();
      const t0 = nowMs();
      const m = node.acquireModel<Track>('Big', { prefetch: 100 });
      await rowsArrived(m, 0, 100);
      times.push(nowMs() - t0);
      if (m.rowCount !== SIZE || m.row(99)!.title !== 'Track number 99') throw new Error('bench: wrong rows');
      await node.close();
    }
    const rawTimes: number[] = [];
    for (let rep = 0; rep < (quick ? 3 : 20); rep++) {
      const t0 = nowMs();
      const c = await rawClient(raw, rawUrl);
      const got = await c.fetch(0, 100);
      rawTimes.push(nowMs() - t0);
      if (got.length !== 100) throw new Error('bench: raw rows');
      c.close();
    }
    rows.push({ metric: 'acquire -> first 100 rows visible (connected node)', transport, unit: 'ms', value: median(times), raw: median(rawTimes), goal: '<= 20 ms' });

    // 2. a single-row change reaching 10 replicas that hold the row
    log(`${transport}: single-row change to 10 replicas`);
    const replicas: ModelReplica<Track>[] = [];
    for (let k = 0; k < 10; k++) {
      const m = (await connected()).acquireModel<Track>('Big');
      await m.waitForSource(5000);
      await m.fetch(SIZE / 2, 1);
      replicas.push(m);
    }
    const reach: number[] = [];
    for (let rep = 0; rep < (quick ? 5 : 50); rep++) {
      const arrived = replicas.map((m) => new Promise<void>((resolve) => m.once('rowsChanged', () => resolve())));
      const t0 = nowMs();
      big.set(SIZE / 2, track(rep));
      await Promise.all(arrived);
      reach.push(nowMs() - t0);
      if (replicas[9]!.row(SIZE / 2)!.title !== `Track number ${rep}`) throw new Error('bench: change lost');
    }
    rows.push({ metric: 'single-row change reaches 10 replicas', transport, unit: 'ms', value: median(reach) });
    for (const m of replicas) m.release();
  } finally {
    for (const n of nodes) await n.close();
    await host.close();
    raw.close();
  }
}

async function scroll(transport: TransportName, big: ListModel<Track>, rows: Row[]): Promise<void> {
  log(`${transport}: scrolling the whole model in 100-row fetches`);
  const host = new Host(listenUrl(transport, 'models-scroll'));
  await host.listening;
  host.enableRemoting(big, 'Big');
  const node = new Node();
  await node.connectToNode(host.hostUrl);
  const plain = Array.from({ length: SIZE }, (_, i) => ({ title: `Track number ${i}`, seconds: 60 + (i % 300) }));
  const rawUrl = listenUrl(transport, 'models-scroll-raw');
  const raw = await rawServer(rawUrl.startsWith('tcp') ? 'tcp://127.0.0.1:0' : rawUrl, plain);
  try {
    const m = node.acquireModel<Track>('Big');
    await m.waitForSource(5000);
    let t0 = nowMs();
    for (let at = 0; at < SIZE; at += 100) {
      const page = await m.fetch(at, 100);
      if (page.length !== 100) throw new Error('bench: short page');
    }
    const tsro = SIZE / ((nowMs() - t0) / 1000);
    const c = await rawClient(raw, rawUrl);
    t0 = nowMs();
    for (let at = 0; at < SIZE; at += 100) await c.fetch(at, 100);
    const rawRate = SIZE / ((nowMs() - t0) / 1000);
    c.close();
    rows.push({ metric: `scroll ${SIZE} rows in 100-row fetches`, transport, unit: 'rows/s', value: tsro, raw: rawRate });
  } finally {
    await node.close();
    await host.close();
    raw.close();
  }
}

async function memory(transport: TransportName, big: ListModel<Track>, small: ListModel<Track>, rows: Row[]): Promise<void> {
  const host = new Host(listenUrl(transport, 'models-mem'));
  await host.listening;
  host.enableRemoting(big, 'Big');
  host.enableRemoting(small, 'Small');
  try {
    for (const [name, size] of [
      ['Small', small.length],
      ['Big', big.length],
    ] as const) {
      log(`${transport}: replica memory, ${size} rows`);
      const samples: number[] = [];
      for (let rep = 0; rep < 3; rep++) {
        const node = new Node();
        await node.connectToNode(host.hostUrl);
        const m = node.acquireModel<Track>(name, { cacheSize: 1000 });
        await m.waitForSource(5000);
        const before = gcHeap();
        for (let at = 0; at < 20_000; at += 100) await m.fetch(at, 100);
        if (m.cachedRowCount !== 1000) throw new Error(`bench: cache holds ${m.cachedRowCount}`);
        samples.push(gcHeap() - before);
        await node.close();
      }
      rows.push({
        metric: `replica memory, cacheSize 1000, ${size}-row model`,
        transport,
        unit: 'KiB',
        value: median(samples) / 1024,
        note: 'growth of node + host mirror from an empty cache to a full one (20 000 rows scrolled); median of 3',
      });
    }
  } finally {
    await host.close();
  }
}

function wireBytes(rows: Row[]): void {
  const row = encodeValue({ title: 'Track number 500000', seconds: 61 }, 'row');
  const change = encodePacket({ rowsChanged: { source: 2, start: SIZE / 2, rows: [row] } });
  const varint = (n: number): number => (n < 128 ? 1 : n < 16384 ? 2 : n < 2097152 ? 3 : 4);
  rows.push({ metric: 'single-row change, bytes per replica holding it', transport: '-', unit: 'B', value: change.length + varint(change.length), note: 'any model size' });
  // Without models: the list as an array property, resent whole on every change.
  const list = encodePacket({
    propertyChange: { source: 2, index: 0, value: encodeValue(Array.from({ length: SIZE }, (_, i) => ({ title: `Track number ${i}`, seconds: 60 + (i % 300) })), 'list') },
  });
  rows.push({ metric: `the same change as a ${SIZE}-element array property`, transport: '-', unit: 'B', value: list.length + varint(list.length) });
}

function format(rows: readonly Row[]): string {
  const fmt = (n: number): string => (n >= 1000 ? Math.round(n).toLocaleString('en-US') : n.toFixed(n < 10 ? 2 : 1));
  const cells = rows.map((r) => [r.metric, r.transport, `${fmt(r.value)} ${r.unit}`, r.raw === undefined ? '' : `${fmt(r.raw)} ${r.unit}`, r.goal ?? '', r.note ?? '']);
  const all = [['metric', 'tr', 'tsro', 'raw', 'goal', 'note'], ...cells];
  const widths = all[0]!.map((_, i) => Math.max(...all.map((c) => c[i]!.length)));
  return all.map((c) => c.map((x, i) => x.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}

async function main(): Promise<void> {
  const only = process.argv.indexOf('--transport');
  const transports: TransportName[] = only >= 0 ? [process.argv[only + 1] as TransportName] : ['tcp', 'local'];
  const outAt = process.argv.indexOf('--out');
  const out = outAt >= 0 ? path.resolve(process.argv[outAt + 1]!) : path.join(__dirname, '..', '..', 'bench', 'results', quick ? 'models-quick.json' : 'models.json');
  log(`building a ${SIZE}-row model`);
  const big = new ListModel(Track);
  big.replace(Array.from({ length: SIZE }, (_, i) => track(i)));
  const small = new ListModel(Track);
  small.replace(Array.from({ length: 20_000 }, (_, i) => track(i)));
  const rows: Row[] = [];
  wireBytes(rows);
  for (const t of transports) {
    await runTransport(t, big, small, rows);
    await memory(t, big, small, rows);
    await scroll(t, big, rows);
  }
  console.log(format(rows));
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, JSON.stringify({ meta: { quick, size: SIZE, node: process.version, date: new Date().toISOString() }, rows }, null, 2));
}

if ((globalThis as { gc?: unknown }).gc === undefined) {
  const child = spawn(process.execPath, ['--expose-gc', ...process.execArgv, __filename, ...process.argv.slice(2)], { stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 1));
} else {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
