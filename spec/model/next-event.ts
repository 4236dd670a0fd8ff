// The model specs' nextEvent: the test kit's, with the timeout as a number of ms.

import { nextEvent as kitNextEvent } from '../../src/testing';
import type { UntypedTarget } from '../../src/testing/describe';

/** Resolves with the next `event`'s arguments; rejects (failing the test) after `ms`. */
export function nextEvent<T extends unknown[] = unknown[]>(target: object, event: string, ms = 2000): Promise<T> {
  return kitNextEvent<T>(target as UntypedTarget, event, { timeout: ms });
}
