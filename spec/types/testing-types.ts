// Compile-only type tests of tsro/testing (src/testing/): nothing here runs; tsc compiles it with
// the rest of spec/ and each `// @ts-expect-error` line must be an error, or the build fails.
// The point: common assertions on typed and dynamic replicas need no casts.

import { EventEmitter } from 'node:events';
import type { DynamicReplica, Node, Replica, ReplicaState } from '../../src/index';
import { collectEvents, expectNoEvent, nextEvent, waitFor, type EventLog } from '../../src/testing';
import { Printer } from '../support/printer';

type Equal<A, B> = (<X>() => X extends A ? 1 : 2) extends <X>() => X extends B ? 1 : 2 ? true : false;
function assertType<T extends true>(_proof?: T): void {}

export async function typedReplicas(node: Node): Promise<void> {
  const r: Replica<Printer> = node.acquire(Printer);

  // nextEvent: signals resolve with their parameters, <prop>Changed with the property's type.
  const jam = await nextEvent(r, 'jammed');
  assertType<Equal<typeof jam, [_page: number, _reason: string]>>();
  const [ink] = await nextEvent(r, 'inkLevelChanged');
  assertType<Equal<typeof ink, number>>();
  const [state, old] = await nextEvent(r, 'stateChanged');
  assertType<Equal<typeof state, ReplicaState>>();
  assertType<Equal<typeof old, ReplicaState>>();
  assertType<Equal<Awaited<ReturnType<typeof nextEvent<typeof r, 'initialized'>>>, []>>();
  await nextEvent(r, 'jammed', { where: (page, reason) => page > 1 && reason.length > 0 });
  // @ts-expect-error not an event of Printer
  await nextEvent(r, 'jamed');
  // @ts-expect-error `where` gets the signal's parameters
  await nextEvent(r, 'jammed', { where: (page: string) => page === '' });

  // waitFor: the value and the predicate's parameter have the property's type.
  const level = await waitFor(r, 'inkLevel', (v) => v > 20);
  assertType<Equal<typeof level, number>>();
  const queue = await waitFor(r, 'queue', ['a']);
  assertType<Equal<typeof queue, string[]>>();
  // @ts-expect-error a value of another type
  await waitFor(r, 'inkLevel', 'full');
  // @ts-expect-error not a property (a slot)
  await waitFor(r, 'print', 1);

  // collectEvents: argsOf is typed per event.
  const log = collectEvents(r, ['jammed', 'busyChanged']);
  const jams: [_page: number, _reason: string][] = log.argsOf('jammed');
  const busy: [value: boolean][] = log.argsOf('busyChanged');
  void [jams, busy];
  // @ts-expect-error not recorded by this log
  log.argsOf('inkLevelChanged');
  // @ts-expect-error not an event of Printer
  collectEvents(r, ['nope']);

  await expectNoEvent(r, 'jammed', { until: r.add(1, 2) });
  // @ts-expect-error not an event of Printer
  await expectNoEvent(r, 'nope', { within: 10 });
}

export async function dynamicReplicas(node: Node): Promise<void> {
  const dyn: DynamicReplica = node.acquireDynamic('Printer');

  // Any event name; arguments unknown unless the test names them.
  const args = await nextEvent(dyn, 'jammed');
  assertType<Equal<typeof args, unknown[]>>();
  const [page, reason] = await nextEvent<[number, string]>(dyn, 'jammed');
  assertType<Equal<typeof page, number>>();
  assertType<Equal<typeof reason, string>>();
  await nextEvent<[number, string]>(dyn, 'jammed', { where: (p, r) => p > 1 && r !== '' });

  // waitFor: an annotated predicate, or a value, types the result.
  const t = await waitFor(dyn, 'temperature', (x: number) => x > 20);
  assertType<Equal<typeof t, number>>();
  const s = await waitFor(dyn, 'label', 'ready');
  assertType<Equal<typeof s, string>>();

  const log: EventLog = collectEvents(dyn, ['alarm']);
  const alarms: unknown[][] = log.argsOf('alarm');
  void alarms;
}

export async function otherEmitters(node: Node): Promise<void> {
  const [location] = await nextEvent(node, 'remoteObjectAdded');
  void location;
  const emitter = new EventEmitter();
  const [n] = await nextEvent<[number]>(emitter, 'tick');
  assertType<Equal<typeof n, number>>();
  collectEvents(emitter, ['tick']).stop();
  // @ts-expect-error waitFor takes a replica
  await waitFor(emitter, 'x', 1);
}
