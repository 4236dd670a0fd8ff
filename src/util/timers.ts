// Injectable timers: every timeout tsro starts goes through one of these, so tests can drive
// waits, heartbeats and backoff with sinon's fake timers or a hand-rolled clock.

import { UsageError } from '../errors';

/** The clock a node uses for every timeout (option `timers`): the system's by default. */
export interface Timers {
  /** Runs `fn` once after `ms` milliseconds; returns a handle for clearTimeout. */
  setTimeout(fn: () => void, ms: number): unknown;
  /** Cancels a timeout by the handle setTimeout returned. */
  clearTimeout(handle: unknown): void;
  /** Milliseconds on a monotonic-enough clock; only differences are used. */
  now(): number;
}

/** The global timers, looked up at call time (so sinon.useFakeTimers() also affects them). */
export const systemTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  now: () => Date.now(),
};

/** A timeout that may be longer than setTimeout allows. */
export interface LongTimeout {
  clear(): void;
}

/** setTimeout takes at most 2^31-1 ms; a longer (or non-finite) delay would fire at once. */
const MAX_TIMER_MS = 0x7fffffff;

/**
 * Calls `fn` after `ms` (any length; Infinity never) through `timers`, re-arming in steps where
 * one timer cannot wait that long.
 */
export function setLongTimeout(timers: Timers, fn: () => void, ms: number): LongTimeout {
  if (ms === Infinity) return { clear() {} };
  const due = timers.now() + ms;
  let handle: unknown;
  const arm = (left: number): void => {
    handle = timers.setTimeout(() => {
      const rest = due - timers.now();
      if (rest > 0 && left > MAX_TIMER_MS) arm(rest);
      else fn();
    }, Math.min(Math.max(0, left), MAX_TIMER_MS));
  };
  arm(ms);
  return { clear: () => timers.clearTimeout(handle) };
}

/** A timeout option: a number of ms, 0 or more (Infinity allowed). */
export function checkTimeout(ms: unknown, what: string): number {
  if (typeof ms !== 'number' || Number.isNaN(ms) || ms < 0) {
    throw new UsageError('TYPE_MISMATCH', `${what} must be a number of milliseconds, 0 or more (got ${String(ms)})`);
  }
  return ms;
}
