// Compile-only type tests of what a replica's type lets through (src/replica/replica-types.ts,
// DynamicReplica): signals are events and not methods, event names are exactly the signals,
// `<prop>Changed` and the lifecycle events, slots are not events, a service's own public
// members stay off a replica of its API class, and dynamic replicas take any listener and work
// with node:events' once/on. Nothing here runs (spec/lib/replica-emitter.spec.ts runs the
// dynamic side): tsc compiles it with the rest of spec/, and every `// @ts-expect-error` line
// must be an error, or the build fails.

import { on, once } from 'node:events';
import { adaptSource, type DynamicReplica, type Node, type Replica, type ReplicaState, type SignatureMismatch, type TsroError } from '../../src/index';
import { EventEmitter } from 'node:events';
import { Legacy, Thermostat, ThermostatService } from '../support/typed-thermostat';

/** Type-level equality: true only if A and B are the same type. */
type Equal<A, B> = (<X>() => X extends A ? 1 : 2) extends <X>() => X extends B ? 1 : 2 ? true : false;
function assertType<T extends true>(_proof?: T): void {}

export function signalsAreEvents(node: Node): void {
  const t: Replica<Thermostat> = node.acquire(Thermostat);

  // Signals: events with the class's parameter types; never methods.
  t.on('alarm', (level: number, message: string) => void [level, message]);
  t.on('alarm', (level, message) => {
    assertType<Equal<typeof level, number>>();
    assertType<Equal<typeof message, string>>();
  });
  t.once('reset', () => {});
  // @ts-expect-error a signal is not a method of the replica
  t.alarm(1, 'x');
  // @ts-expect-error nor a member at all
  void t.reset;
  // @ts-expect-error alarm's parameters are (number, string)
  t.on('alarm', (level: string) => void level);

  // <prop>Changed carries the property's type.
  t.on('temperatureChanged', (value) => assertType<Equal<typeof value, number>>());
  t.on('labelChanged', (value: string) => void value);
  // @ts-expect-error temperatureChanged carries a number
  t.on('temperatureChanged', (value: string) => void value);

  // The lifecycle events, with their arguments.
  t.on('initialized', () => {});
  t.on('stateChanged', (state, old) => {
    assertType<Equal<typeof state, ReplicaState>>();
    assertType<Equal<typeof old, ReplicaState>>();
  });
  t.on('acquireRefused', (error) => assertType<Equal<typeof error, TsroError>>());
  t.on('signatureMismatch', (mismatch) => assertType<Equal<typeof mismatch, SignatureMismatch>>());
  assertType<Equal<typeof t.signatureMismatch, SignatureMismatch | undefined>>();

  // Slots are methods, not events.
  assertType<Equal<ReturnType<typeof t.setTarget>, Promise<void>>>();
  assertType<Equal<ReturnType<typeof t.calibrate>, Promise<number>>>();
  // @ts-expect-error a slot is not an event
  t.on('setTarget', () => {});
  // @ts-expect-error nor is an async one
  t.once('calibrate', () => {});
  // @ts-expect-error no such event
  t.on('temperature', () => {});
  // @ts-expect-error no such event
  t.off('alarmed', () => {});
}

export function exactEventNames(): void {
  type Names = Parameters<Replica<Thermostat>['on']>[0];
  assertType<Equal<Names, 'alarm' | 'reset' | 'temperatureChanged' | 'labelChanged' | 'initialized' | 'stateChanged' | 'acquireRefused' | 'signatureMismatch'>>();
}

export function serviceMembersStayOff(node: Node): void {
  // Acquired by the API class, a replica has the API and nothing of the service.
  const t = node.acquire(Thermostat);
  // @ts-expect-error the service's own method is not remote
  void t.logState;
  // @ts-expect-error nor its own field
  void t.sensorId;
  // The limit: decorators cannot change types, so a replica typed by the service class itself
  // shows its public undecorated members too (at run time they are not there).
  const s = node.acquire(ThermostatService);
  assertType<Equal<typeof s.sensorId, string>>();
}

export function legacyVoidSignals(node: Node): void {
  const l = node.acquire(Legacy);
  // Undecided void methods are both (documented): event...
  l.on('jammed', (page: number) => void page);
  // ...and method.
  void l.jammed(1);
  // A slot returning something is never a signal, so never an event.
  // @ts-expect-error print is a slot
  l.on('print', () => {});
  assertType<Equal<ReturnType<typeof l.print>, Promise<number>>>();
}

export async function dynamicListeners(node: Node): Promise<void> {
  const dyn: DynamicReplica = node.acquireDynamic('TypesThermostat');
  // Any listener signature: annotated as the signal's arguments, or unannotated (unknown, not never).
  dyn.on('alarm', (level: number, message: string) => void [level, message]);
  dyn.on('alarm', (level, message) => {
    assertType<Equal<typeof level, unknown>>();
    assertType<Equal<typeof message, unknown>>();
  });
  dyn.once('temperatureChanged', (value: number) => void value);
  dyn.addListener('x', (...args: unknown[]) => void args);

  // node:events' once and on take a dynamic replica.
  const args: unknown[] = await once(dyn, 'alarm');
  const withSignal = await once(dyn, 'alarm', { signal: AbortSignal.timeout(10) });
  for await (const alarm of on(dyn, 'alarm')) {
    void alarm;
    break;
  }
  void [args, withSignal];
  const emitter: NodeJS.EventEmitter = dyn;
  void emitter;

  // get<T>: the type a test expects, without a cast; unknown by default.
  const level: number = dyn.get<number>('temperature');
  assertType<Equal<ReturnType<typeof dyn.get>, unknown>>();
  void level;
  const untyped = dyn.get('temperature');
  assertType<Equal<typeof untyped, unknown>>();
}

export function adapterMapsSignalsAndSlotsApart(): void {
  const target = new EventEmitter();
  adaptSource(Thermostat, target, { signals: { alarm: { event: 'alarm' } }, slots: { setTarget: () => undefined } });
  // @ts-expect-error calibrate is a slot, not a signal to forward
  adaptSource(Thermostat, target, { signals: { calibrate: { event: 'calibrate' } } });
  // @ts-expect-error alarm is a signal, not a slot to map
  adaptSource(Thermostat, target, { slots: { alarm: () => undefined } });
}
