// waitForState: resolves once a replica is in a state (or one that passes a predicate), checking
// at once and on every stateChanged; a TimeoutError names the replica, the states it went
// through and the one it is in.

import { TimeoutError, UsageError } from '../errors';
import type { ReplicaState } from '../replica/replica-state';
import { isReplicaLike, listen, nameOf, show, stateOf } from './describe';
import { realDelay, timeoutOf } from './real-time';
import type { ReplicaLike } from './replica-event-types';
import { settleOnMatch, settlerOf } from './settle-on-match';

/** Options of `waitForState(replica, state, options)`. */
export interface WaitForStateOptions {
  /** Real milliseconds to wait before rejecting with TIMEOUT. Default 2000. */
  readonly timeout?: number;
}

/** Waits until `replica.state` is `expected` (or passes it as a predicate); resolves with the state. */
export function waitForState(
  replica: ReplicaLike,
  expected: ReplicaState | ((state: ReplicaState) => boolean),
  options?: WaitForStateOptions,
): Promise<ReplicaState> {
  const ms = timeoutOf(options);
  if (!isReplicaLike(replica)) return Promise.reject(new UsageError('TYPE_MISMATCH', `waitForState takes a replica, got ${nameOf(replica)}`));
  const matches = typeof expected === 'function' ? expected : (s: ReplicaState) => s === expected;
  if (matches(replica.state)) return Promise.resolve(replica.state);
  return new Promise<ReplicaState>((resolve, reject) => {
    const states: string[] = [];
    const wait = settlerOf<ReplicaState>(resolve, reject, () => finish());
    const onState = (state: ReplicaState): void => {
      states.push(state);
      settleOnMatch(matches, state, wait);
    };
    const cancel = realDelay(() => {
      finish();
      const wanted = typeof expected === 'function' ? 'a state passing the predicate' : `state ${show(expected)}`;
      const went = states.length > 0 ? `it went through ${states.join(' -> ')}` : 'its state did not change';
      reject(new TimeoutError(`timed out after ${ms} ms waiting for ${nameOf(replica)} to reach ${wanted}; ${went}; ${stateOf(replica)}`));
    }, ms);
    const unlisten = listen(replica as never, 'stateChanged', onState as (...args: never[]) => void);
    const finish = (): void => {
      cancel();
      unlisten();
    };
  });
}
