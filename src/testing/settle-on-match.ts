// The step every waiting helper of the kit takes when something it watches changes: test the new
// value against what the test asked for and settle the wait if it matches. A predicate written by
// the test may throw (an assertion inside it, a typo); that rejects the wait with the test's own
// error instead of leaving it to time out.

/** How a wait ends: each call also removes the wait's listeners and deadline. */
export interface WaitSettler<T> {
  resolve(value: T): void;
  reject(error: unknown): void;
}

/** Resolves the wait with `value` if it passes `matches`; true once the wait is settled. */
export function settleOnMatch<T>(matches: (value: T) => boolean, value: T, wait: WaitSettler<T>): boolean {
  let ok: boolean;
  try {
    ok = matches(value);
  } catch (err) {
    wait.reject(err);
    return true;
  }
  if (ok) wait.resolve(value);
  return ok;
}

/** A settler that runs `finish` (remove listeners, cancel the deadline) before settling. */
export function settlerOf<T>(resolve: (value: T) => void, reject: (error: unknown) => void, finish: () => void): WaitSettler<T> {
  return {
    resolve: (value) => {
      finish();
      resolve(value);
    },
    reject: (error) => {
      finish();
      reject(error);
    },
  };
}
