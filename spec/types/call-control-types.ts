// Compile-only type tests of calls under the caller's control: withCallOptions keeps the
// Replica<T> shape, stream slots return AsyncIterableIterators of their items, waits take
// options, node events are typed. Nothing here runs; the build fails if a type is wrong.

import { RemoteObjectType, Slot, type CallContext, type DynamicReplica, type Node, type Replica, currentCall } from '../../src/index';
import { Printer } from '../support/printer';

type Equal<A, B> = (<X>() => X extends A ? 1 : 2) extends <X>() => X extends B ? 1 : 2 ? true : false;
function assertType<T extends true>(_proof?: T): void {}

@RemoteObjectType('Streamer')
class Streamer {
  @Slot({ returns: { stream: 'int32' } }) async *ticks(_n: number): AsyncGenerator<number> {}
  @Slot() async plain(): Promise<string> {
    return '';
  }
}

export async function callControlTypes(node: Node, dyn: DynamicReplica): Promise<void> {
  const r: Replica<Printer> = node.acquire(Printer);
  const bounded = r.withCallOptions({ timeout: 100, signal: new AbortController().signal });
  assertType<Equal<typeof bounded, Replica<Printer>>>();
  const n: number = await bounded.print('x');
  void n;
  // @ts-expect-error: a timeout is a number
  r.withCallOptions({ timeout: '1' });

  const s = node.acquire(Streamer);
  assertType<Equal<ReturnType<typeof s.ticks>, AsyncIterableIterator<number>>>();
  assertType<Equal<ReturnType<typeof s.plain>, Promise<string>>>();
  for await (const x of s.ticks(3)) {
    const y: number = x;
    void y;
  }
  for await (const x of dyn.invoke<AsyncIterable<number>>('ticks', 3)) void x;
  const p: Promise<unknown> = dyn.withCallOptions({ timeout: 5 }).invoke('plain');
  void p;

  const ok: boolean = await r.waitForSource({ timeout: Infinity, signal: AbortSignal.timeout(5) });
  void ok;
  await node.waitForRegistry(Infinity);

  node.on('connected', ({ url }) => void url.length);
  node.on('disconnected', ({ url, error }) => void [url, error.code]);
  node.on('reconnecting', ({ delay, attempt }) => void (delay + attempt));
  await node.connectToNode('tcp://127.0.0.1:1', { retry: true });

  const call: CallContext | undefined = currentCall();
  const signal: AbortSignal | undefined = call?.signal;
  void signal;
}
