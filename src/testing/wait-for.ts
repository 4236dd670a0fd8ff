// waitFor: resolves with a replica's property value once the replica is valid and the value
// equals what the test expects (deeply) or passes its predicate, checking at once and again on
// every change of the property or of the replica's state. A deadline on the real clock turns a
// value that never came into a TimeoutError naming the replica, the property, the values it
// went through and the replica's state.

import { isDeepStrictEqual } from 'node:util';
import { TimeoutError, UsageError } from '../errors';
import type { DynamicReplica } from '../replica/dynamic-replica';
import { isReplicaLike, listen, nameOf, readProperty, show, stateOf, type EventTargetLike } from './describe';
import { realDelay, timeoutOf } from './real-time';
import type { ReplicaLike, ReplicaPropertyName } from './replica-event-types';
import { settleOnMatch, settlerOf } from './settle-on-match';

/** Options of `waitFor(replica, property, predicate, options)`. */
export interface WaitForOptions {
  /** Real milliseconds to wait before rejecting with TIMEOUT. Default 2000. */
  readonly timeout?: number;
  /** Rejects with the signal's reason if it aborts first. */
  readonly signal?: AbortSignal;
}

/** Waits until typed replica property `prop` equals `expected` (deeply) or passes it as a predicate. */
export function waitFor<R extends ReplicaLike & EventTargetLike, P extends ReplicaPropertyName<R>>(
  replica: R,
  prop: P,
  expected: R[P] | ((value: R[P]) => boolean),
  options?: WaitForOptions,
): Promise<R[P]>;
/** Waits until a dynamic replica's property passes `predicate` (annotate its parameter to type it). */
export function waitFor<V = unknown>(replica: DynamicReplica, prop: string, predicate: (value: V) => boolean, options?: WaitForOptions): Promise<V>;
/** Waits until a dynamic replica's property equals `expected` (deeply). */
export function waitFor<V>(replica: DynamicReplica, prop: string, expected: V, options?: WaitForOptions): Promise<V>;
export function waitFor(replica: ReplicaLike & EventTargetLike, prop: string, expected: unknown, options?: WaitForOptions): Promise<unknown> {
  const ms = timeoutOf(options);
  if (!isReplicaLike(replica)) return Promise.reject(new UsageError('TYPE_MISMATCH', `waitFor takes a replica, got ${nameOf(replica)}`));
  const signal = options?.signal;
  if (signal?.aborted) return Promise.reject(signal.reason);
  const matches = typeof expected === 'function' ? (expected as (v: unknown) => boolean) : (v: unknown) => isDeepStrictEqual(v, expected);
  const wanted = typeof expected === 'function' ? 'to pass the predicate' : `to equal ${show(expected)}`;
  return new Promise<unknown>((resolve, reject) => {
    const seen: unknown[] = [];
    const states: string[] = [];
    const wait = settlerOf<unknown>(resolve, reject, () => finish());
    const check = (): void => {
      if (replica.state !== 'valid') return;
      const names = (replica as Partial<DynamicReplica>).propertyNames;
      if (Array.isArray(names) && !names.includes(prop)) {
        wait.reject(new UsageError('UNKNOWN_MEMBER', `waitFor: source "${replica.name}" has no property "${prop}" (it has ${names.join(', ') || 'none'})`));
        return;
      }
      const value = readProperty(replica, prop);
      if (settleOnMatch(matches, value, wait)) return;
      if (seen.length === 0 || !isDeepStrictEqual(seen[seen.length - 1], value)) seen.push(value);
    };
    const onState = (state: unknown): void => {
      states.push(String(state));
      check();
    };
    const onAbort = (): void => {
      finish();
      reject(signal!.reason);
    };
    const cancel = realDelay(() => {
      finish();
      const parts = [`timed out after ${ms} ms waiting for "${prop}" of ${nameOf(replica)} ${wanted}`];
      parts.push(seen.length === 0 ? 'the replica was never valid meanwhile' : `values seen: ${seen.slice(-8).map(show).join(', ')}`);
      if (states.length > 0) parts.push(`state changes meanwhile: ${states.join(' -> ')}`);
      parts.push(stateOf(replica, [prop]));
      reject(new TimeoutError(parts.join('; ')));
    }, ms);
    const changed = `${prop}Changed`;
    const unlisten = [listen(replica, changed, check), listen(replica, 'stateChanged', onState as (...args: never[]) => void)];
    const finish = (): void => {
      cancel();
      for (const off of unlisten) off();
      signal?.removeEventListener('abort', onAbort);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    check();
  });
}
