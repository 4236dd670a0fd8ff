// expectNoEvent: asserts that a replica (or any emitter) does not emit an event while something
// happens: until a promise settles (the deterministic form: e.g. a slot call that has been
// answered, so everything the source sent before the reply has arrived), or for a window of real
// milliseconds when there is nothing to await. Fails with an AssertionError, which every test
// runner reports as a failed assertion, naming the event, its arguments and the replica's state.

import { AssertionError } from 'node:assert';
import type { DynamicReplica } from '../replica/dynamic-replica';
import { listen, nameOf, show, stateOf, type EventTargetLike, type UntypedTarget } from './describe';
import { realDelay } from './real-time';
import type { ReplicaEventName, ReplicaLike } from './replica-event-types';
import { UsageError } from '../errors';

/** Options of `expectNoEvent(target, name, options)`. */
export interface ExpectNoEventOptions<T> {
  /** Watch until this settles (or the function's promise settles); resolves with its value. */
  readonly until?: Promise<T> | (() => Promise<T>);
  /** Watch for this many real milliseconds (when there is nothing to await). */
  readonly within?: number;
}

/** Asserts typed replica event `name` is not emitted (see ExpectNoEventOptions). */
export function expectNoEvent<R extends ReplicaLike & EventTargetLike, T = void>(
  replica: R,
  name: ReplicaEventName<R>,
  options: ExpectNoEventOptions<T>,
): Promise<T | undefined>;
/** Asserts event `name` of a dynamic replica, a Node or any emitter is not emitted. */
export function expectNoEvent<T = void>(target: DynamicReplica | UntypedTarget, name: string, options: ExpectNoEventOptions<T>): Promise<T | undefined>;
export async function expectNoEvent<T>(target: EventTargetLike, name: string, options: ExpectNoEventOptions<T>): Promise<T | undefined> {
  const { until, within } = options;
  if ((until === undefined) === (within === undefined)) {
    throw new UsageError('TYPE_MISMATCH', 'expectNoEvent takes exactly one of `until` (a promise) and `within` (milliseconds)');
  }
  if (within !== undefined && !(within > 0 && Number.isFinite(within))) {
    throw new UsageError('TYPE_MISMATCH', `expectNoEvent: within must be a positive number of milliseconds, got ${String(within)}`);
  }
  const emitted: unknown[][] = [];
  const listener = (...args: unknown[]): void => void emitted.push(args);
  const unlisten = listen(target, name, listener as (...args: never[]) => void);
  let result: T | undefined;
  try {
    if (until !== undefined) result = await (typeof until === 'function' ? until() : until);
    else await new Promise<void>((resolve) => realDelay(resolve, within!));
  } finally {
    unlisten();
  }
  if (emitted.length > 0) {
    const during = until !== undefined ? 'before the awaited promise settled' : `within ${within} ms`;
    const state = stateOf(target);
    throw new AssertionError({
      message:
        `expected ${nameOf(target)} not to emit "${name}" ${during}, but it emitted it ${emitted.length} time(s): ` +
        `${emitted.slice(0, 5).map((a) => `(${a.map(show).join(', ')})`).join(', ')}${state ? `; ${state}` : ''}`,
      actual: emitted,
      expected: [],
      operator: 'expectNoEvent',
    });
  }
  return result;
}
