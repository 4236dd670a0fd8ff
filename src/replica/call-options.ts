// How a caller bounds its calls and waits: `replica.withCallOptions({ timeout, signal })` for
// slot calls and property sets, `waitForSource({ timeout, signal })` for waits.

import { UsageError } from '../errors';
import { checkTimeout } from '../util/timers';

/** Bounds of a slot call or property set. */
export interface CallOptions {
  /** Reject with TIMEOUT after this many ms (the host is told). 0 or Infinity: no timeout, overriding the node's `callTimeout`. */
  readonly timeout?: number;
  /** Abort to reject with CANCELLED (`cause`: the signal's reason); the host is told. */
  readonly signal?: AbortSignal;
}

/** Bounds of a wait (waitForSource, waitForRegistry). */
export interface WaitOptions {
  /** Resolve false after this many ms. Default 30 s; Infinity (or a negative number, as in QtRO's -1): wait until it happens. */
  readonly timeout?: number;
  /** Abort to reject the wait with CANCELLED (`cause`: the signal's reason). */
  readonly signal?: AbortSignal;
}

/** Checks call options given by a user; returns a frozen copy. */
export function checkCallOptions(options: unknown): CallOptions {
  if (options === null || typeof options !== 'object') {
    throw new UsageError('TYPE_MISMATCH', `call options must be an object like { timeout, signal } (got ${String(options)})`);
  }
  const { timeout, signal } = options as { timeout?: unknown; signal?: unknown };
  if (timeout !== undefined) checkTimeout(timeout, 'timeout');
  checkSignal(signal);
  return Object.freeze({ timeout: timeout as number | undefined, signal: signal as AbortSignal | undefined });
}

export function checkSignal(signal: unknown): void {
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new UsageError('TYPE_MISMATCH', `signal must be an AbortSignal (got ${String(signal)})`);
  }
}
