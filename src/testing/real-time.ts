// The kit's own deadlines run on the real clock, captured when the kit is loaded: a test that
// installs fake timers (sinon, jest, vitest) or drives tsro with a TestClock must still get its
// TIMEOUT failure after real milliseconds, not never.

import { UsageError } from '../errors';

const realSetTimeout = globalThis.setTimeout;
const realClearTimeout = globalThis.clearTimeout;
const realSetImmediate = globalThis.setImmediate;

/** Calls `fn` after `ms` real milliseconds; returns the function that cancels it. */
export function realDelay(fn: () => void, ms: number): () => void {
  const handle = realSetTimeout(fn, ms);
  return () => realClearTimeout(handle);
}

/** Resolves after the current turn's I/O callbacks have run (not a sleep: no time passes). */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => realSetImmediate(resolve));
}

/** The timeout a helper uses when not told: below the 5 s default of jest and vitest. */
export const DEFAULT_TIMEOUT_MS = 2000;

/** Validates a `timeout` option: a positive finite number of ms. */
export function timeoutOf(options: { readonly timeout?: number } | undefined): number {
  const ms = options?.timeout ?? DEFAULT_TIMEOUT_MS;
  if (typeof ms !== 'number' || !(ms > 0) || !Number.isFinite(ms)) {
    throw new UsageError('TYPE_MISMATCH', `timeout must be a positive number of milliseconds, got ${String(ms)}`);
  }
  return ms;
}
