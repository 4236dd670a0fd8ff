// Compile-time shape of typed replicas. `Replica<Printer>` has Printer's data members as fields
// and its methods as functions returning Promises of their awaited results; `on`/`once`/`off`
// know the events: `<prop>Changed(value)`, each method name as a signal with its parameters,
// `initialized` and `stateChanged`. (Types cannot tell a @Slot from a @Signal or a readonly
// property: the runtime refuses what the declaration does not allow, with a clear error.)

import type { EventEmitter } from 'node:events';
import type { ReplicaState } from './replica-state';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyFunction = (...args: any[]) => unknown;

/** Members every replica handle has; excluded from the remote members of T. */
export interface ReplicaMembers<Events> {
  readonly name: string;
  readonly state: ReplicaState;
  isReplicaValid(): boolean;
  waitForSource(ms?: number): Promise<boolean>;
  release(): void;
  [Symbol.dispose](): void;
  on<E extends keyof Events & string>(event: E, fn: Events[E]): this;
  once<E extends keyof Events & string>(event: E, fn: Events[E]): this;
  off<E extends keyof Events & string>(event: E, fn: Events[E]): this;
}

type RemoteKeys<T> = Exclude<keyof T, keyof EventEmitter | keyof ReplicaMembers<object> | symbol>;

/** Names of T's data members (properties). */
export type PropertyKeys<T> = { [K in RemoteKeys<T>]: T[K] extends AnyFunction ? never : K }[RemoteKeys<T>];

/** Names of T's methods (slots and signals). */
export type MethodKeys<T> = { [K in RemoteKeys<T>]: T[K] extends AnyFunction ? K : never }[RemoteKeys<T>];

/** Events of a replica of T. */
export type ReplicaEvents<T> = {
  initialized: () => void;
  stateChanged: (state: ReplicaState, oldState: ReplicaState) => void;
} & {
  [K in PropertyKeys<T> as `${K & string}Changed`]: (value: T[K]) => void;
} & {
  [K in MethodKeys<T>]: T[K] extends (...args: infer A) => unknown ? (...args: A) => void : never;
};

/** A typed replica of T. */
export type Replica<T> = ReplicaMembers<ReplicaEvents<T>> & {
  [K in PropertyKeys<T>]: T[K];
} & {
  [K in MethodKeys<T>]: T[K] extends (...args: infer A) => infer R ? (...args: A) => Promise<Awaited<R>> : never;
};
