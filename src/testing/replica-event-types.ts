// Compile-time names and argument tuples of a replica's events, for nextEvent, waitFor and
// collectEvents: on a typed replica `Replica<T>` they are read off its own members (the same
// events as its `on`), so `nextEvent(r, 'jammed')` resolves with `[page: number,
// reason: string]`; a dynamic replica, a Node or any emitter takes any event name, with
// arguments `unknown[]` unless the test names their types.

import type { DynamicReplica } from '../replica/dynamic-replica';
import type { ReplicaState } from '../replica/replica-state';
import type { EventsOf, PropertyKeys } from '../replica/replica-types';

/** What a typed replica has (a dynamic one has it too; the types below tell them apart). */
export interface ReplicaLike {
  /** The source name. */
  readonly name: string;
  /** The replica's state. */
  readonly state: ReplicaState;
  /** True when valid. */
  isReplicaValid(): boolean;
}

/** The events of a typed replica R: name → listener. */
type TypedEvents<R> = EventsOf<R>;

/** Event names of a typed replica R (none for a dynamic one: it takes the untyped overloads). */
export type ReplicaEventName<R> = R extends DynamicReplica ? never : keyof TypedEvents<R> & string;

/** The arguments of event K of a typed replica R, as a tuple. */
export type ReplicaEventArgs<R, K extends string> = K extends keyof TypedEvents<R>
  ? TypedEvents<R>[K] extends (...args: infer A) => void
    ? A
    : never
  : never;

/** Property names of a typed replica R (none for a dynamic one). */
export type ReplicaPropertyName<R> = R extends DynamicReplica ? never : PropertyKeys<R> & string;
