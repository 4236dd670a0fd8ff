// Compile-only type tests of Replica<T> (src/replica/replica-types.ts). Nothing here runs: tsc compiles
// it with the rest of spec/ (the build fails if a type is wrong), and mocha only loads
// *.spec.js. Each `// @ts-expect-error` line must be an error, or the build fails too.

import type { DynamicReplica, Node, Replica, ReplicaState } from '../../src/index';
import { Printer } from '../support/printer';

/** Type-level equality: true only if A and B are the same type. */
type Equal<A, B> = (<X>() => X extends A ? 1 : 2) extends <X>() => X extends B ? 1 : 2 ? true : false;
function assertType<T extends true>(_proof?: T): void {}

export async function typedReplicaShape(node: Node): Promise<void> {
  const r: Replica<Printer> = node.acquire(Printer);

  // Properties are fields of their declared types.
  const ink: number = r.inkLevel;
  const busy: boolean = r.busy;
  const queue: string[] = r.queue;
  assertType<Equal<typeof r.inkLevel, number>>();
  assertType<Equal<typeof r.copies, number>>();
  r.inkLevel = 50;
  void ink;
  void busy;
  void queue;

  // Slots are methods returning Promises of their awaited results.
  const printed: Promise<number> = r.print('doc');
  const pages: number = await r.print('doc');
  const sum: number = await r.add(1, 2);
  const greeting: string = await r.greet('bob');
  const greeting2: string = await r.greet('bob', 'hi');
  assertType<Equal<ReturnType<typeof r.print>, Promise<number>>>();
  assertType<Equal<Parameters<typeof r.print>, [doc: string]>>();
  assertType<Equal<ReturnType<typeof r.fail>, Promise<void>>>();
  void printed;
  void pages;
  void sum;
  void greeting;
  void greeting2;

  // Events: <prop>Changed with the property's type, signals with their parameters.
  r.on('inkLevelChanged', (v: number) => void v);
  r.on('queueChanged', (v: string[]) => void v);
  r.on('jammed', (page: number, reason: string) => void [page, reason]);
  r.once('jammed', (page) => {
    const p: number = page;
    void p;
  });
  r.off('inkLevelChanged', (v) => {
    const n: number = v;
    void n;
  });
  r.on('initialized', () => {});
  r.on('stateChanged', (state: ReplicaState, old: ReplicaState) => void [state, old]);

  // Common members.
  const state: ReplicaState = r.state;
  const valid: boolean = r.isReplicaValid();
  const waited: boolean = await r.waitForSource(100);
  const name: string = r.name;
  r.release();
  r[Symbol.dispose]();
  void state;
  void valid;
  void waited;
  void name;

  // ---- what must not compile ----

  // @ts-expect-error inkLevel is a number
  r.inkLevel = 'full';
  // @ts-expect-error queue is a string[]
  r.queue = [1, 2];
  // @ts-expect-error print takes a string
  void r.print(42);
  // @ts-expect-error print takes one argument
  void r.print();
  // @ts-expect-error print resolves with a number, not a string
  const wrongResult: string = await r.print('doc');
  void wrongResult;
  // @ts-expect-error no such member
  void r.nonexistent();
  // @ts-expect-error no such property
  void r.paperLevel;
  // @ts-expect-error no such event
  r.on('nonexistentChanged', () => {});
  // @ts-expect-error jammed's parameters are (number, string)
  r.on('jammed', (page: string, reason: number) => void [page, reason]);
  // @ts-expect-error inkLevelChanged carries a number
  r.on('inkLevelChanged', (v: string) => void v);
  // @ts-expect-error state is readonly
  r.state = 'valid';
  // @ts-expect-error the source's EventEmitter methods are not replica members
  void r.emit('jammed', 1, 'x');
  // @ts-expect-error waitForSource takes milliseconds
  void r.waitForSource('soon');
}

export async function dynamicReplicaShape(node: Node): Promise<void> {
  const d: DynamicReplica = node.acquireDynamic('Printer');
  const names: string[] = d.propertyNames;
  const v: unknown = d.get('inkLevel');
  const set: Promise<void> = d.set('inkLevel', 1);
  const result: Promise<unknown> = d.invoke('print', 'doc');
  const valid: boolean = await d.waitForSource();
  d.on('anything', (...args: unknown[]) => void args);
  // Any listener signature: written for the signal's arguments, or unannotated (unknown).
  d.on('jammed', (page: number, reason: string) => void [page, reason]);
  d.once('inkLevelChanged', (level: number) => void level);
  d.off('jammed', (page: number, reason: string) => void [page, reason]);
  d.on('jammed', (page, reason) => {
    assertType<Equal<typeof page, unknown>>();
    void reason;
  });
  // get<T>: the type a test expects, without a cast.
  const level: number = d.get<number>('inkLevel');
  assertType<Equal<typeof level, number>>();
  assertType<Equal<ReturnType<typeof d.get>, unknown>>();
  void [names, v, set, result, valid];
  // @ts-expect-error a dynamic replica has no typed fields
  void d.inkLevel;
}
