// collectEvents: records what a replica (or any emitter) emits, in order, from now until it is
// stopped, so a test can assert on the whole sequence, or await the n-th occurrence. Each
// entry keeps the event's name and arguments.

import { TimeoutError } from '../errors';
import type { DynamicReplica } from '../replica/dynamic-replica';
import { listen, nameOf, show, stateOf, type EventTargetLike, type UntypedTarget } from './describe';
import { realDelay, timeoutOf } from './real-time';
import type { ReplicaEventArgs, ReplicaEventName, ReplicaLike } from './replica-event-types';

/** One recorded emission. */
export interface LoggedEvent<K extends string = string, A extends unknown[] = unknown[]> {
  /** The event's name. */
  readonly name: K;
  /** Its arguments. */
  readonly args: A;
}

/** The recorded emissions of some events of one emitter. */
export class EventLog<E extends { [K in keyof E]: unknown[] } = Record<string, unknown[]>> {
  readonly #target: EventTargetLike;
  readonly #entries: LoggedEvent[] = [];
  readonly #unlisten: (() => void)[] = [];
  readonly #waiters = new Set<() => void>();

  /** @internal Use collectEvents. */
  constructor(target: EventTargetLike, names: readonly string[]) {
    this.#target = target;
    for (const name of new Set(names)) {
      const listener = (...args: unknown[]): void => {
        this.#entries.push({ name, args });
        for (const w of [...this.#waiters]) w();
      };
      this.#unlisten.push(listen(target, name, listener as (...args: never[]) => void));
    }
  }

  /** Every emission so far, in order. */
  get events(): readonly { [K in keyof E & string]: LoggedEvent<K, E[K]> }[keyof E & string][] {
    return this.#entries as never;
  }

  /** The event names, in order (e.g. to compare a whole sequence). */
  get names(): (keyof E & string)[] {
    return this.#entries.map((e) => e.name as keyof E & string);
  }

  /** The arguments of each emission of `name`, in order. */
  argsOf<K extends keyof E & string>(name: K): E[K][] {
    return this.#entries.filter((e) => e.name === name).map((e) => e.args as E[K]);
  }

  /** How many times `name` was emitted (all recorded events without a name). */
  count(name?: keyof E & string): number {
    return name === undefined ? this.#entries.length : this.#entries.filter((e) => e.name === name).length;
  }

  /** Forgets what was recorded so far (keeps recording). */
  clear(): void {
    this.#entries.length = 0;
  }

  /**
   * Resolves with the arguments of every emission of `name` once there are at least `n` of them
   * (counting those already recorded); rejects with TIMEOUT naming what was recorded instead.
   */
  waitForCount<K extends keyof E & string>(name: K, n: number, options?: { readonly timeout?: number }): Promise<E[K][]> {
    const ms = timeoutOf(options);
    const done = (): boolean => this.count(name) >= n;
    if (done()) return Promise.resolve(this.argsOf(name));
    return new Promise((resolve, reject) => {
      const waiter = (): void => {
        if (!done()) return;
        cancel();
        this.#waiters.delete(waiter);
        resolve(this.argsOf(name));
      };
      const cancel = realDelay(() => {
        this.#waiters.delete(waiter);
        const recorded = this.#entries.slice(-8).map((e) => `${e.name}(${e.args.map(show).join(', ')})`);
        const state = stateOf(this.#target);
        reject(
          new TimeoutError(
            `timed out after ${ms} ms waiting for ${n} "${name}" events of ${nameOf(this.#target)}; ` +
              `got ${this.count(name)}; recorded: ${recorded.length > 0 ? recorded.join(', ') : 'nothing'}${state ? `; ${state}` : ''}`,
          ),
        );
      }, ms);
      this.#waiters.add(waiter);
    });
  }

  /** Stops recording (removes its listeners); what was recorded stays readable. */
  stop(): void {
    for (const off of this.#unlisten.splice(0)) off();
  }

  /** Same as `stop()`, for `using`. */
  [Symbol.dispose](): void {
    this.stop();
  }
}

type TypedEventMap<R, K extends string> = { [N in K]: ReplicaEventArgs<R, N> };

/** Starts recording events `names` of a typed replica. */
export function collectEvents<R extends ReplicaLike & EventTargetLike, K extends ReplicaEventName<R>>(replica: R, names: readonly K[]): EventLog<TypedEventMap<R, K>>;
/** Starts recording events `names` of a dynamic replica, a Node or any emitter. */
export function collectEvents(target: DynamicReplica | UntypedTarget, names: readonly string[]): EventLog;
export function collectEvents(target: EventTargetLike, names: readonly string[]): EventLog {
  return new EventLog(target, names);
}
