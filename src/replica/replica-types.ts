// Compile-time shape of typed replicas. `Replica<Printer>` has Printer's data members as fields
// and its methods as functions returning Promises of their awaited results; `on`/`once`/`off`
// know the events: `<prop>Changed(value)`, each method name as a signal with its parameters,
// `initialized` and `stateChanged`. (Types cannot tell a @Slot from a @Signal or a readonly
// property: the runtime refuses what the declaration does not allow, with a clear error.)

import type { ReplicaState } from './replica-state';
import type { CallOptions, WaitOptions } from './call-options';
import type { TsroError } from '../errors';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyFunction = (...args: any[]) => unknown;

/** Members every replica handle has; excluded from the remote members of T. */
export interface ReplicaMembers<Events> {
  readonly name: string;
  readonly state: ReplicaState;
  isReplicaValid(): boolean;
  waitForSource(wait?: number | WaitOptions): Promise<boolean>;
  /** This replica, with its slot calls and property sets bounded by a timeout and/or a signal. */
  withCallOptions(options: CallOptions): this;
  release(): void;
  [Symbol.dispose](): void;
  on<E extends keyof Events & string>(event: E, fn: Events[E]): this;
  once<E extends keyof Events & string>(event: E, fn: Events[E]): this;
  off<E extends keyof Events & string>(event: E, fn: Events[E]): this;
}

// The methods of an event emitter (node:events' or a look-alike) that a source class may inherit:
// not part of its remote API. Spelled out so the type needs no Node.js typings.
type EmitterKeys =
  | 'on' | 'once' | 'off' | 'emit' | 'addListener' | 'removeListener' | 'removeAllListeners' | 'prependListener'
  | 'prependOnceListener' | 'listeners' | 'rawListeners' | 'listenerCount' | 'eventNames' | 'setMaxListeners' | 'getMaxListeners';

type RemoteKeys<T> = Exclude<keyof T, EmitterKeys | keyof ReplicaMembers<object> | symbol>;

/** Names of T's data members (properties). */
export type PropertyKeys<T> = { [K in RemoteKeys<T>]: T[K] extends AnyFunction ? never : K }[RemoteKeys<T>];

/** Names of T's methods (slots and signals). */
export type MethodKeys<T> = { [K in RemoteKeys<T>]: T[K] extends AnyFunction ? K : never }[RemoteKeys<T>];

/** Events of a replica of T. */
export type ReplicaEvents<T> = {
  initialized: () => void;
  stateChanged: (state: ReplicaState, oldState: ReplicaState) => void;
  /** The host cannot initialize this replica (e.g. its values are over this node's frame limit). */
  acquireRefused: (error: TsroError) => void;
} & {
  [K in PropertyKeys<T> as `${K & string}Changed`]: (value: T[K]) => void;
} & {
  [K in MethodKeys<T>]: T[K] extends (...args: infer A) => unknown ? (...args: A) => void : never;
};

/** True for `any`. */
type IsAny<T> = 0 extends 1 & T ? true : false;

/**
 * A slot as a replica calls it: a stream slot (returning an async iterable, e.g. an async
 * generator) returns an AsyncIterableIterator of its items; any other a Promise of its result.
 */
type ReplicaMethod<A extends unknown[], R> =
  IsAny<R> extends true
    ? (...args: A) => Promise<R>
    : R extends AsyncIterable<infer I>
      ? (...args: A) => AsyncIterableIterator<I>
      : (...args: A) => Promise<Awaited<R>>;

/** A typed replica of T. */
export type Replica<T> = ReplicaMembers<ReplicaEvents<T>> & {
  [K in PropertyKeys<T>]: T[K];
} & {
  [K in MethodKeys<T>]: T[K] extends (...args: infer A) => infer R ? ReplicaMethod<A, R> : never;
};
