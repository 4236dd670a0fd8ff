// Child process of the soak test's leak check, run with --expose-gc: one Node connected to the
// host at argv[2] acquires and releases a typed and a dynamic replica of "Soak" argv[3] times,
// and reports {type:'report', before, after} (active resources by type, heapUsed after GC)
// measured after a warm-up and after the cycles.

import { Node, silentLogger } from '../../src/index';
import { SoakApi } from './hardening-soak-api';

const [url, cyclesArg] = process.argv.slice(2);
const cycles = Number(cyclesArg ?? 1000);
const WARM_UP = 200;

function resources(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of process.getActiveResourcesInfo()) counts[r] = (counts[r] ?? 0) + 1;
  return counts;
}

async function settle(): Promise<{ resources: Record<string, number>; heapUsed: number }> {
  const gc = (globalThis as { gc?: () => void }).gc;
  for (let i = 0; i < 5; i++) {
    await new Promise((resolve) => setImmediate(resolve));
    gc?.();
  }
  return { resources: resources(), heapUsed: process.memoryUsage().heapUsed };
}

async function cycle(node: Node, i: number): Promise<void> {
  const typed = node.acquire(SoakApi);
  const onTick = (): void => {};
  typed.on('tick', onTick);
  typed.on('counterChanged', onTick);
  if (!(await typed.waitForSource(5000))) throw new Error(`cycle ${i}: typed replica not valid`);
  if (i % 10 === 0 && (await typed.inc(i)) !== i + 1) throw new Error(`cycle ${i}: wrong answer`);
  typed.release();
  const dyn = node.acquireDynamic('Soak');
  dyn.on('tick', onTick);
  if (!(await dyn.waitForSource(5000))) throw new Error(`cycle ${i}: dynamic replica not valid`);
  if (i % 10 === 5 && (await dyn.invoke('inc', i)) !== i + 1) throw new Error(`cycle ${i}: wrong answer`);
  dyn.release();
}

async function main(): Promise<void> {
  const node = new Node({ logger: silentLogger, reconnect: false });
  await node.connectToNode(url!);
  for (let i = 0; i < WARM_UP; i++) await cycle(node, i);
  const before = await settle();
  const started = Date.now();
  for (let i = 0; i < cycles; i++) await cycle(node, i);
  const ms = Date.now() - started;
  const after = await settle();
  process.send!({ type: 'report', before, after, ms, gc: typeof (globalThis as { gc?: unknown }).gc === 'function' });
  process.on('message', (m: { type: string }) => {
    if (m.type === 'close') void node.close().then(() => process.disconnect());
  });
}

main().catch((err: unknown) => {
  process.send!({ type: 'failed', error: String(err) });
  process.exitCode = 1;
});
