// Injectable timers: every timeout tsro starts goes through one of these, so tests can drive
// waits, heartbeats and backoff with sinon's fake timers or a hand-rolled clock.

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
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
