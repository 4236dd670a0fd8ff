// nextEvent: a promise for the next time a replica (or a Node, or any emitter) emits an event,
// resolving with the event's arguments as a tuple. It listens from the call on, so start it
// before the action that causes the event. A deadline on the real clock turns a missing event
// into a TimeoutError naming the replica, the event, what it did emit meanwhile and its state.

import { TimeoutError } from '../errors';
import type { DynamicReplica } from '../replica/dynamic-replica';
import { isReplicaLike, listen, nameOf, show, stateOf, type EventTargetLike, type UntypedTarget } from './describe';
import { realDelay, timeoutOf } from './real-time';
import type { ReplicaEventArgs, ReplicaEventName, ReplicaLike } from './replica-event-types';

/** Options of `nextEvent(target, name, options)`. */
export interface NextEventOptions<A extends unknown[] = unknown[]> {
  /** Real milliseconds to wait before rejecting with TIMEOUT. Default 2000. */
  readonly timeout?: number;
  /** Only an emission whose arguments pass this counts; the others are listed if it times out. */
  readonly where?: (...args: A) => boolean;
  /** Rejects with the signal's reason if it aborts first (the listener is removed). */
  readonly signal?: AbortSignal;
}

/** The next `name` event of a typed replica; resolves with its arguments, typed. */
export function nextEvent<R extends ReplicaLike & EventTargetLike, K extends ReplicaEventName<R>>(
  replica: R,
  name: K,
  options?: NextEventOptions<ReplicaEventArgs<R, K>>,
): Promise<ReplicaEventArgs<R, K>>;
/** The next `name` event of a dynamic replica, a Node or any emitter; name the argument types with `A`. */
export function nextEvent<A extends unknown[] = unknown[]>(
  target: DynamicReplica | UntypedTarget,
  name: string,
  options?: NextEventOptions<A>,
): Promise<A>;
export function nextEvent(target: EventTargetLike, name: string, options?: NextEventOptions): Promise<unknown[]> {
  return watchEvent(target, name, options);
}

/** The untyped core of nextEvent (also used by collectEvents). */
export function watchEvent(target: EventTargetLike, name: string, options: NextEventOptions | undefined): Promise<unknown[]> {
  const ms = timeoutOf(options);
  const where = options?.where;
  const signal = options?.signal;
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise<unknown[]>((resolve, reject) => {
    const rejected: unknown[][] = [];
    const states: string[] = [];
    const onEvent = (...args: unknown[]): void => {
      if (where) {
        let ok: boolean;
        try {
          ok = where(...args);
        } catch (err) {
          finish();
          reject(err);
          return;
        }
        if (!ok) {
          rejected.push(args);
          return;
        }
      }
      finish();
      resolve(args);
    };
    const onState = (state: unknown): void => void states.push(String(state));
    const onAbort = (): void => {
      finish();
      reject(signal!.reason);
    };
    const cancel = realDelay(() => {
      finish();
      reject(new TimeoutError(timeoutMessage(target, name, ms, rejected, states, where !== undefined)));
    }, ms);
    const unlisten = [listen(target, name, onEvent as (...args: never[]) => void)];
    if (isReplicaLike(target) && name !== 'stateChanged') unlisten.push(listen(target, 'stateChanged', onState as (...args: never[]) => void));
    const finish = (): void => {
      cancel();
      for (const off of unlisten) off();
      signal?.removeEventListener('abort', onAbort);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function timeoutMessage(target: unknown, name: string, ms: number, rejected: unknown[][], states: string[], filtered: boolean): string {
  const parts = [`timed out after ${ms} ms waiting for "${name}" of ${nameOf(target)}`];
  if (filtered) {
    parts.push(
      rejected.length === 0
        ? `it did not emit "${name}" at all`
        : `it emitted "${name}" ${rejected.length} time(s), none matching: ${rejected.slice(-5).map((a) => `(${a.map(show).join(', ')})`).join(', ')}`,
    );
  } else {
    parts.push(`it did not emit "${name}"`);
  }
  if (states.length > 0) parts.push(`state changes meanwhile: ${states.join(' -> ')}`);
  const state = stateOf(target);
  if (state) parts.push(state);
  return parts.join('; ');
}
