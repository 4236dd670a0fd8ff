// Compile-time shape of typed replicas. `Replica<Printer>` has Printer's data members as fields,
// its slots as methods returning Promises of their awaited results, and its signals as events
// only; `on`/`once`/`off` take exactly the replica's events with the listener types of the class.
//
// Decorators cannot change types, so the type reads what the class's own declarations say:
// - A method declared to return `Signal` (a `void` for the compiler) is a signal: an event, not a
//   method. Any other method is a slot: a method, not an event.
// - A class that declares no method that way (older code: signals declared `: void`) leaves a
//   `void` method undecided: it is both a method and an event, as the runtime may find either.
// - Every public data member is a property and every public method a slot or signal: keep a
//   service's own public helpers off its replicas by acquiring the API class it extends (or
//   making them private). The runtime refuses what the declaration does not allow.

import type { ReplicaState } from './replica-state';
import type { CallOptions, WaitOptions } from './call-options';
import type { TsroError } from '../errors';
import type { Signal } from '../api/signal';
import type { SignatureMismatch } from '../api/api-diff';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyFunction = (...args: any[]) => unknown;

declare const replicaEvents: unique symbol;

/** Members every replica handle has; excluded from the remote members of T. */
export interface ReplicaMembers<Events> {
  /** The source name this replica follows. */
  readonly name: string;
  /** Where the replica stands; see ReplicaState. */
  readonly state: ReplicaState;
  /** In state `signatureMismatch`, once known: what differs between T and the source's API. */
  readonly signatureMismatch: SignatureMismatch | undefined;
  /** True when `state` is `'valid'`. */
  isReplicaValid(): boolean;
  /** Resolves true once valid, false on timeout (ms or `{ timeout, signal }`), signature mismatch or release. */
  waitForSource(wait?: number | WaitOptions): Promise<boolean>;
  /** This replica, with its slot calls and property sets bounded by a timeout and/or a signal. */
  withCallOptions(options: CallOptions): this;
  /** Drops this handle; the node forgets the source when its last handle is released. */
  release(): void;
  /** Same as `release()`, for `using`. */
  [Symbol.dispose](): void;
  /** Listens to an event: a signal, `<prop>Changed` or a lifecycle event. */
  on<E extends keyof Events & string>(event: E, fn: Events[E]): this;
  /** Listens to the next occurrence of an event only. */
  once<E extends keyof Events & string>(event: E, fn: Events[E]): this;
  /** Stops listening (`fn` as given to `on` or `once`). */
  off<E extends keyof Events & string>(event: E, fn: Events[E]): this;
  /** Type-level only (never present): the replica's events, for tools like tsro/testing's nextEvent. */
  readonly [replicaEvents]?: Events;
}

/** The events of a replica type R (`Replica<T>` or a class with typed `on`), name → listener. */
export type EventsOf<R> = R extends { readonly [replicaEvents]?: infer E } ? (unknown extends E ? never : E) : never;

// The methods of an event emitter (node:events' or a look-alike) that a source class may inherit:
// not part of its remote API. Spelled out so the type needs no Node.js typings.
type EmitterKeys =
  | 'on' | 'once' | 'off' | 'emit' | 'addListener' | 'removeListener' | 'removeAllListeners' | 'prependListener'
  | 'prependOnceListener' | 'listeners' | 'rawListeners' | 'listenerCount' | 'eventNames' | 'setMaxListeners' | 'getMaxListeners';

type RemoteKeys<T> = Exclude<keyof T, EmitterKeys | keyof ReplicaMembers<object> | symbol>;

/** True for `any`. */
type IsAny<T> = 0 extends 1 & T ? true : false;

/** True if F is a method declared to return `Signal`. */
type ReturnsSignal<F> = F extends (...args: never[]) => infer R
  ? IsAny<R> extends true
    ? false
    : [R] extends [never]
      ? false
      : [R] extends [Signal]
        ? [R] extends [void]
          ? true
          : false
        : false
  : false;

/** True if F is a method declared to return exactly `void`. */
type ReturnsVoid<F> = F extends (...args: never[]) => infer R ? (IsAny<R> extends true ? false : [void] extends [R] ? ([R] extends [void] ? true : false) : false) : false;

/** Names of T's methods declared to return `Signal`. */
type MarkedSignalKeys<T> = { [K in RemoteKeys<T>]: T[K] extends AnyFunction ? (ReturnsSignal<T[K]> extends true ? K : never) : never }[RemoteKeys<T>];

/** Names of T's data members (properties). */
export type PropertyKeys<T> = { [K in RemoteKeys<T>]: T[K] extends AnyFunction ? never : K }[RemoteKeys<T>];

/** Names of T's methods (slots and signals). */
export type MethodKeys<T> = { [K in RemoteKeys<T>]: T[K] extends AnyFunction ? K : never }[RemoteKeys<T>];

/**
 * Names of T's signals: its methods declared to return `Signal`; in a class that declares none
 * that way, its methods declared to return `void` (which may be slots too).
 */
export type SignalKeys<T> = [MarkedSignalKeys<T>] extends [never]
  ? { [K in MethodKeys<T>]: ReturnsVoid<T[K]> extends true ? K : never }[MethodKeys<T>]
  : MarkedSignalKeys<T>;

/** Names of T's slots: its methods that are not declared to return `Signal`. */
export type SlotKeys<T> = Exclude<MethodKeys<T>, MarkedSignalKeys<T>>;

/** The events every replica has, whatever its API. */
export interface ReplicaLifecycleEvents {
  /** The source's values arrived (first time, and again after every reconnection). */
  initialized: () => void;
  /** `state` changed. */
  stateChanged: (state: ReplicaState, oldState: ReplicaState) => void;
  /** The host cannot initialize this replica (e.g. its values are over this node's frame limit). */
  acquireRefused: (error: TsroError) => void;
  /** State `signatureMismatch`, and now what differs is known (also in `signatureMismatch`). */
  signatureMismatch: (mismatch: SignatureMismatch) => void;
}

/**
 * Events of a replica of T: the lifecycle events, `<prop>Changed(value)` for each property and
 * each signal with its parameters. Slots are not events.
 */
export type ReplicaEvents<T> = ReplicaLifecycleEvents & {
  [K in PropertyKeys<T> as `${K & string}Changed`]: (value: T[K]) => void;
} & {
  [K in SignalKeys<T>]: T[K] extends (...args: infer A) => unknown ? (...args: A) => void : never;
};

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

/**
 * A typed replica of T (what `node.acquire(T)` returns): T's properties as fields, its slots as
 * methods returning Promises, its signals as events (see the module comment for how the type
 * tells them apart).
 */
export type Replica<T> = ReplicaMembers<ReplicaEvents<T>> & {
  [K in PropertyKeys<T>]: T[K];
} & {
  [K in SlotKeys<T>]: T[K] extends (...args: infer A) => infer R ? ReplicaMethod<A, R> : never;
};
