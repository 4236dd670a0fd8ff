// A source for tests of calls under the caller's control: slots that honour their call's
// signal, slots that ignore it, and a record of what each slot saw, with waits on it.

import { EventEmitter } from 'node:events';
import FakeTimers from '@sinonjs/fake-timers';
import { currentCall, Property, RemoteObjectType, Slot, type Timers } from '../../src/index';
import { within } from './fixtures';

@RemoteObjectType('Worker')
export class Worker extends EventEmitter {
  @Property() level = 0;
  /** Calls of the slots below that have started, and that have ended (however). */
  started = 0;
  ended = 0;
  /** The reasons the signals of calls were aborted with, in order. */
  readonly abortReasons: unknown[] = [];
  /** Settles every call of `ignores` still running. */
  private readonly hanging: ((v: number) => void)[] = [];

  /** Waits for its signal, then rejects with its reason. */
  @Slot({ returns: 'int32' }) honours(): Promise<number> {
    const call = currentCall()!;
    this.begin();
    return new Promise<number>((_resolve, reject) => {
      call.signal.addEventListener('abort', () => {
        this.abortReasons.push(call.signal.reason);
        this.end();
        reject(call.signal.reason);
      });
    });
  }

  /** Never settles on its own (see finishIgnored), whatever its signal says. */
  @Slot({ returns: 'int32' }) ignores(): Promise<number> {
    this.begin();
    const call = currentCall()!;
    call.signal.addEventListener('abort', () => this.abortReasons.push(call.signal.reason));
    return new Promise<number>((resolve) => this.hanging.push(resolve)).finally(() => this.end());
  }

  /** Looks at currentCall() after awaiting, and reports whether it is the same call, aborted or not. */
  @Slot({ returns: 'string' }) async afterAwait(): Promise<string> {
    const before = currentCall();
    await new Promise((resolve) => setImmediate(resolve));
    const after = currentCall();
    return after === before && after !== undefined ? `${after.source}.${after.slot} ${after.signal.aborted}` : 'lost';
  }

  @Slot() add(a: number, b: number): number {
    return a + b;
  }

  finishIgnored(value = 0): void {
    for (const r of this.hanging.splice(0)) r(value);
  }

  /** Resolves once `n` calls have started in total. */
  whenStarted(n: number, ms = 3000): Promise<void> {
    return this.whenCount('started', n, ms);
  }

  /** Resolves once `n` calls have ended in total. */
  whenEnded(n: number, ms = 3000): Promise<void> {
    return this.whenCount('ended', n, ms);
  }

  private whenCount(what: 'started' | 'ended', n: number, ms: number): Promise<void> {
    if (this[what] >= n) return Promise.resolve();
    return within(
      new Promise<void>((resolve) => {
        const check = (): void => {
          if (this[what] >= n) {
            this.off(what, check);
            resolve();
          }
        };
        this.on(what, check);
      }),
      ms,
      `${n} calls to have ${what} (${this[what]} so far)`,
    );
  }

  private begin(): void {
    this.started++;
    this.emit('started');
  }

  private end(): void {
    this.ended++;
    this.emit('ended');
  }
}

/** A fake clock for a node's `timers` option: only what the test ticks happens. */
export interface FakeClock {
  readonly timers: Timers;
  /** Advances the clock, running due timers and the promise callbacks they lead to. */
  tick(ms: number): Promise<void>;
  /** Timers still pending. */
  readonly pending: number;
}

export function fakeClock(): FakeClock {
  const clock = FakeTimers.createClock(1_000_000);
  return {
    timers: {
      setTimeout: (fn, ms) => clock.setTimeout(fn, ms),
      clearTimeout: (handle) => clock.clearTimeout(handle as never),
      now: () => clock.now,
    },
    async tick(ms) {
      await clock.tickAsync(ms);
    },
    get pending() {
      return clock.countTimers();
    },
  };
}
